//! `tokens verify`

use clap::Args;

use crate::context::Context;
use crate::output;

/// Check the profile's own token: its ID, status and expiry.
#[derive(Debug, Args)]
#[command(
    after_long_help = "Vendor: Cloudflare (account-owned API tokens).\n\nExamples:\n  tokenctl tokens verify\n  CLOUDFLARE_API_TOKEN=... CLOUDFLARE_ACCOUNT_ID=... tokenctl tokens verify --json"
)]
pub struct VerifyArgs {}

pub async fn run(ctx: &Context, _args: VerifyArgs) -> anyhow::Result<()> {
    let (cf, _) = ctx.cloudflare_tokens().await?;
    let verified = cf.verify_token().await?;
    output::one(&ctx.ui, ctx.format(), &verified)
}
