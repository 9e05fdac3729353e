//! The errors for answers that are refused: a redirect.

use reqwest::header::{HeaderMap, LOCATION};

use super::client::Request;
use super::error::{ApiError, ApiErrorKind};
use super::limits::{MAX_LOCATION_CHARS, clip};
use super::redact::Redactor;

/// A 3xx answer. Redirects are never followed: the APIs never send one, and following it would
/// hand the credential headers to whatever the `Location` names.
pub fn redirected(req: &Request, status: u16, headers: &HeaderMap, r: &Redactor) -> ApiError {
    let detail = match location(headers, r) {
        Some(to) => format!("the server redirected to {to}; redirects are refused"),
        None => "the server answered with a redirect; redirects are refused".to_owned(),
    };
    let mut err = ApiError::transport(ApiErrorKind::Network, req.what.clone(), detail);
    err.status = Some(status);
    err.hint = Some(
        "the API never redirects: check the base URL (a proxy or an old address may be answering)"
            .into(),
    );
    err
}

/// A redirect's target as it may be printed: credential removed first, then made one short line.
pub fn location(headers: &HeaderMap, r: &Redactor) -> Option<String> {
    let raw = headers.get(LOCATION)?;
    let text = r.text(&String::from_utf8_lossy(raw.as_bytes()));
    Some(clip(&text, MAX_LOCATION_CHARS)).filter(|s| !s.is_empty())
}
