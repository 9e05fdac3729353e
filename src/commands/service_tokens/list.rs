//! `service-tokens list`

use clap::Args;
use jiff::{SignedDuration, Timestamp};

use crate::context::Context;
use crate::dates::parse_duration;
use crate::output;
use tokenctl_api::vendors::cloudflare::ServiceToken;

/// List the account's Access service tokens.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Cloudflare (Zero Trust Access).

Examples:
  tokenctl service-tokens list
  tokenctl service-tokens list --expiring-within 30d
  tokenctl service-tokens list --expired -o id
  tokenctl service-tokens list --search deploy --json")]
pub struct ListArgs {
    /// Only the token with exactly this name
    #[arg(long)]
    name: Option<String>,

    /// Only tokens whose name contains TEXT
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,

    /// Only tokens that expire within this time from now (e.g. 30d, 12h), not yet expired
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, conflicts_with = "expired")]
    expiring_within: Option<SignedDuration>,

    /// Only tokens that have expired
    #[arg(long)]
    expired: bool,
}

fn expires(t: &ServiceToken) -> Option<Timestamp> {
    t.expires_at.as_deref().and_then(|s| s.parse().ok())
}

pub async fn run(ctx: &Context, args: ListArgs) -> anyhow::Result<()> {
    let (cf, _) = ctx.cloudflare().await?;
    let mut tokens = cf
        .list_service_tokens(args.name.as_deref(), args.search.as_deref())
        .await?;
    let now = Timestamp::now();
    if args.expired {
        tokens.retain(|t| expires(t).is_some_and(|e| e <= now));
    }
    if let Some(within) = args.expiring_within {
        let until = now.checked_add(within).unwrap_or(now);
        tokens.retain(|t| expires(t).is_some_and(|e| e > now && e <= until));
    }
    output::list(&ctx.ui, ctx.format(), &tokens, "service tokens")
}
