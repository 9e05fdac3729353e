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
    /// `agent_deployment` tokens: the agent and its deployment in the environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_deployment_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inserted_at: Option<String>,
    /// As the API sends it (an object of booleans) on a single token (`get`, the lifecycle
    /// answers); list items do not carry it. Read through [`PrefactorToken::allowed`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_actions: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A lifecycle step, and the status it leaves a token in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Suspend,
    Activate,
    Revoke,
    Delete,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Suspend => "suspend",
            Action::Activate => "activate",
            Action::Revoke => "revoke",
            Action::Delete => "delete",
        }
    }

    /// The status a token has after the step (none after a delete).
    pub fn target(self) -> Option<&'static str> {
        match self {
            Action::Suspend => Some("suspended"),
            Action::Activate => Some("active"),
            Action::Revoke => Some("revoked"),
            Action::Delete => None,
        }
    }

    /// Whether a token in `status` can take the step, by Prefactor's lifecycle: suspend an
    /// active token, activate a suspended one, revoke either, delete a revoked one. `None`
    /// for a status this client does not know.
    pub fn applies_to(self, status: &str) -> Option<bool> {
        let ok = match status {
            "active" => matches!(self, Action::Suspend | Action::Revoke),
            "suspended" => matches!(self, Action::Activate | Action::Revoke),
            "revoked" => matches!(self, Action::Delete),
            _ => return None,
        };
        Some(ok)
    }
}

impl PrefactorToken {
    /// Whether the token can take `action` now: from `available_actions` where the answer
    /// carries them (single-token answers), else from its status by the lifecycle rules;
    /// `None` when neither tells.
    pub fn can_take(&self, action: Action) -> Option<bool> {
        if let Some(allowed) = self.allowed() {
            return Some(allowed.iter().any(|a| a == action.name()));
        }
        action.applies_to(self.status.as_deref()?)
    }

    /// The steps the token can take now, as [`PrefactorToken::can_take`] decides them.
    pub fn steps(&self) -> Option<Vec<String>> {
        self.allowed().or_else(|| {
            let status = self.status.as_deref()?;
            let all = [
                Action::Suspend,
                Action::Activate,
                Action::Revoke,
                Action::Delete,
            ];
            all.iter()
                .map(|a| {
                    a.applies_to(status)
                        .map(|ok| ok.then(|| a.name().to_owned()))
                })
                .collect::<Option<Vec<_>>>()
                .map(|v| v.into_iter().flatten().collect())
        })
    }

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

#[cfg(test)]
mod null_tests;
