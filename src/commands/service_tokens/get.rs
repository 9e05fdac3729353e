//! `service-tokens get`

use clap::Args;

use super::{find, parse_ref};
use crate::context::Context;
use crate::output;

/// Show one service token.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Cloudflare (Zero Trust Access).

Examples:
  tokenctl service-tokens get deploy-bot
  tokenctl service-tokens get f174e90a-fafe-4643-bbbc-4a0ed4fc8415 --json")]
pub struct GetArgs {
    /// Service token ID or exact name
    #[arg(value_name = "TOKEN", value_parser = parse_ref)]
    token: String,
}

pub async fn run(ctx: &Context, args: GetArgs) -> anyhow::Result<()> {
    let (cf, _) = ctx.cloudflare().await?;
    let found = find(&cf, &args.token).await?;
    let token = match found.token {
        Some(t) => t,
        None => cf.get_service_token(&found.id).await?,
    };
    output::one(&ctx.ui, ctx.format(), &token)
}
