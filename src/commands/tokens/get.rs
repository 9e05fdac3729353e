//! `tokens get`

use clap::Args;

use super::{fetch, find, parse_token_ref};
use crate::context::Context;
use crate::output;

/// Show one token: status, permissions, resources, conditions and dates.
#[derive(Debug, Args)]
#[command(
    after_long_help = "Vendor: Cloudflare (account-owned API tokens).\n\nExamples:\n  tokenctl tokens get ci-deploy-prod\n  tokenctl tokens get 0123456789abcdef0123456789abcdef --json"
)]
pub struct GetArgs {
    /// Token ID or exact name
    #[arg(value_name = "TOKEN", value_parser = parse_token_ref)]
    token: String,
}

pub async fn run(ctx: &Context, args: GetArgs) -> anyhow::Result<()> {
    let (cf, _) = ctx.cloudflare_tokens().await?;
    let token = fetch(&cf, find(&cf, &args.token).await?).await?;
    output::one(&ctx.ui, ctx.format(), &token)
}
