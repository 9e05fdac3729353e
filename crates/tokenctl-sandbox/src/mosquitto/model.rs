//! Stored shape of project tokens and their wire form.
//!
//! Dates are kept exactly as the API shows them: numbers of Unix time, some
//! in seconds and some in milliseconds (the platform does not document
//! which). [`to_millis`] tells them apart by size.

use rand::Rng;
use rand::distr::Alphanumeric;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::cloudflare::SecretValue;

/// A value at or above this is read as milliseconds (it would be the year
/// 5138 in seconds, and is March 1973 in milliseconds).
pub const MILLIS_THRESHOLD: i64 = 100_000_000_000;

/// A Unix time in either unit, in milliseconds.
pub fn to_millis(date: i64) -> i64 {
    if date.abs() >= MILLIS_THRESHOLD {
        date
    } else {
        date.saturating_mul(1000)
    }
}

/// Whether `date` is in milliseconds.
pub fn is_millis(date: i64) -> bool {
    date.abs() >= MILLIS_THRESHOLD
}

/// `role_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Editor,
    Root,
    Viewer,
}

impl Role {
    /// Whether a token with this role may create and delete tokens.
    pub fn manages_tokens(self) -> bool {
        matches!(self, Role::Admin | Role::Root)
    }
}

/// `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenType {
    Restricted,
    Unrestricted,
}

/// A project token as the sandbox stores it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredToken {
    pub id: String,
    pub role_id: Role,
    pub issuer: String,
    pub name: String,
    pub hash: String,
    /// Unix time, seconds or milliseconds, as shown.
    pub issue_date: i64,
    /// Unix time, seconds or milliseconds, as shown.
    pub valid_date: i64,
    /// Unix time, seconds or milliseconds, as shown; never used when absent.
    pub last_used_date: Option<i64>,
    pub brokers: Vec<String>,
    #[serde(rename = "type")]
    pub kind: TokenType,
    pub token: SecretValue,
}

impl StoredToken {
    /// Whether the token is past its `valid_date` at `now_ms`.
    pub fn expired(&self, now_ms: i64) -> bool {
        to_millis(self.valid_date) <= now_ms
    }

    /// Records a use at `now_ms`, in the unit the token already shows its
    /// last use in (or, never used, its issue date in).
    pub fn touch(&mut self, now_ms: i64) {
        let millis = is_millis(self.last_used_date.unwrap_or(self.issue_date));
        self.last_used_date = Some(if millis { now_ms } else { now_ms / 1000 });
    }

    /// The token object of the API; `token` (the secret) only when `reveal`.
    /// `last_used_date` is left out for a token never used.
    pub fn to_wire(&self, project_id: &str, reveal: bool) -> Value {
        let mut wire = json!({
            "id": self.id,
            "project_id": project_id,
            "role_id": self.role_id,
            "issuer": self.issuer,
            "name": self.name,
            "hash": self.hash,
            "issue_date": self.issue_date,
            "valid_date": self.valid_date,
        });
        if let Some(used) = self.last_used_date {
            wire["last_used_date"] = json!(used);
        }
        wire["brokers"] = json!(self.brokers);
        wire["type"] = json!(self.kind);
        if reveal {
            wire["token"] = json!(self.token.expose());
        }
        wire
    }
}

/// A fresh token secret: 48 alphanumerics (the platform's format is not
/// documented).
pub fn new_secret() -> String {
    (&mut rand::rng())
        .sample_iter(&Alphanumeric)
        .take(48)
        .map(char::from)
        .collect()
}

/// A stand-in for the stored hash of a secret: 64 hex digits derived from
/// it (not a real SHA-256).
pub fn hash_of(secret: &str) -> String {
    (0u64..4)
        .map(|round| format!("{:016x}", fnv1a(0xcbf2_9ce4_8422_2325 ^ round, secret)))
        .collect()
}

/// A random version 4 UUID.
pub fn random_uuid() -> String {
    uuid_from(rand::rng().random::<u128>())
}

/// A version 4 UUID derived from `label`, stable across releases.
pub fn stable_uuid(label: &str) -> String {
    let high = fnv1a(0xcbf2_9ce4_8422_2325, label);
    let low = fnv1a(high ^ 0x9e37_79b9_7f4a_7c15, label);
    uuid_from((u128::from(high) << 64) | u128::from(low))
}

fn uuid_from(bits: u128) -> String {
    let bits = (bits & !(0xf << 76) & !(0x3 << 62)) | (0x4 << 76) | (0x2 << 62);
    let hex = format!("{bits:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn fnv1a(mut hash: u64, text: &str) -> u64 {
    for &b in text.as_bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}
