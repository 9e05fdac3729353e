//! `tokens delete`

use clap::Args;

use super::{find, parse_token_ref};
use crate::context::Context;
use crate::output;

/// Delete a token. Requests with it fail from then on.
#[derive(Debug, Args)]
#[command(
    after_long_help = "Vendor: Cloudflare (account-owned API tokens).\n\nExamples:\n  tokenctl tokens delete old-ci-token\n  tokenctl tokens delete 0123456789abcdef0123456789abcdef --yes"
)]
pub struct DeleteArgs {
    /// Token ID or exact name
    #[arg(value_name = "TOKEN", value_parser = parse_token_ref)]
    token: String,
}

pub async fn run(ctx: &Context, args: DeleteArgs) -> anyhow::Result<()> {
    // Refuse early, before any request, when confirmation is impossible.
    ctx.ui
        .refuse_unconfirmable(&format!("deleting token '{}'", args.token), ctx.globals.yes)?;
    let (cf, _) = ctx.cloudflare_tokens().await?;
    let found = find(&cf, &args.token).await?;
    let label = match &found.token {
        Some(t) => format!("{} ({})", t.name, t.id),
        None => found.id.clone(),
    };
    ctx.ui
        .confirm_destructive(&format!("Delete token {label}"), ctx.globals.yes)?;
    let result = cf.delete_token(&found.id).await?;
    output::deleted(
        &ctx.ui,
        ctx.format(),
        &found.id,
        &result,
        &format!("token {label}"),
    )
}
