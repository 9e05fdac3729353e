//! One error type for every vendor API failure.

use std::fmt;

use super::limits::{
    MAX_CODE_CHARS, MAX_DETAIL_CHARS, MAX_MESSAGE_CHARS, MAX_MESSAGES, MAX_VENDOR_TEXT_CHARS, clip,
};

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
    /// A dry run: the change was written down (see [`super::DryRun`]) and not sent.
    DryRun,
    Other,
}

/// The decoded error body of a vendor response: codes and messages.
#[derive(Debug, Default, Clone)]
pub struct VendorError {
    pub codes: Vec<String>,
    pub messages: Vec<String>,
}

impl VendorError {
    /// The messages as printed, each with its code: server text, so every message, every code
    /// and the whole are capped and made one safe line (see the `MAX_*` limits).
    fn shown(&self) -> Option<String> {
        if self.messages.is_empty() {
            return None;
        }
        let parts: Vec<String> = self
            .messages
            .iter()
            .take(MAX_MESSAGES)
            .enumerate()
            .map(|(i, m)| {
                let m = clip(m, MAX_MESSAGE_CHARS);
                match self.codes.get(i).map(|c| clip(c, MAX_CODE_CHARS)) {
                    Some(c) if !c.is_empty() => format!("{m} [{c}]"),
                    _ => m,
                }
            })
            .collect();
        let mut shown = clip(&parts.join("; "), MAX_VENDOR_TEXT_CHARS);
        let more = self.messages.len().saturating_sub(MAX_MESSAGES);
        if more > 0 {
            shown.push_str(&format!(" ({more} more)"));
        }
        Some(shown)
    }
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
            ApiErrorKind::DryRun => "was not sent (dry run)",
            ApiErrorKind::Other => "request failed",
        };
        write!(f, "{} {}", self.what, summary)?;
        if let Some(s) = self.status {
            write!(f, " (HTTP {s})")?;
        }
        if let Some(vendor) = self.vendor.shown() {
            write!(f, ": {vendor}")?;
        } else if let Some(d) = &self.detail {
            write!(f, ": {}", clip(d, MAX_DETAIL_CHARS))?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {})", clip(id, MAX_DETAIL_CHARS))?;
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

/// The error for a 2xx answer that cannot be used (unreadable, too large, or without what it
/// must carry). After a change that is never sent twice (a create, a roll) the change did
/// happen but its answer is lost, so the outcome is unknown to the user; otherwise the answer
/// is simply not what was expected.
pub fn unusable_answer(req: &super::Request, detail: String) -> ApiError {
    let kind = if req.idempotent {
        ApiErrorKind::Decode
    } else {
        ApiErrorKind::OutcomeUnknown
    };
    ApiError::transport(kind, req.what.clone(), detail)
}

/// The error for a 2xx answer whose body cannot be read. The JSON decoder quotes the values it
/// did not expect (`invalid type: integer `123…`, expected a string`); in an answer that carries
/// a newly issued secret, such a value may be the secret, so none is kept.
pub fn unreadable(resp: &super::Response, req: &super::Request, why: &str) -> ApiError {
    let why = if req.secret_response {
        without_values(why)
    } else {
        why.to_owned()
    };
    let mut err = unusable_answer(
        req,
        format!("the response is not the expected JSON ({why})"),
    );
    err.status = Some(resp.status);
    resp.redactor.error(err)
}

/// A decoder message with every quoted value (`"…"` with its escapes, or `` `…` ``) replaced
/// by `…`; field names (`missing field `token``) are kept.
fn without_values(why: &str) -> String {
    let mut out = String::with_capacity(why.len());
    let mut chars = why.chars();
    while let Some(c) = chars.next() {
        let close = match c {
            '"' => '"',
            '`' => '`',
            _ => {
                out.push(c);
                continue;
            }
        };
        let field = out.ends_with("field ");
        out.push(c);
        let mut escaped = false;
        for d in chars.by_ref() {
            if field {
                out.push(d);
            }
            if escaped {
                escaped = false;
            } else if d == '\\' && close == '"' {
                escaped = true;
            } else if d == close {
                break;
            }
        }
        if !field {
            out.push('…');
            out.push(close);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoder_values_are_dropped() {
        assert_eq!(
            without_values(r#"invalid type: string "s3cr\"et", expected u64 at line 1 column 9"#),
            r#"invalid type: string "…", expected u64 at line 1 column 9"#
        );
        assert_eq!(
            without_values("invalid type: integer `1234`, expected a string"),
            "invalid type: integer `…`, expected a string"
        );
        assert_eq!(
            without_values("missing field `token` at line 1"),
            "missing field `token` at line 1"
        );
        assert_eq!(without_values("unterminated \"abc"), "unterminated \"…\"");
    }

    fn shown(messages: Vec<String>, codes: Vec<String>) -> String {
        VendorError { codes, messages }.shown().unwrap_or_default()
    }

    #[test]
    fn vendor_text_is_capped_per_message_and_counted_past_the_limit() {
        let messages: Vec<String> = (0..8)
            .map(|i| format!("m{i} {}", "x".repeat(500)))
            .collect();
        let codes = (0..8).map(|i| format!("{i}{}", "c".repeat(100))).collect();
        let s = shown(messages, codes);
        assert!(s.ends_with(" (3 more)"), "{s}");
        assert!(s.contains("m4 ") && !s.contains("m5 "), "{s}");
        assert!(s.chars().count() <= MAX_VENDOR_TEXT_CHARS + " (3 more)".len());
        let first = s.split("; ").next().unwrap_or_default();
        assert!(
            first.chars().count() <= MAX_MESSAGE_CHARS + MAX_CODE_CHARS + 3,
            "{first}"
        );
    }

    #[test]
    fn vendor_text_is_one_line() {
        let s = shown(vec!["a\nb\u{1b}[2J".into()], vec!["c\r".into()]);
        assert_eq!(s, "a\\nb\\e[2J [c]");
    }
}
