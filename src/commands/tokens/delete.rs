//! `tokens delete`

use clap::Args;

use super::{find, parse_token_ref};
use crate::commands::bulk::SelectionArgs;
use crate::context::Context;
use crate::output;

/// Delete a token. Requests with it fail from then on.
///
/// With a selection instead of TOKEN, every selected token is deleted (the profile's own token
/// is skipped).
#[derive(Debug, Args)]
#[command(
    after_long_help = "Vendor: Cloudflare (account-owned API tokens).\n\nExamples:\n  tokenctl tokens delete old-ci-token\n  tokenctl tokens delete 0123456789abcdef0123456789abcdef --yes\n  tokenctl tokens delete --expired --yes"
)]
pub struct DeleteArgs {
    /// Token ID or exact name
    #[arg(value_name = "TOKEN", value_parser = parse_token_ref)]
    token: Option<String>,

    #[command(flatten)]
    selection: SelectionArgs,
}

pub async fn run(ctx: &Context, args: DeleteArgs) -> anyhow::Result<()> {
    let Some(filter) = args.selection.filter(args.token.as_deref())? else {
        return one(ctx, &args.token.unwrap_or_default()).await;
    };
    super::bulk::delete(ctx, filter, args.selection.concurrency).await
}

async fn one(ctx: &Context, token: &str) -> anyhow::Result<()> {
    // Refuse early, before any request, when confirmation is impossible.
    ctx.ui
        .refuse_unconfirmable(&format!("deleting token '{token}'"), ctx.globals.yes)?;
    let (cf, _) = ctx.cloudflare_tokens().await?;
    let found = find(&cf, token).await?;
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
