//! Which profiles an audit covers.

use crate::config::{Profile, Vendor};
use crate::context::{Context, Origin, sandbox_profile_name};
use crate::error::CliError;

const VENDORS: [Vendor; 4] = Vendor::ALL;

pub type Target = (String, Profile, Origin);

/// The profiles to audit, in order:
///
/// - `--profiles` when given (it overrides `-p` and `TOKENCTL_PROFILE`), else `-p NAME` or
///   `TOKENCTL_PROFILE`: exactly those; an unknown name fails before anything is sent;
/// - else with `--sandbox`: the four `sandbox-<vendor>` profiles;
/// - else every profile in config.toml (in `profile list` order), then, for each vendor that has
///   no profile but whose own variable holds a credential (its `token_var`), that
///   environment as the profile `(environment)`.
pub fn select(ctx: &Context, named: &[String]) -> anyhow::Result<Vec<Target>> {
    let config = ctx.config()?;
    let names: Vec<String> = if !named.is_empty() {
        let mut unique: Vec<String> = Vec::new();
        for n in named {
            if !unique.contains(n) {
                unique.push(n.clone());
            }
        }
        unique
    } else {
        ctx.globals.profile.iter().cloned().collect()
    };
    if !names.is_empty() {
        let mut targets = Vec::new();
        let mut unknown = Vec::new();
        for name in names {
            let sandboxed = VENDORS
                .into_iter()
                .find(|v| ctx.sandbox_mode() && name == sandbox_profile_name(*v));
            if let Some(v) = sandboxed {
                targets.push((name, Profile::new(v), Origin::Sandbox));
            } else if let Some(p) = config.profiles.get(&name) {
                let p = p.clone();
                targets.push((name, p, Origin::Configured));
            } else {
                unknown.push(name);
            }
        }
        if !unknown.is_empty() {
            let list: Vec<String> = unknown.iter().map(|n| format!("'{n}'")).collect();
            return Err(
                CliError::not_configured(format!("no profile named {}", list.join(", ")))
                    .with_hint(if ctx.sandbox_mode() {
                        format!(
                            "see `tokenctl profile list`; the sandbox's are {}",
                            crate::vendor::help::sandbox_profiles()
                        )
                    } else {
                        "see `tokenctl profile list`".to_owned()
                    })
                    .into(),
            );
        }
        return Ok(targets);
    }
    if ctx.sandbox_mode() {
        return Ok(VENDORS
            .into_iter()
            .map(|v| (sandbox_profile_name(v), Profile::new(v), Origin::Sandbox))
            .collect());
    }
    let mut targets: Vec<Target> = config
        .profiles
        .iter()
        .map(|(n, p)| (n.clone(), p.clone(), Origin::Configured))
        .collect();
    for v in VENDORS {
        let configured = config.profiles.values().any(|p| p.vendor == v);
        let in_env = ctx.env.non_empty(v.token_var()).is_some()
            || v.facts()
                .key_vars()
                .is_some_and(|(key, _)| ctx.env.non_empty(key).is_some());
        if !configured && in_env {
            targets.push(("(environment)".into(), Profile::new(v), Origin::EnvOnly));
        }
    }
    if targets.is_empty() {
        return Err(CliError::not_configured(
            "no profiles to audit, and no credential in the environment",
        )
        .with_hint(format!(
            "add one with `tokenctl auth login`, set {}, or try `tokenctl --sandbox audit`",
            Vendor::DEFAULT.token_var()
        ))
        .into());
    }
    Ok(targets)
}
