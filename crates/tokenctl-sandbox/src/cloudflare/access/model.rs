//! Stored shape of Access service tokens and their wire representation
//! (`access_service-tokens` in Cloudflare's schema).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::duration::{DEFAULT_DURATION, Lifetime};
use crate::cloudflare::ids::new_service_secret;
use crate::cloudflare::model::SecretValue;

/// A service token as the sandbox stores it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredServiceToken {
    /// A hyphenated UUID.
    pub id: String,
    pub name: String,
    /// `<32 hex>.access`; never changes, not even on rotation.
    pub client_id: String,
    /// As the client sent it (always valid), e.g. `8760h` or `forever`.
    pub duration: String,
    pub enabled: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// `None` for `forever`.
    pub expires_at: Option<Timestamp>,
    pub last_seen_at: Option<Timestamp>,
    pub client_secret: SecretValue,
    pub client_secret_version: u64,
    /// The secret before the last rotation, accepted until
    /// `previous_client_secret_expires_at`.
    pub previous_client_secret: Option<SecretValue>,
    /// As last set by create, update or rotate (create and update may set
    /// it with no previous secret; it then governs nothing).
    pub previous_client_secret_expires_at: Option<Timestamp>,
}

impl StoredServiceToken {
    /// The token's lifetime; a stored duration is always valid, but fall
    /// back to the default rather than fail.
    pub fn lifetime(&self) -> Lifetime {
        Lifetime::parse(&self.duration)
            .or_else(|_| Lifetime::parse(DEFAULT_DURATION))
            .unwrap_or(Lifetime::Forever)
    }

    pub fn expired(&self, now: Timestamp) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }

    /// Replaces the client secret with a fresh one and sets the version;
    /// the old secret stays valid until `grace_until` (at once if that is
    /// not in the future).
    pub fn rotate(&mut self, version: u64, grace_until: Timestamp) {
        let fresh = SecretValue::new(new_service_secret());
        let old = std::mem::replace(&mut self.client_secret, fresh);
        self.previous_client_secret = Some(old);
        self.previous_client_secret_expires_at = Some(grace_until);
        self.client_secret_version = version;
    }

    /// Whether a client presenting `secret` with this token's Client ID is
    /// let in now; the error says why not.
    pub fn admits(&self, secret: &str, now: Timestamp) -> Result<(), String> {
        if !self.enabled {
            return Err("the service token is disabled".to_owned());
        }
        if let Some(at) = self.expires_at
            && at <= now
        {
            return Err(format!("the service token expired at {at}"));
        }
        let current = self.client_secret.matches(secret);
        let previous = self
            .previous_client_secret
            .as_ref()
            .is_some_and(|p| p.matches(secret));
        if current {
            return Ok(());
        }
        if previous {
            return match self.previous_client_secret_expires_at {
                Some(until) if until > now => Ok(()),
                Some(until) => Err(format!(
                    "the previous client secret stopped being accepted at {until}"
                )),
                None => Err("the previous client secret is no longer accepted".to_owned()),
            };
        }
        Err("the client secret does not match".to_owned())
    }

    /// The API object, plus `client_secret` when `reveal` is set (create and
    /// rotate only).
    pub fn to_wire(&self, reveal: bool) -> WireServiceToken<'_> {
        WireServiceToken {
            id: &self.id,
            name: &self.name,
            client_id: &self.client_id,
            duration: &self.duration,
            enabled: self.enabled,
            expires_at: self.expires_at,
            last_seen_at: self.last_seen_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
            client_secret_version: self.client_secret_version,
            previous_client_secret_expires_at: self.previous_client_secret_expires_at,
            client_secret: reveal.then(|| self.client_secret.expose()),
        }
    }
}

/// Wire form of a service token. Timestamps that are not set are left out
/// (the schema declares none of them nullable): `expires_at` for `forever`
/// tokens, `last_seen_at` for tokens never used. `client_secret_version` and
/// `previous_client_secret_expires_at` are not in the schema's object but
/// are what the request bodies set; clients must treat them as optional.
#[derive(Debug, Serialize)]
pub struct WireServiceToken<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub client_id: &'a str,
    pub duration: &'a str,
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub client_secret_version: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_client_secret_expires_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<&'a str>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use jiff::SignedDuration;

    fn token(now: Timestamp) -> StoredServiceToken {
        StoredServiceToken {
            id: "f174e90a-fafe-4643-bbbc-4a0ed4fc8415".into(),
            name: "t".into(),
            client_id: "0123456789abcdef0123456789abcdef.access".into(),
            duration: "8760h".into(),
            enabled: true,
            created_at: now,
            updated_at: now,
            expires_at: Lifetime::parse("8760h").unwrap().expiry(now),
            last_seen_at: None,
            client_secret: SecretValue::new("one".into()),
            client_secret_version: 1,
            previous_client_secret: None,
            previous_client_secret_expires_at: None,
        }
    }

    #[test]
    fn secrets_and_grace() {
        let now = Timestamp::now();
        let hour = SignedDuration::from_hours(1);
        let mut t = token(now);
        assert!(t.admits("one", now).is_ok());
        assert!(t.admits("two", now).is_err());
        t.rotate(2, now + hour);
        let new = t.client_secret.expose().to_owned();
        assert!(new.starts_with("cfast_"));
        assert!(t.admits(&new, now).is_ok());
        assert!(t.admits("one", now).is_ok(), "within the grace period");
        assert!(t.admits("one", now + hour).is_err(), "grace is over");
        t.enabled = false;
        assert!(t.admits(&new, now).unwrap_err().contains("disabled"));
        assert!(t.admits("one", now).is_err());
        t.enabled = true;
        t.expires_at = Some(now);
        assert!(t.admits(&new, now).unwrap_err().contains("expired"));
        let wire = serde_json::to_value(t.to_wire(false)).unwrap();
        assert!(wire.get("client_secret").is_none());
        assert!(wire.get("last_seen_at").is_none());
        assert_eq!(wire["client_secret_version"], 2);
        t.expires_at = None;
        let wire = serde_json::to_value(t.to_wire(true)).unwrap();
        assert!(wire.get("expires_at").is_none());
        assert_eq!(wire["client_secret"], new);
    }
}
