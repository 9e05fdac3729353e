//! `tokens create`

use std::path::PathBuf;

use clap::Args;
use jiff::Timestamp;

use super::policy::{self, Resource, parse_cidr, parse_resource};
use super::{fetch, find, parse_token_ref, wizard};
use crate::commands::hand_over::{self, HandOver, hand_over};
use crate::commands::sinks::SinkArgs;
use crate::config::Vendor;
use crate::context::Context;
use crate::dates::{parse_when, rfc3339};
use crate::error::{CliError, usage};
use crate::output::shell;
use tokenctl_api::vendors::cloudflare::{Condition, Policy, TokenBody};

/// Create an API token. Its secret is shown once.
///
/// Give permission groups by name or ID (`--permission`, repeatable) and the resources they
/// apply to (`--resource`, default: the profile's account, and all its zones for zone-scoped
/// groups), or the policies as JSON (`--policy-file`), or copy them from another token
/// (`--from-token`). Account-scoped and zone-scoped groups take different resources: each
/// `--resource` goes to the groups it fits, one policy per scope. On a terminal, missing flags
/// are asked for interactively.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Cloudflare (account-owned API tokens).

Examples:
  tokenctl tokens create --name ci-dns --permission 'DNS Write' --resource zone:023e105f4ecef8ad9ca31a8372d0c353 --expires 90d
  tokenctl tokens create --name auditor --permission 'Account API Tokens Read' --allow-ip 203.0.113.0/24 --secret-file auditor.token
  tokenctl tokens create --name copy --from-token ci-dns --save-as ci
  tokenctl tokens get ci-dns --json | tokenctl tokens create --name ci-dns-2 --policy-file -")]
pub struct CreateArgs {
    /// Token name (1 to 120 characters)
    #[arg(long, value_parser = parse_name)]
    pub(super) name: Option<String>,

    /// Permission group name or ID; repeatable
    #[arg(long = "permission", value_name = "NAME|ID")]
    pub(super) permissions: Vec<String>,

    /// account, zones (all zones), zone:ZONE_ID, or a resource key; repeatable
    #[arg(long = "resource", value_name = "RESOURCE", value_parser = parse_resource)]
    pub(super) resources: Vec<Resource>,

    /// Expiry: RFC 3339, a date, or a duration from now (90d)
    #[arg(long, value_name = "WHEN", value_parser = parse_when)]
    pub(super) expires: Option<Timestamp>,

    /// Not valid before: RFC 3339, a date, or a duration from now
    #[arg(long, value_name = "WHEN", value_parser = parse_when)]
    pub(super) not_before: Option<Timestamp>,

    /// Only accept requests from this CIDR; repeatable
    #[arg(long = "allow-ip", value_name = "CIDR", value_parser = parse_cidr)]
    pub(super) allow_ip: Vec<String>,

    /// Refuse requests from this CIDR; repeatable
    #[arg(long = "deny-ip", value_name = "CIDR", value_parser = parse_cidr)]
    pub(super) deny_ip: Vec<String>,

    /// Policies as JSON, as the API takes them (FILE, or - for stdin)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["permissions", "resources", "from_token"])]
    pub(super) policy_file: Option<PathBuf>,

    /// Copy the policies of another token (ID or name)
    #[arg(long, value_name = "TOKEN", value_parser = parse_token_ref, conflicts_with_all = ["permissions", "resources"])]
    pub(super) from_token: Option<String>,

    #[command(flatten)]
    pub(super) sinks: SinkArgs,
}

pub fn parse_name(s: &str) -> Result<String, String> {
    let t = s.trim();
    match t.chars().count() {
        0 => Err("the name must not be empty".into()),
        1..=120 => Ok(t.to_owned()),
        n => Err(format!(
            "the name has {n} characters; at most 120 are allowed"
        )),
    }
}

/// Expiry after now and after not-before.
pub fn check_dates(
    expires: Option<Timestamp>,
    not_before: Option<Timestamp>,
) -> anyhow::Result<()> {
    if let Some(e) = expires {
        if e <= Timestamp::now() {
            return usage(format!("--expires {} is in the past", rfc3339(e)));
        }
        if let Some(nb) = not_before
            && nb >= e
        {
            return usage("--not-before must be earlier than --expires");
        }
    }
    Ok(())
}

pub async fn run(ctx: &Context, mut args: CreateArgs) -> anyhow::Result<()> {
    check_dates(args.expires, args.not_before)?;
    let sinks = args.sinks.sinks(Vendor::Cloudflare)?;
    hand_over::precheck(ctx, &sinks)?;
    let from_file = match &args.policy_file {
        Some(path) => Some(policy::read_policy_file(&ctx.ui, path)?),
        None => None,
    };
    let has_policy =
        from_file.is_some() || args.from_token.is_some() || !args.permissions.is_empty();
    let interactive = crate::prompt::available(&ctx.ui);
    if !interactive {
        if args.name.is_none() {
            return usage("--name is required (no terminal to ask on)");
        }
        if !has_policy {
            return Err(CliError::usage("say what the token may do: --permission NAME, --policy-file FILE or --from-token TOKEN")
                .with_hint("list the groups with `tokenctl tokens permission-groups`")
                .into());
        }
    }

    let (cf, resolved) = ctx.cloudflare_tokens().await?;
    let account = cf.account_id().to_owned();
    let asked = interactive && (args.name.is_none() || !has_policy);
    if asked {
        wizard::ask(&cf, &mut args, !has_policy).await?;
        check_dates(args.expires, args.not_before)?;
    }
    let policies: Vec<Policy> = if let Some(p) = from_file {
        p
    } else if let Some(src) = &args.from_token {
        let token = fetch(&cf, find(&cf, src).await?).await?;
        token
            .policies
            .into_iter()
            .map(|p| Policy { id: None, ..p })
            .collect()
    } else {
        let groups = policy::resolve_permissions(&cf, &args.permissions).await?;
        policy::build_policies(&groups, &args.resources, &account)?
    };
    let body = TokenBody {
        name: args.name.unwrap_or_default(),
        policies,
        status: None,
        condition: policy::ip_condition(&args.allow_ip, &args.deny_ip).map(|ip| Condition {
            request_ip: Some(ip),
        }),
        expires_on: args.expires.map(rfc3339),
        not_before: args.not_before.map(rfc3339),
    };
    let check = format!(
        "tokenctl tokens list --name {}",
        shell::quote(&super::list::literal_glob(&body.name))
    );
    if asked {
        let rows = wizard::summary_rows(&body);
        crate::prompt::confirm_create(&ctx.ui, "this token", &rows)?;
    }
    let what = format!("creating token '{}'", body.name);
    let created = crate::commands::send_change(ctx, &what, check, cf.create_token(&body)).await?;
    hand_over(ctx, HandOver::to(&resolved, &sinks), &created)
}
