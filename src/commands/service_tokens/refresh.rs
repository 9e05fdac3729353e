//! `service-tokens refresh`

use clap::Args;

use super::{find, parse_ref};
use crate::commands::bulk::SelectionArgs;
use crate::context::Context;
use crate::output;

/// Extend a service token's expiry by its duration, from now.
///
/// With a selection instead of TOKEN, every selected service token is refreshed after
/// confirmation.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Cloudflare (Zero Trust Access).

Examples:
  tokenctl service-tokens refresh deploy-bot
  tokenctl service-tokens refresh --expiring-within 7d --yes")]
pub struct RefreshArgs {
    /// Service token ID or exact name
    #[arg(value_name = "TOKEN", value_parser = parse_ref)]
    token: Option<String>,

    #[command(flatten)]
    selection: SelectionArgs,
}

pub async fn run(ctx: &Context, args: RefreshArgs) -> anyhow::Result<()> {
    let Some(filter) = args.selection.filter(args.token.as_deref())? else {
        return one(ctx, &args.token.unwrap_or_default()).await;
    };
    super::bulk::refresh(ctx, filter, args.selection.concurrency).await
}

async fn one(ctx: &Context, token: &str) -> anyhow::Result<()> {
    let (cf, _) = ctx.cloudflare().await?;
    let found = find(&cf, token).await?;
    let refreshed = cf.refresh_service_token(&found.id).await?;
    ctx.ui.status(&format!(
        "Refreshed {}: it now expires {}.",
        refreshed.name,
        refreshed.expires_at.as_deref().unwrap_or("never")
    ));
    output::one(&ctx.ui, ctx.format(), &refreshed)
}
