//! `tokens update`

use std::path::PathBuf;

use clap::Args;

use super::create::{check_dates, parse_name};
use super::policy::{self, parse_cidr};
use super::{fetch, find, parse_token_ref};
use crate::context::Context;
use crate::dates::{parse_when, rfc3339};
use crate::error::usage;
use crate::output;
use tokenctl_api::vendors::cloudflare::{
    Cloudflare, Condition, IpCondition, Policy, Token, TokenBody,
};

/// Change a token. Fields not named stay as they are.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Cloudflare (account-owned API tokens).

Examples:
  tokenctl tokens update ci-dns --disable
  tokenctl tokens update ci-dns --expires 30d --allow-ip 203.0.113.0/24
  tokenctl tokens update ci-dns --expires never
  tokenctl tokens update ci-dns --policy-file policies.json")]
pub struct UpdateArgs {
    /// Token ID or exact name
    #[arg(value_name = "TOKEN", value_parser = parse_token_ref)]
    token: String,

    /// New name
    #[arg(long, value_parser = parse_name)]
    name: Option<String>,

    /// Enable the token
    #[arg(long, conflicts_with = "disable")]
    enable: bool,

    /// Disable the token (requests with it are refused until enabled)
    #[arg(long)]
    disable: bool,

    /// New expiry (RFC 3339, a date, a duration from now), or `never`
    #[arg(long, value_name = "WHEN|never", value_parser = parse_when_or_never)]
    expires: Option<When>,

    /// New not-before time, or `never` to remove it
    #[arg(long, value_name = "WHEN|never", value_parser = parse_when_or_never)]
    not_before: Option<When>,

    /// Replace the allowed CIDRs; repeatable
    #[arg(long = "allow-ip", value_name = "CIDR", value_parser = parse_cidr)]
    allow_ip: Vec<String>,

    /// Replace the refused CIDRs; repeatable
    #[arg(long = "deny-ip", value_name = "CIDR", value_parser = parse_cidr)]
    deny_ip: Vec<String>,

    /// Remove every IP condition
    #[arg(long, conflicts_with_all = ["allow_ip", "deny_ip"])]
    clear_ip: bool,

    /// Replace the policies with those in FILE (JSON; - for stdin)
    #[arg(long, value_name = "FILE")]
    policy_file: Option<PathBuf>,
}

/// A time, or `never` to remove the setting.
#[derive(Clone, Copy, Debug)]
struct When(Option<jiff::Timestamp>);

fn parse_when_or_never(s: &str) -> Result<When, String> {
    if s.eq_ignore_ascii_case("never") {
        Ok(When(None))
    } else {
        parse_when(s).map(|t| When(Some(t)))
    }
}

pub async fn run(ctx: &Context, args: UpdateArgs) -> anyhow::Result<()> {
    let nothing = args.name.is_none()
        && !args.enable
        && !args.disable
        && args.expires.is_none()
        && args.not_before.is_none()
        && args.allow_ip.is_empty()
        && args.deny_ip.is_empty()
        && !args.clear_ip
        && args.policy_file.is_none();
    if nothing {
        return usage(
            "nothing to change: give at least one of --name, --enable, --disable, --expires, --not-before, --allow-ip, --deny-ip, --clear-ip, --policy-file",
        );
    }
    check_dates(
        args.expires.and_then(|w| w.0),
        args.not_before.and_then(|w| w.0),
    )?;
    let policies = match &args.policy_file {
        Some(p) => Some(policy::read_policy_file(&ctx.ui, p)?),
        None => None,
    };

    let (cf, _) = ctx.cloudflare_tokens().await?;
    let current = fetch(&cf, find(&cf, &args.token).await?).await?;
    let updated = update_with(&cf, &current, |body| edit(body, args, policies)).await?;
    output::one(&ctx.ui, ctx.format(), &updated)
}

/// Sends `current` back with `edit`'s changes: what every field not named keeps.
pub async fn update_with(
    cf: &Cloudflare,
    current: &Token,
    edit: impl FnOnce(&mut TokenBody),
) -> anyhow::Result<Token> {
    let mut body = TokenBody::from_token(current);
    edit(&mut body);
    Ok(cf.update_token(&current.id, &body).await?)
}

/// The flags' changes to a token's body.
fn edit(body: &mut TokenBody, args: UpdateArgs, policies: Option<Vec<Policy>>) {
    if let Some(n) = args.name {
        body.name = n;
    }
    if args.enable {
        body.status = Some("active".into());
    }
    if args.disable {
        body.status = Some("disabled".into());
    }
    if let Some(e) = args.expires {
        body.expires_on = e.0.map(rfc3339);
    }
    if let Some(nb) = args.not_before {
        body.not_before = nb.0.map(rfc3339);
    }
    if let Some(p) = policies {
        body.policies = p;
    }
    if args.clear_ip {
        body.condition = None;
    } else if !args.allow_ip.is_empty() || !args.deny_ip.is_empty() {
        let old = body
            .condition
            .as_ref()
            .and_then(|c| c.request_ip.clone())
            .unwrap_or_default();
        let ip = IpCondition {
            allow: if args.allow_ip.is_empty() {
                old.allow
            } else {
                Some(args.allow_ip)
            },
            deny: if args.deny_ip.is_empty() {
                old.deny
            } else {
                Some(args.deny_ip)
            },
        };
        body.condition = Some(Condition {
            request_ip: Some(ip),
        });
    }
}
