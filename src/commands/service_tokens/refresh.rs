//! `service-tokens refresh`

use clap::Args;

use super::{find, parse_ref};
use crate::context::Context;
use crate::output;

/// Extend a service token's expiry by its duration, from now.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Cloudflare (Zero Trust Access).

Examples:
  tokenctl service-tokens refresh deploy-bot
  tokenctl service-tokens list --expiring-within 7d -o id | xargs -n1 tokenctl service-tokens refresh")]
pub struct RefreshArgs {
    /// Service token ID or exact name
    #[arg(value_name = "TOKEN", value_parser = parse_ref)]
    token: String,
}

pub async fn run(ctx: &Context, args: RefreshArgs) -> anyhow::Result<()> {
    let (cf, _) = ctx.cloudflare().await?;
    let found = find(&cf, &args.token).await?;
    let refreshed = cf.refresh_service_token(&found.id).await?;
    ctx.ui.status(&format!(
        "Refreshed {}: it now expires {}.",
        refreshed.name,
        refreshed.expires_at.as_deref().unwrap_or("never")
    ));
    output::one(&ctx.ui, ctx.format(), &refreshed)
}
