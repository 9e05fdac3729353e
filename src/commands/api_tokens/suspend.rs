//! `api-tokens suspend`

use clap::Args;

use super::{lifecycle, parse_ref};
use crate::commands::bulk::{SelectionArgs, Verb};
use crate::context::Context;
use tokenctl_api::vendors::prefactor::Action;

/// Suspend an active token (it can be activated again). Vendor: Prefactor.
///
/// With a selection instead of TOKEN, every selected token is suspended after confirmation;
/// tokens that are not active are skipped.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Prefactor.

Examples:
  tokenctl -p prefactor api-tokens suspend 013xrzp12g3nqk8n7f8f9jbg8d18q7tm
  tokenctl -p prefactor api-tokens suspend --expiring-within 7d --yes")]
pub struct SuspendArgs {
    /// Token ID
    #[arg(value_name = "TOKEN", value_parser = parse_ref)]
    token: Option<String>,

    #[command(flatten)]
    selection: SelectionArgs,
}

pub async fn run(ctx: &Context, args: SuspendArgs) -> anyhow::Result<()> {
    let Some(filter) = args.selection.filter(args.token.as_deref())? else {
        return one(ctx, &args.token.unwrap_or_default()).await;
    };
    super::bulk::lifecycle(ctx, Verb::Suspend, filter, args.selection.concurrency).await
}

async fn one(ctx: &Context, token: &str) -> anyhow::Result<()> {
    lifecycle(ctx, Action::Suspend, token, None).await
}
