//! Validation of a create's `ApiToken_DetailsForCreate`: the scope and the
//! account, environment and agent it names, as Prefactor checks them.

use jiff::Timestamp;
use serde_json::Value;

use super::seed::shift;
use super::{DEFAULT_LIFETIME_DAYS, PfError, PrefactorState, Scope};

pub(super) struct CreateInput {
    pub scope: Scope,
    pub account_id: String,
    pub environment_id: Option<String>,
    pub agent_id: Option<String>,
    pub expires_at: Timestamp,
}

/// Checks `ApiToken_DetailsForCreate`.
pub(super) fn create(
    pf: &PrefactorState,
    caller_account: &str,
    details: &Value,
    now: Timestamp,
) -> Result<CreateInput, PfError> {
    let mut errors = Vec::new();
    let text = |key: &str| -> Result<Option<String>, ()> {
        match details.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
            Some(_) => Err(()),
        }
    };
    let scope = match text("token_scope") {
        Ok(Some(s)) if s == "account" => Some(Scope::Account),
        Ok(Some(s)) if s == "agent_deployment" => Some(Scope::AgentDeployment),
        Ok(Some(s)) if s == "environment" => Some(Scope::Environment),
        Ok(None) => {
            errors.push(("token_scope", "can't be blank".to_owned()));
            None
        }
        _ => {
            errors.push((
                "token_scope",
                "must be 'account', 'agent_deployment' or 'environment'".to_owned(),
            ));
            None
        }
    };
    let account_id = match text("account_id") {
        Ok(None) => Some(caller_account.to_owned()),
        Ok(Some(id)) if pf.account(&id).is_some() => {
            if id != caller_account {
                return Err(PfError::not_permitted(
                    "This token may not create tokens for that account",
                ));
            }
            Some(id)
        }
        Ok(Some(_)) => {
            errors.push(("account_id", "does not exist".to_owned()));
            None
        }
        Err(()) => {
            errors.push(("account_id", "is invalid".to_owned()));
            None
        }
    };
    let environment_id = match (text("environment_id"), scope) {
        (Err(()), _) => {
            errors.push(("environment_id", "is invalid".to_owned()));
            None
        }
        (Ok(None), Some(Scope::Environment)) => {
            errors.push((
                "environment_id",
                "can't be blank for an environment-scoped token".to_owned(),
            ));
            None
        }
        (Ok(None), Some(Scope::AgentDeployment)) => {
            errors.push((
                "environment_id",
                "can't be blank for an agent_deployment-scoped token".to_owned(),
            ));
            None
        }
        (Ok(Some(_)), Some(Scope::Account)) => {
            errors.push((
                "environment_id",
                "must be blank for an account-scoped token".to_owned(),
            ));
            None
        }
        (Ok(Some(env)), _) => {
            let known = account_id
                .as_deref()
                .and_then(|a| pf.account(a))
                .is_some_and(|a| a.environments.contains(&env));
            if !known {
                errors.push(("environment_id", "does not exist in the account".to_owned()));
            }
            Some(env)
        }
        (Ok(None), _) => None,
    };
    let agent_id = match (text("agent_id"), scope) {
        (Err(()), _) => {
            errors.push(("agent_id", "is invalid".to_owned()));
            None
        }
        (Ok(None), Some(Scope::AgentDeployment)) => {
            errors.push((
                "agent_id",
                "can't be blank for an agent_deployment-scoped token".to_owned(),
            ));
            None
        }
        (Ok(Some(_)), Some(Scope::Account | Scope::Environment)) => {
            errors.push((
                "agent_id",
                "must be blank unless the token is agent_deployment-scoped".to_owned(),
            ));
            None
        }
        (Ok(Some(agent)), _) => {
            let known = account_id
                .as_deref()
                .and_then(|a| pf.account(a))
                .is_some_and(|a| a.agents.contains(&agent));
            if !known {
                errors.push(("agent_id", "does not exist in the account".to_owned()));
            }
            Some(agent)
        }
        (Ok(None), _) => None,
    };
    let expires_at = match text("expires_at") {
        Ok(None) => shift(now, DEFAULT_LIFETIME_DAYS * 86_400),
        Ok(Some(raw)) => match raw.parse::<Timestamp>() {
            Ok(at) if at > now => Timestamp::from_second(at.as_second()).unwrap_or(at),
            Ok(_) => {
                errors.push(("expires_at", "must be in the future".to_owned()));
                now
            }
            Err(_) => {
                errors.push(("expires_at", "is not a valid ISO 8601 date-time".to_owned()));
                now
            }
        },
        Err(()) => {
            errors.push(("expires_at", "is invalid".to_owned()));
            now
        }
    };
    match (scope, account_id) {
        (Some(scope), Some(account_id)) if errors.is_empty() => Ok(CreateInput {
            scope,
            account_id,
            environment_id,
            agent_id,
            expires_at,
        }),
        _ => Err(PfError::validation(errors)),
    }
}
