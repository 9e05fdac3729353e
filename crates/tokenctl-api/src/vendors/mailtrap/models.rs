//! Serde models of Mailtrap API tokens. Unknown fields are kept for `-o json`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::secret::Secret;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Resource {
    #[serde(default, deserialize_with = "crate::vendors::null_default")]
    pub resource_type: String,
    #[serde(default)]
    pub resource_id: Value,
    /// 10 viewer, 100 admin; 0 when the answer gives none.
    #[serde(default, deserialize_with = "crate::vendors::null_default")]
    pub access_level: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MailtrapToken {
    pub id: u64,
    #[serde(default, deserialize_with = "crate::vendors::null_default")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_4_digits: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default)]
    pub expires_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<Resource>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Create and reset: the token plus its full value, returned only then.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MailtrapTokenIssued {
    #[serde(flatten)]
    pub details: MailtrapToken,
    #[serde(rename = "token")]
    pub value: Secret,
}

#[cfg(test)]
mod null_tests;
