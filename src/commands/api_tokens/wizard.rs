//! `api-tokens create` on a terminal. Mailtrap: the name, then resources picked by type, ID
//! and level. Prefactor: the scope, then what that scope needs, and the expiry.

use jiff::Timestamp;
use serde_json::Value;

use super::create::{RESOURCE_TYPES, parse_prefactor_id, parse_resource};
use crate::prompt::{self, future_when, non_empty};
use tokenctl_api::vendors::mailtrap::Resource;
use tokenctl_api::vendors::prefactor::CreateDetails;

/// Mailtrap: the name when missing; resources, one at a time, when none was given.
pub fn ask_mailtrap(
    name: &mut Option<String>,
    resources: &mut Vec<Resource>,
) -> anyhow::Result<()> {
    if name.as_deref().is_none_or(|n| n.trim().is_empty()) {
        *name = Some(prompt::text("Token name", "", non_empty)?);
    }
    while resources.is_empty() || prompt::yes_no("Add another resource?", false)? {
        // The schema's four types; the older names stay flags only.
        let kind = RESOURCE_TYPES[prompt::select("Resource type", &RESOURCE_TYPES[..4])?];
        let id: u64 = prompt::text("Resource ID", "a positive number", |s: &str| {
            match s.trim().parse::<u64>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(format!("'{}' is not a positive number", s.trim())),
            }
        })?;
        let level = ["viewer", "admin"][prompt::select("Access level", &["viewer", "admin"])?];
        resources.push(
            parse_resource(&format!("{kind}:{id}:{level}"))
                .map_err(crate::error::CliError::usage)?,
        );
    }
    Ok(())
}

/// What a Prefactor create gave, filled in by [`ask_prefactor`].
pub struct Prefactor<'a> {
    pub scope: &'a mut Option<String>,
    pub account: &'a mut Option<String>,
    pub environment: &'a mut Option<String>,
    pub agent: &'a mut Option<String>,
    pub expires: &'a mut Option<Timestamp>,
}

/// Prefactor: the scope, then the IDs it needs, and the expiry.
pub fn ask_prefactor(p: Prefactor) -> anyhow::Result<()> {
    const SCOPES: [&str; 3] = ["account", "agent_deployment", "environment"];
    let scope = match p.scope {
        Some(s) => s.clone(),
        None => {
            let picked = prompt::select(
                "Scope",
                &[
                    "account",
                    "agent_deployment (one agent in one environment)",
                    "environment (legacy)",
                ],
            )?;
            *p.scope = Some(SCOPES[picked].to_owned());
            SCOPES[picked].to_owned()
        }
    };
    let id = "32 lowercase letters and digits";
    if scope == "account" && p.account.is_none() {
        *p.account = prompt::optional(
            "Account ID",
            "empty for the profile's account",
            parse_prefactor_id,
        )?;
    }
    if scope != "account" && p.environment.is_none() {
        *p.environment = Some(prompt::text("Environment ID", id, parse_prefactor_id)?);
    }
    if scope == "agent_deployment" && p.agent.is_none() {
        *p.agent = Some(prompt::text("Agent ID", id, parse_prefactor_id)?);
    }
    if p.expires.is_none() {
        *p.expires = prompt::optional(
            "Expires",
            "e.g. 90d or 2027-01-31; empty for never",
            future_when,
        )?;
    }
    Ok(())
}

/// The summary rows of a Mailtrap create.
pub fn mailtrap_rows(name: &str, resources: &[Resource]) -> Vec<(&'static str, Vec<String>)> {
    let level = |l: u32| if l >= 100 { "admin" } else { "viewer" };
    let shown = resources
        .iter()
        .map(|r| {
            let id = match &r.resource_id {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            format!("{} {id} ({})", r.resource_type, level(r.access_level))
        })
        .collect();
    vec![("name", vec![name.to_owned()]), ("resources", shown)]
}

/// The summary rows of a Prefactor create.
pub fn prefactor_rows(d: &CreateDetails) -> Vec<(&'static str, Vec<String>)> {
    let or = |v: &Option<String>, none: &str| vec![v.clone().unwrap_or_else(|| none.to_owned())];
    let mut rows = vec![
        ("scope", vec![d.token_scope.clone()]),
        ("account", or(&d.account_id, "the profile's")),
    ];
    if d.environment_id.is_some() {
        rows.push(("environment", or(&d.environment_id, "")));
    }
    if d.agent_id.is_some() {
        rows.push(("agent", or(&d.agent_id, "")));
    }
    rows.push(("expires", or(&d.expires_at, "never")));
    rows
}
