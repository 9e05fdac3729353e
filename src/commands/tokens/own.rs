//! Rolling a token while learning whether it is the one the profile authenticates with.

use tokenctl_api::http::ApiError;
use tokenctl_api::secret::Secret;
use tokenctl_api::vendors::cloudflare::Cloudflare;

/// Whether a rolled token was the profile's own credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Own {
    Yes,
    No,
    /// Verify did not name a token (it failed, or lost the race to the roll): nobody can tell.
    Unknown,
}

/// When to ask the API which token the profile authenticates with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// A Global API Key is never a rolled token: nothing to verify.
    Never,
    /// Before the roll. For a stored credential (keyring, file), which must follow the roll:
    /// only a verify that names the token before it changes is proof enough to overwrite it.
    Before,
    /// Beside the roll, so the roll costs one round trip, not two. For a credential tokenctl
    /// does not store (an environment variable), where the answer only decides a warning.
    Beside,
}

/// Rolls token `id`, verifying the profile's own credential as `check` says. Only a verify
/// answer naming `id` counts as "own"; a refused verify (the roll may have won the race, or
/// the endpoint may not accept this kind of token) proves nothing and is `Unknown`.
pub async fn roll(cf: &Cloudflare, id: &str, check: Check) -> Result<(Secret, Own), ApiError> {
    let named = |v: Result<tokenctl_api::vendors::cloudflare::Verified, ApiError>| match v {
        Ok(v) if v.id == id => Own::Yes,
        Ok(_) => Own::No,
        Err(_) => Own::Unknown,
    };
    match check {
        Check::Never => Ok((cf.roll_token(id).await?, Own::No)),
        Check::Before => {
            let own = named(cf.verify_token().await);
            Ok((cf.roll_token(id).await?, own))
        }
        Check::Beside => {
            let (verified, rolled) = tokio::join!(cf.verify_token(), cf.roll_token(id));
            Ok((rolled?, named(verified)))
        }
    }
}
