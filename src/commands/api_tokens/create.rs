//! `api-tokens create`

use clap::Args;
use jiff::Timestamp;
use serde_json::Value;

use super::ApiTokens;
use crate::commands::hand_over::{self, HandOver, hand_over};
use crate::commands::sinks::SinkArgs;
use crate::context::Context;
use crate::dates::{parse_when, rfc3339};
use crate::error::{CliError, usage};
use tokenctl_api::vendors::mailtrap::Resource;
use tokenctl_api::vendors::prefactor::{self, CreateDetails};

/// Create an API token; its secret is shown once. Vendor: Mailtrap, Prefactor.
///
/// Mailtrap: --name and at least one resource it may use (--resource TYPE:ID:viewer|admin);
/// Mailtrap gives a new token a 365-day expiry.
/// Prefactor: --scope account (optionally --account), agent_deployment (--agent and
/// --environment) or environment (legacy; --environment), and --expires.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Mailtrap, Prefactor.

Examples:
  tokenctl -p mailtrap api-tokens create --name ci-sender --resource project:3229:admin --secret-file ci.token
  tokenctl -p prefactor api-tokens create --scope agent_deployment --agent 013xrzp12g3nqk8nq2w5c8rt1mbv4zha --environment 013xrzp12g3nqk8nzxvq7jm2arsfg5h1 --expires 90d
  tokenctl -p prefactor api-tokens create --scope account --save-as prefactor-ci")]
pub struct CreateArgs {
    /// Mailtrap: the token's name
    #[arg(long)]
    name: Option<String>,

    /// Mailtrap (at least one): TYPE:ID:LEVEL, TYPE one of account, project, inbox,
    /// sending_domain (or the older sandbox, domain), LEVEL viewer or admin; repeatable
    #[arg(long = "resource", value_name = "TYPE:ID:LEVEL", value_parser = parse_resource)]
    resources: Vec<Resource>,

    /// Prefactor: what the token may reach (environment is the legacy scope)
    #[arg(long, value_parser = ["account", "agent_deployment", "environment"])]
    scope: Option<String>,

    /// Prefactor: the account (default: the profile's)
    #[arg(long, value_name = "ID", value_parser = parse_prefactor_id)]
    account: Option<String>,

    /// Prefactor: the environment, for --scope agent_deployment or environment
    #[arg(long, value_name = "ID", value_parser = parse_prefactor_id)]
    environment: Option<String>,

    /// Prefactor: the agent, for --scope agent_deployment
    #[arg(long, value_name = "ID", value_parser = parse_prefactor_id)]
    agent: Option<String>,

    /// Prefactor: expiry (RFC 3339, a date, or a duration from now such as 90d)
    #[arg(long, value_name = "WHEN", value_parser = parse_when)]
    expires: Option<Timestamp>,

    #[command(flatten)]
    sinks: SinkArgs,
}

/// How to name a resource, for a create that names none.
const RESOURCE_HINT: &str = "add --resource TYPE:ID:LEVEL, e.g. --resource project:3229:admin (TYPE account, project, inbox or sending_domain; LEVEL viewer or admin; repeatable)";

/// The resource types a Mailtrap token can be granted on: those of Mailtrap's official schema,
/// then the older names VENDORS.md gives for the last two.
pub(super) const RESOURCE_TYPES: &[&str] = &[
    "account",
    "project",
    "inbox",
    "sending_domain",
    "sandbox",
    "domain",
];

pub(super) fn parse_prefactor_id(s: &str) -> Result<String, String> {
    if prefactor::is_id(s) {
        Ok(s.to_owned())
    } else {
        Err(format!(
            "'{s}' is not a Prefactor ID (32 lowercase letters and digits)"
        ))
    }
}

pub fn parse_resource(s: &str) -> Result<Resource, String> {
    let parts: Vec<&str> = s.split(':').collect();
    let [kind, id, level] = parts.as_slice() else {
        return Err(format!(
            "invalid resource '{s}': use TYPE:ID:LEVEL, e.g. project:3229:admin"
        ));
    };
    // Mailtrap's official schema names inbox and sending_domain; VENDORS.md's sandbox and
    // domain are accepted too and sent as typed.
    if !RESOURCE_TYPES.contains(kind) {
        return Err(format!(
            "invalid resource type '{kind}': use account, project, inbox or sending_domain"
        ));
    }
    let access_level = match *level {
        "viewer" => 10,
        "admin" => 100,
        other => {
            return Err(format!(
                "invalid access level '{other}': use viewer or admin"
            ));
        }
    };
    let resource_id = match id.parse::<u64>() {
        Ok(n) if n > 0 => Value::from(n),
        _ => return Err(format!("invalid resource ID '{id}': a positive number")),
    };
    Ok(Resource {
        resource_type: (*kind).to_owned(),
        resource_id,
        access_level,
    })
}

/// The combinations Prefactor takes: an account token names no environment or agent; an
/// agent_deployment token names both; a (legacy) environment token names its environment only.
fn check_scope(scope: &str, environment: bool, agent: bool) -> anyhow::Result<()> {
    match (scope, environment, agent) {
        ("account", false, false)
        | ("agent_deployment", true, true)
        | ("environment", true, false) => Ok(()),
        ("account", ..) => usage(
            "--scope account takes no --environment or --agent; use --scope agent_deployment for an agent's token",
        ),
        ("agent_deployment", ..) => {
            usage("--scope agent_deployment needs both --agent ID and --environment ID")
        }
        ("environment", _, true) => usage(
            "--scope environment takes no --agent; use --scope agent_deployment for an agent's token",
        ),
        ("environment", ..) => usage("--scope environment needs --environment ID"),
        (other, ..) => usage(format!(
            "unknown --scope '{other}': use account, agent_deployment or environment"
        )),
    }
}

