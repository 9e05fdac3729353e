//! Removes the credential in use from anything a server sent back: a vendor error that echoes
//! the token ("invalid token abc…"), a header, a redirect target, a traced body.

use super::client::Auth;
use super::error::ApiError;
use crate::secret::Secret;

/// What replaces the credential.
pub const REDACTED: &str = "[REDACTED]";

/// Credentials shorter than this are not searched for: replacing every "x" of a message would
/// garble it, and so short a value is no secret worth hiding.
const MIN_SECRET_CHARS: usize = 4;

/// The credential of one request, ready to be cut out of text.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    secret: Option<Secret>,
}

impl Redactor {
    /// The secret of `auth`: the bearer token, the `Api-Token`, or the Global API Key (the
    /// account email that goes with it is not a secret).
    pub fn for_auth(auth: &Auth) -> Self {
        let secret = match auth {
            Auth::Bearer(s) | Auth::Header(_, s) => s,
            Auth::GlobalKey { key, .. } => key,
        };
        let secret = (secret.expose().chars().count() >= MIN_SECRET_CHARS).then(|| secret.clone());
        Redactor { secret }
    }

    /// `text` with every occurrence of the credential replaced by [`REDACTED`].
    pub fn text(&self, text: &str) -> String {
        match &self.secret {
            Some(s) if text.contains(s.expose()) => text.replace(s.expose(), REDACTED),
            _ => text.to_owned(),
        }
    }

    fn in_place(&self, text: &mut String) {
        if let Some(s) = &self.secret
            && text.contains(s.expose())
        {
            *text = text.replace(s.expose(), REDACTED);
        }
    }

    /// The error with the credential removed from every text the server could have sent.
    pub fn error(&self, mut e: ApiError) -> ApiError {
        if self.secret.is_none() {
            return e;
        }
        let texts = e
            .vendor
            .messages
            .iter_mut()
            .chain(e.vendor.codes.iter_mut())
            .chain(e.detail.iter_mut())
            .chain(e.request_id.iter_mut())
            .chain(e.hint.iter_mut())
            .chain(std::iter::once(&mut e.what));
        for t in texts {
            self.in_place(t);
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{ApiErrorKind, VendorError};

    #[test]
    fn replaces_every_occurrence_in_every_field() {
        let r = Redactor::for_auth(&Auth::Bearer(Secret::new("tok-123456")));
        let mut e = ApiError::from_status(
            401,
            VendorError {
                codes: vec!["tok-123456".into()],
                messages: vec!["bad token tok-123456 (tok-123456)".into()],
            },
            "GET /x".into(),
        );
        e.request_id = Some("id-tok-123456".into());
        let e = r.error(e);
        let shown = format!("{e} {:?}", e.request_id);
        assert!(!shown.contains("tok-123456"), "{shown}");
        assert_eq!(e.vendor.messages[0], "bad token [REDACTED] ([REDACTED])");
    }

    #[test]
    fn global_key_redacts_the_key_not_the_email() {
        let r = Redactor::for_auth(&Auth::GlobalKey {
            email: "me@example.com".into(),
            key: Secret::new("k".repeat(37)),
        });
        let e = ApiError::transport(
            ApiErrorKind::Network,
            "GET /x".into(),
            format!("me@example.com {}", "k".repeat(37)),
        );
        assert_eq!(
            r.error(e).detail.as_deref(),
            Some("me@example.com [REDACTED]")
        );
    }

    #[test]
    fn a_very_short_credential_is_left_alone() {
        let r = Redactor::for_auth(&Auth::Header("api-token", Secret::new("x")));
        assert_eq!(r.text("fix the syntax"), "fix the syntax");
    }
}
