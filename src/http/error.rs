//! One error type for every vendor API failure.

use std::fmt;

/// What went wrong, independent of the vendor. Maps to an exit code in `crate::error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiErrorKind {
    Unauthorized,
    Forbidden,
    NotFound,
    /// 400, 409, 422: the vendor rejected the request as invalid.
    Rejected,
    RateLimited,
    Server,
    Network,
    Timeout,
    /// A non-idempotent request was sent but no answer came: it may or may not have happened.
    OutcomeUnknown,
    /// The response could not be decoded.
    Decode,
    /// A value (an ID from the API, a flag or the configuration) cannot be a URL path segment:
    /// refused before any request.
    UnsafePath,
    Other,
}

/// The decoded error body of a vendor response: codes and messages.
#[derive(Debug, Default, Clone)]
pub struct VendorError {
    pub codes: Vec<String>,
    pub messages: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub kind: ApiErrorKind,
    pub status: Option<u16>,
    pub vendor: VendorError,
    pub request_id: Option<String>,
    pub retry_after: Option<u64>,
    /// What the user should do, when the vendor layer knows better than the generic hint.
    pub hint: Option<String>,
    /// `GET /accounts/…/tokens`: what was being done, with no secret in it.
    pub what: String,
    /// Transport-level detail (connection refused, timeout), when there was no response.
    pub detail: Option<String>,
}

impl ApiError {
    pub fn from_status(status: u16, vendor: VendorError, what: String) -> Self {
        let kind = match status {
            401 => ApiErrorKind::Unauthorized,
            403 => ApiErrorKind::Forbidden,
            404 => ApiErrorKind::NotFound,
            400 | 409 | 422 => ApiErrorKind::Rejected,
            429 => ApiErrorKind::RateLimited,
            500..=599 => ApiErrorKind::Server,
            _ => ApiErrorKind::Other,
        };
        ApiError {
            kind,
            status: Some(status),
            vendor,
            request_id: None,
            retry_after: None,
            hint: None,
            what,
            detail: None,
        }
    }

    pub fn transport(kind: ApiErrorKind, what: String, detail: String) -> Self {
        ApiError {
            kind,
            status: None,
            vendor: VendorError::default(),
            request_id: None,
            retry_after: None,
            hint: None,
            what,
            detail: Some(detail),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let summary = match self.kind {
            ApiErrorKind::Unauthorized => "unauthorized",
            ApiErrorKind::Forbidden => "forbidden",
            ApiErrorKind::NotFound => "not found",
            ApiErrorKind::Rejected => "rejected",
            ApiErrorKind::RateLimited => "rate limited",
            ApiErrorKind::Server => "server error",
            ApiErrorKind::Network => "network error",
            ApiErrorKind::Timeout => "timed out",
            ApiErrorKind::OutcomeUnknown => "no answer, the change may or may not have happened",
            ApiErrorKind::Decode => "unexpected response",
            ApiErrorKind::UnsafePath => "is refused",
            ApiErrorKind::Other => "request failed",
        };
        write!(f, "{} {}", self.what, summary)?;
        if let Some(s) = self.status {
            write!(f, " (HTTP {s})")?;
        }
        let parts: Vec<String> = self
            .vendor
            .messages
            .iter()
            .enumerate()
            .map(|(i, m)| match self.vendor.codes.get(i) {
                Some(c) if !c.is_empty() => format!("{m} [{c}]"),
                _ => m.clone(),
            })
            .collect();
        if !parts.is_empty() {
            write!(f, ": {}", parts.join("; "))?;
        } else if let Some(d) = &self.detail {
            write!(f, ": {d}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// One short message for an error body that is not the vendor's JSON (an HTML error page from
/// a proxy, an empty body).
pub fn non_json_summary(status: u16, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    if text.trim_start().starts_with('<') {
        format!("the server answered {status} with an HTML page instead of JSON")
    } else if text.trim().is_empty() {
        format!("the server answered {status} with an empty body")
    } else {
        format!("the server answered {status} with a body that is not the vendor's JSON")
    }
}

/// Decodes a successful response body. A body that is not the expected JSON is an error that
/// names what was being done; after a change that must not be repeated (a create, roll, rotate,
/// reset) the change did happen but its answer is lost, so the outcome is unknown to the user.
pub fn decode_json<T: serde::de::DeserializeOwned>(
    resp: &super::Response,
    req: &super::Request,
) -> Result<T, ApiError> {
    serde_json::from_slice(&resp.body).map_err(|e| unreadable(resp, req, &e.to_string()))
}

/// The error for a 2xx answer whose body cannot be read.
pub fn unreadable(resp: &super::Response, req: &super::Request, why: &str) -> ApiError {
    let kind = if req.idempotent {
        ApiErrorKind::Decode
    } else {
        ApiErrorKind::OutcomeUnknown
    };
    let mut err = ApiError::transport(
        kind,
        req.what.clone(),
        format!("the response is not the expected JSON ({why})"),
    );
    err.status = Some(resp.status);
    err
}