pub async fn run(ctx: &Context, mut args: CreateArgs) -> anyhow::Result<()> {
    if let Some(e) = args.expires
        && e <= Timestamp::now()
    {
        return usage(format!("--expires {} is in the past", rfc3339(e)));
    }
    let (client, resolved) = ctx.api_tokens().await?;
    // --save-as needs the vendor, known once the profile is.
    let sinks = args.sinks.sinks(resolved.profile.vendor)?;
    hand_over::precheck(ctx, &sinks)?;
    match client {
        ApiTokens::Mailtrap(mt) => {
            if args.scope.is_some()
                || args.account.is_some()
                || args.environment.is_some()
                || args.agent.is_some()
                || args.expires.is_some()
            {
                return usage(
                    "--scope, --account, --environment, --agent and --expires are Prefactor flags; a Mailtrap token takes --name and --resource",
                );
            }
            let asked = (args.name.as_deref().is_none_or(|n| n.trim().is_empty())
                || args.resources.is_empty())
                && crate::prompt::available(&ctx.ui);
            if asked {
                super::wizard::ask_mailtrap(&mut args.name, &mut args.resources)?;
            }
            let Some(name) = args
                .name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
            else {
                return usage("--name is required for a Mailtrap token");
            };
            // Mailtrap refuses a token with no permissions (422): say so before sending.
            if args.resources.is_empty() {
                return Err(CliError::usage(
                    "a Mailtrap token needs at least one --resource: Mailtrap refuses a token with no permissions",
                )
                .with_hint(RESOURCE_HINT)
                .into());
            }
            if asked {
                let rows = super::wizard::mailtrap_rows(name, &args.resources);
                crate::prompt::confirm_create(&ctx.ui, "this Mailtrap token", &rows)?;
            }
            let issued = crate::commands::send_change(
                ctx,
                &format!("creating Mailtrap token '{name}'"),
                "tokenctl api-tokens list".to_owned(),
                mt.create(name, &args.resources),
            )
            .await?;
            hand_over(ctx, HandOver::to(&resolved, &sinks), &issued)
        }
        ApiTokens::Prefactor(pf) => {
            if args.name.is_some() || !args.resources.is_empty() {
                return usage(
                    "--name and --resource are Mailtrap flags; a Prefactor token takes --scope, --account, --environment, --agent, --expires",
                );
            }
            // The scope, or the IDs the given scope needs, missing: asked on a terminal.
            let lacking = match args.scope.as_deref() {
                None => true,
                Some("agent_deployment") => args.environment.is_none() || args.agent.is_none(),
                Some("environment") => args.environment.is_none(),
                Some(_) => false,
            };
            let asked = lacking && crate::prompt::available(&ctx.ui);
            if asked {
                super::wizard::ask_prefactor(super::wizard::Prefactor {
                    scope: &mut args.scope,
                    account: &mut args.account,
                    environment: &mut args.environment,
                    agent: &mut args.agent,
                    expires: &mut args.expires,
                })?;
            }
            let Some(scope) = args.scope else {
                return usage(
                    "--scope account|agent_deployment|environment is required for a Prefactor token",
                );
            };
            check_scope(&scope, args.environment.is_some(), args.agent.is_some())?;
            let details = CreateDetails {
                token_scope: scope,
                account_id: args.account.or(resolved.profile.account_id.clone()),
                environment_id: args.environment,
                agent_id: args.agent,
                expires_at: args.expires.map(rfc3339),
            };
            if asked {
                let rows = super::wizard::prefactor_rows(&details);
                crate::prompt::confirm_create(&ctx.ui, "this Prefactor token", &rows)?;
            }
            let issued = crate::commands::send_change(
                ctx,
                &format!("creating a Prefactor {} token", details.token_scope),
                "tokenctl api-tokens list".to_owned(),
                pf.create(&details),
            )
            .await?;
            hand_over(ctx, HandOver::to(&resolved, &sinks), &issued)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefactor_scopes() {
        for (scope, env, agent) in [
            ("account", false, false),
            ("agent_deployment", true, true),
            ("environment", true, false),
        ] {
            assert!(check_scope(scope, env, agent).is_ok(), "{scope}");
        }
        for (scope, env, agent) in [
            ("account", true, false),
            ("account", false, true),
            ("agent_deployment", true, false),
            ("agent_deployment", false, true),
            ("agent_deployment", false, false),
            ("environment", false, false),
            ("environment", true, true),
            ("galaxy", false, false),
        ] {
            assert!(
                check_scope(scope, env, agent).is_err(),
                "{scope} {env} {agent}"
            );
        }
    }

    #[test]
    fn resources() {
        let r = parse_resource("project:3229:admin").expect("ok");
        assert_eq!((r.resource_type.as_str(), r.access_level), ("project", 100));
        for bad in [
            "project:3229",
            "galaxy:1:admin",
            "project:x:admin",
            "project:1:owner",
            "project:0:viewer",
        ] {
            assert!(parse_resource(bad).is_err(), "{bad}");
        }
    }
}
