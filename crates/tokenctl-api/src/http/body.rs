//! Reading an answer within bounds, and the errors for answers that are refused: a body past
//! its cap, a redirect.

use reqwest::header::{HeaderMap, LOCATION};

use super::client::Request;
use super::error::{ApiError, ApiErrorKind, unusable_answer};
use super::limits::{MAX_BODY_BYTES, MAX_LOCATION_CHARS, clip};
use super::redact::Redactor;

/// A body read up to a cap.
pub struct Capped {
    pub bytes: Vec<u8>,
    /// The body went on past the cap; `bytes` holds its first `cap` bytes.
    pub overflow: bool,
}

/// Reads the body chunk by chunk (decompressed, as reqwest hands it over) and stops once it
/// passes `cap`, so neither a huge body nor a gzip bomb is ever held whole.
pub async fn read_capped(resp: &mut reqwest::Response, cap: usize) -> reqwest::Result<Capped> {
    let expected = resp
        .content_length()
        .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX).min(cap));
    let mut bytes = Vec::with_capacity(expected);
    while let Some(chunk) = resp.chunk().await? {
        let room = cap - bytes.len();
        if chunk.len() > room {
            bytes.extend_from_slice(&chunk[..room]);
            return Ok(Capped {
                bytes,
                overflow: true,
            });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Capped {
        bytes,
        overflow: false,
    })
}

/// A 2xx answer whose body passed [`MAX_BODY_BYTES`]. After a change that must not be repeated
/// the change did happen but its answer is unusable, so the outcome is unknown to the user.
pub fn too_large(req: &Request, status: u16) -> ApiError {
    let mut err = unusable_answer(
        req,
        format!(
            "the response body is larger than {} MiB, the most that is read; reading stopped",
            MAX_BODY_BYTES / (1024 * 1024)
        ),
    );
    err.status = Some(status);
    err
}

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
