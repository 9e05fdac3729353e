//! Rolling a token while learning whether it is the one the profile authenticates with.

use crate::http::{ApiError, ApiErrorKind};
use crate::secret::Secret;
use crate::vendors::cloudflare::Cloudflare;

/// Whether a rolled token was the profile's own credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Own {
    Yes,
    No,
    /// The verify request failed for another reason (network, server): nobody can tell.
    Unknown,
}

/// Rolls token `id`. With a token credential (`by_token`), a verify request goes out beside
/// the roll rather than before it, so the roll costs one round trip, not two:
/// - verify answered first: it names the token we authenticate with;
/// - the roll won the race: verify is refused as unauthenticated (401), and since the roll
///   itself was accepted with that same credential, only the roll can have invalidated it.
///   A 403 proves nothing (the credential still authenticates), so it counts as unknown.
///
/// A Global API Key is never a rolled token, so nothing is verified then.
pub async fn roll(cf: &Cloudflare, id: &str, by_token: bool) -> Result<(Secret, Own), ApiError> {
    if !by_token {
        return Ok((cf.roll_token(id).await?, Own::No));
    }
    let (verified, rolled) = tokio::join!(cf.verify_token(), cf.roll_token(id));
    let value = rolled?;
    let own = match verified {
        Ok(v) if v.id == id => Own::Yes,
        Ok(_) => Own::No,
        Err(e) if e.kind == ApiErrorKind::Unauthorized => Own::Yes,
        Err(_) => Own::Unknown,
    };
    Ok((value, own))
}
