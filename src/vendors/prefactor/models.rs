//! Serde models of Prefactor API tokens.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::secret::Secret;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PrefactorToken {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inserted_at: Option<String>,
    /// As the API sends it (an object of booleans); read through [`PrefactorToken::allowed`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_actions: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl PrefactorToken {
    /// The actions the token's state allows now: from `{"suspend": true, ...}`, or from a list
    /// of names.
    pub fn allowed(&self) -> Option<Vec<String>> {
        match self.available_actions.as_ref()? {
            Value::Object(m) => Some(
                m.iter()
                    .filter(|(_, v)| v.as_bool() == Some(true))
                    .map(|(k, _)| k.clone())
                    .collect(),
            ),
            Value::Array(a) => Some(
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            ),
            _ => None,
        }
    }
}

/// Create: `{status, details, token}`; the JWT only comes here.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PrefactorTokenIssued {
    pub details: PrefactorToken,
    pub token: Secret,
}
