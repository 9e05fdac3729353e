//! `api-tokens revoke`

use clap::Args;

use super::{lifecycle, parse_ref};
use crate::commands::bulk::{SelectionArgs, Verb};
use crate::context::Context;
use tokenctl_api::vendors::prefactor::Action;

/// Revoke an active or suspended token for good (then it can only be deleted). Vendor: Prefactor.
///
/// With a selection instead of TOKEN, every selected token is revoked after confirmation;
/// tokens already revoked are skipped.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Prefactor.

Examples:
  tokenctl -p prefactor api-tokens revoke 013xrzp12g3nqk8n7f8f9jbg8d18q7tm --yes
  tokenctl -p prefactor api-tokens revoke --status suspended --yes")]
pub struct RevokeArgs {
    /// Token ID
    #[arg(value_name = "TOKEN", value_parser = parse_ref)]
    token: Option<String>,

    #[command(flatten)]
    selection: SelectionArgs,
}

pub async fn run(ctx: &Context, args: RevokeArgs) -> anyhow::Result<()> {
    let Some(filter) = args.selection.filter(args.token.as_deref())? else {
        return one(ctx, &args.token.unwrap_or_default()).await;
    };
    super::bulk::lifecycle(ctx, Verb::Revoke, filter, args.selection.concurrency).await
}

async fn one(ctx: &Context, token: &str) -> anyhow::Result<()> {
    lifecycle(
        ctx,
        Action::Revoke,
        token,
        Some("it stops working for good"),
    )
    .await
}
