//! `api-tokens activate`

use clap::Args;

use super::{lifecycle, parse_ref};
use crate::commands::bulk::{SelectionArgs, Verb};
use crate::context::Context;
use tokenctl_api::vendors::prefactor::Action;

/// Activate a suspended token. Vendor: Prefactor.
///
/// With a selection instead of TOKEN, every selected token is activated after confirmation;
/// tokens that are not suspended are skipped.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Prefactor.

Examples:
  tokenctl -p prefactor api-tokens activate 013xrzp12g3nqk8n7f8f9jbg8d18q7tm
  tokenctl -p prefactor api-tokens activate --status suspended --yes")]
pub struct ActivateArgs {
    /// Token ID
    #[arg(value_name = "TOKEN", value_parser = parse_ref)]
    token: Option<String>,

    #[command(flatten)]
    selection: SelectionArgs,
}

pub async fn run(ctx: &Context, args: ActivateArgs) -> anyhow::Result<()> {
    let Some(filter) = args.selection.filter(args.token.as_deref())? else {
        return lifecycle(ctx, Action::Activate, &args.token.unwrap_or_default(), None).await;
    };
    super::bulk::lifecycle(ctx, Verb::Activate, filter, args.selection.concurrency).await
}
