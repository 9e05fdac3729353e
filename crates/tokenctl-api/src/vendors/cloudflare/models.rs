//! Serde models of Cloudflare's account-owned API tokens. Unknown fields are kept (`extra`), so
//! `-o json` shows the API's objects as they came.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::secret::Secret;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PermissionGroupRef {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Policy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "crate::vendors::null_default")]
    pub effect: String,
    #[serde(default, deserialize_with = "crate::vendors::null_default")]
    pub permission_groups: Vec<PermissionGroupRef>,
    #[serde(default, deserialize_with = "crate::vendors::null_default")]
    pub resources: Map<String, Value>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct IpCondition {
    #[serde(rename = "in", default, skip_serializing_if = "Option::is_none")]
    pub allow: Option<Vec<String>>,
    #[serde(rename = "not_in", default, skip_serializing_if = "Option::is_none")]
    pub deny: Option<Vec<String>>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Condition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_ip: Option<IpCondition>,
}

/// `token_base`: a token as list, get and update return it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Token {
    pub id: String,
    #[serde(default, deserialize_with = "crate::vendors::null_default")]
    pub name: String,
    #[serde(default, deserialize_with = "crate::vendors::null_default")]
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<String>,
    #[serde(default, deserialize_with = "crate::vendors::null_default")]
    pub policies: Vec<Policy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The create response: a token plus its secret `value`, returned only this once.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TokenCreated {
    #[serde(flatten)]
    pub token: Token,
    pub value: Secret,
}

/// The body of create (POST) and update (PUT).
#[derive(Clone, Debug, Serialize)]
pub struct TokenBody {
    pub name: String,
    pub policies: Vec<Policy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_before: Option<String>,
}

impl TokenBody {
    /// The PUT body that keeps every field of `t` as it is.
    pub fn from_token(t: &Token) -> Self {
        TokenBody {
            name: t.name.clone(),
            policies: t.policies.clone(),
            status: Some(
                if t.status == "disabled" {
                    "disabled"
                } else {
                    "active"
                }
                .into(),
            ),
            condition: t.condition.clone(),
            expires_on: t.expires_on.clone(),
            not_before: t.not_before.clone(),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PermissionGroup {
    pub id: String,
    #[serde(default, deserialize_with = "crate::vendors::null_default")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, deserialize_with = "crate::vendors::null_default")]
    pub scopes: Vec<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The verify result: the token that authenticated the request.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Verified {
    pub id: String,
    #[serde(default, deserialize_with = "crate::vendors::null_default")]
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Token {
    pub fn permission_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for p in &self.policies {
            for g in &p.permission_groups {
                let n = g.name.clone().unwrap_or_else(|| g.id.clone());
                let n = if p.effect == "deny" {
                    format!("deny {n}")
                } else {
                    n
                };
                if !names.contains(&n) {
                    names.push(n);
                }
            }
        }
        names
    }

    pub fn resource_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        fn walk(map: &Map<String, Value>, keys: &mut Vec<String>) {
            for (k, v) in map {
                match v {
                    Value::Object(inner) => {
                        for (ik, _) in inner {
                            let s = format!("{k} > {ik}");
                            if !keys.contains(&s) {
                                keys.push(s);
                            }
                        }
                        if inner.is_empty() && !keys.contains(k) {
                            keys.push(k.clone());
                        }
                    }
                    _ => {
                        if !keys.contains(k) {
                            keys.push(k.clone());
                        }
                    }
                }
            }
        }
        for p in &self.policies {
            walk(&p.resources, &mut keys);
        }
        keys
    }

    pub fn ip_summary(&self) -> Vec<String> {
        let mut v = Vec::new();
        if let Some(ip) = self.condition.as_ref().and_then(|c| c.request_ip.as_ref()) {
            v.extend(ip.allow.iter().flatten().map(|c| format!("allow {c}")));
            v.extend(ip.deny.iter().flatten().map(|c| format!("deny {c}")));
        }
        v
    }
}

/// An Access service token as list, get, update, refresh and delete return it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ServiceToken {
    pub id: String,
    #[serde(default, deserialize_with = "crate::vendors::null_default")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Create and rotate: the token plus its `client_secret`, returned only then.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ServiceTokenIssued {
    #[serde(flatten)]
    pub token: ServiceToken,
    pub client_secret: Secret,
}

/// The body of create (POST) and update (PUT); every field is optional on update.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ServiceTokenBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret_version: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_client_secret_expires_at: Option<String>,
}

#[cfg(test)]
mod null_tests;
