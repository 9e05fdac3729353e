//! Stored shape of account-owned API tokens and their wire representation
//! (`iam_token_base` in Cloudflare's schema).

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A token secret. Its `Debug` never shows the value, and comparisons do not
/// stop at the first differing byte. The empty (default) secret stands for
/// "none" and matches nothing.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretValue(String);

impl SecretValue {
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The secret itself, for the one response that reveals it and for tests.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Compares with a presented secret in time that depends only on lengths.
    /// The empty secret matches nothing.
    pub fn matches(&self, presented: &str) -> bool {
        if self.0.is_empty() {
            return false;
        }
        let (a, b) = (self.0.as_bytes(), presented.as_bytes());
        let mut diff = a.len() ^ b.len();
        for (i, x) in a.iter().enumerate() {
            let y = b.get(i).copied().unwrap_or(0);
            diff |= usize::from(x ^ y);
        }
        diff == 0
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretValue(<redacted>)")
    }
}

/// An account-owned API token as the sandbox stores it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredToken {
    pub id: String,
    pub name: String,
    /// Set by an update with `status: disabled`; `expired` is never stored
    /// but derived from `expires_on`.
    pub disabled: bool,
    pub issued_on: Timestamp,
    pub modified_on: Timestamp,
    pub last_used_on: Option<Timestamp>,
    pub expires_on: Option<Timestamp>,
    pub not_before: Option<Timestamp>,
    pub policies: Vec<Policy>,
    pub condition: Condition,
    pub value: SecretValue,
}

/// `iam_token_status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenStatus {
    Active,
    Disabled,
    Expired,
}

impl StoredToken {
    /// The status the API reports: disabled wins, then expiry.
    pub fn status(&self, now: Timestamp) -> TokenStatus {
        if self.disabled {
            TokenStatus::Disabled
        } else if self.expires_on.is_some_and(|at| at <= now) {
            TokenStatus::Expired
        } else {
            TokenStatus::Active
        }
    }

    /// Whether a request authenticated with this token may proceed now.
    pub fn usable(&self, now: Timestamp) -> bool {
        self.status(now) == TokenStatus::Active && self.not_before.is_none_or(|at| at <= now)
    }

    /// The `iam_token_base` object, plus `value` when `reveal` is set.
    pub fn to_wire(&self, now: Timestamp, reveal: bool) -> WireToken<'_> {
        WireToken {
            id: &self.id,
            name: &self.name,
            status: self.status(now),
            issued_on: self.issued_on,
            modified_on: self.modified_on,
            last_used_on: self.last_used_on,
            expires_on: self.expires_on,
            not_before: self.not_before,
            policies: &self.policies,
            condition: &self.condition,
            value: reveal.then(|| self.value.expose()),
        }
    }
}

/// Wire form of a token. Timestamps that are not set are left out: the
/// schema declares none of them nullable.
#[derive(Debug, Serialize)]
pub struct WireToken<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub status: TokenStatus,
    pub issued_on: Timestamp,
    pub modified_on: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used_on: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_before: Option<Timestamp>,
    pub policies: &'a [Policy],
    pub condition: &'a Condition,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<&'a str>,
}

/// `iam_policy_with_permission_groups_and_resources`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub id: String,
    pub effect: Effect,
    /// Either `{resource: "*"}` or `{account: {resource: "*"}}`.
    pub resources: Map<String, Value>,
    pub permission_groups: Vec<PermissionGroupRef>,
}

impl Policy {
    /// Whether the policy applies to the account itself (directly or through
    /// the account wildcard).
    pub fn covers_account(&self, account_id: &str) -> bool {
        self.resources
            .contains_key(&format!("com.cloudflare.api.account.{account_id}"))
            || self.resources.contains_key("com.cloudflare.api.account.*")
    }
}

/// `iam_effect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    Allow,
    Deny,
}

/// `iam_permission_group` inside a policy; `name` is filled from the
/// catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermissionGroupRef {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Map<String, Value>>,
    pub name: String,
}

/// `iam_condition`; serialised as `{}` when empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_ip: Option<RequestIp>,
}

/// `iam_request_ip`: CIDRs as the client sent them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestIp {
    #[serde(rename = "in", default, skip_serializing_if = "Option::is_none")]
    pub allow: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_in: Option<Vec<String>>,
}

impl Condition {
    /// Whether a request from `ip` satisfies the condition.
    pub fn admits(&self, ip: IpAddr) -> bool {
        let Some(rule) = &self.request_ip else {
            return true;
        };
        let ip = ip.to_canonical();
        let hit = |list: &Option<Vec<String>>| {
            list.iter()
                .flatten()
                .filter_map(|cidr| parse_cidr(cidr))
                .any(|net| net.contains(&ip))
        };
        let allowed = match &rule.allow {
            Some(list) if !list.is_empty() => hit(&rule.allow),
            _ => true,
        };
        allowed && !hit(&rule.not_in)
    }
}

/// Parses a CIDR; a bare address counts as a single-host network. Host bits
/// may be set, as in the schema's own example (`123.123.123.100/24`).
pub fn parse_cidr(text: &str) -> Option<IpNet> {
    text.parse::<IpNet>()
        .ok()
        .or_else(|| text.parse::<IpAddr>().ok().map(IpNet::from))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn secret_comparison() {
        let secret = SecretValue::new("cfat_abc".into());
        assert!(secret.matches("cfat_abc"));
        assert!(!secret.matches("cfat_abd"));
        assert!(!secret.matches("cfat_ab"));
        assert!(!secret.matches("cfat_abcd"));
        assert!(!format!("{secret:?}").contains("abc"));
        assert!(!SecretValue::default().matches(""));
    }

    #[test]
    fn ip_conditions() {
        let cond = |allow: &[&str], deny: &[&str]| Condition {
            request_ip: Some(RequestIp {
                allow: Some(allow.iter().map(|s| s.to_string()).collect()),
                not_in: Some(deny.iter().map(|s| s.to_string()).collect()),
            }),
        };
        let local: IpAddr = "127.0.0.1".parse().unwrap();
        assert!(Condition::default().admits(local));
        assert!(cond(&["127.0.0.0/8"], &[]).admits(local));
        assert!(!cond(&["10.0.0.0/8"], &[]).admits(local));
        assert!(!cond(&[], &["127.0.0.1"]).admits(local));
        assert!(cond(&[], &["10.0.0.0/8"]).admits(local));
        let mapped: IpAddr = "::ffff:127.0.0.1".parse().unwrap();
        assert!(cond(&["127.0.0.0/8"], &[]).admits(mapped));
    }
}
