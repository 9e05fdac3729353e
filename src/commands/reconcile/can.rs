//! What reconcile can do to each kind of token, and why not where it cannot (VENDORS.md).

use jiff::SignedDuration;

use super::plan::Action;
use crate::config::Vendor;

/// One kind's abilities.
pub struct Can {
    /// For `unused`: the state that stops the token without deleting it.
    pub quiet: Result<Action, &'static str>,
    /// For `excess-ttl` / `never-expires`: whether an expiry can be set on the token.
    pub expiry: Result<(), &'static str>,
    /// How long a rotation keeps the old token working.
    pub grace: SignedDuration,
    /// Whether `rotate` takes `--grace` (Mailtrap's grace is its own).
    pub grace_flag: bool,
}

/// Mailtrap keeps a reset token for 12 hours, which no client can change.
const MAILTRAP_GRACE: SignedDuration = SignedDuration::from_hours(12);

/// The abilities of a vendor's tokens (both Cloudflare nouns alike). Every rotation keeps the old token for the noun's
/// default grace; Access service tokens, whose rotate has no default grace (the old secret
/// dies at once), get the account tokens' one hour, since reconcile never cuts a secret off.
pub fn of(vendor: Vendor) -> Can {
    match vendor {
        // Account tokens (`expires_on`, status `disabled`) and Access service tokens (a new
        // `duration` restarts the expiry clock, `enabled: false`) alike.
        Vendor::Cloudflare => Can {
            quiet: Ok(Action::Disable),
            expiry: Ok(()),
            grace: crate::commands::tokens::DEFAULT_GRACE,
            grace_flag: true,
        },
        Vendor::Mailtrap => Can {
            quiet: Err("Mailtrap tokens have no disabled or suspended state"),
            expiry: Err("Mailtrap cannot change a token's expiry (a reset keeps it)"),
            grace: MAILTRAP_GRACE,
            grace_flag: false,
        },
        Vendor::Prefactor => Can {
            quiet: Ok(Action::Suspend),
            expiry: Err("Prefactor cannot change a token's expiry (a rotation copies it)"),
            grace: crate::commands::api_tokens::DEFAULT_GRACE,
            grace_flag: true,
        },
        Vendor::Mosquitto => Can {
            quiet: Err("Mosquitto project tokens have no disabled state"),
            expiry: Err(
                "Mosquitto has no update endpoint: a token's validity is set when it is created",
            ),
            grace: crate::commands::project_tokens::DEFAULT_GRACE,
            grace_flag: true,
        },
    }
}
