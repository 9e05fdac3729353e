//! `api-tokens activate`

use clap::Args;

use super::{lifecycle, parse_ref};
use crate::context::Context;
use crate::vendors::prefactor::Action;

/// Activate a suspended token. Vendor: Prefactor.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Prefactor.

Examples:
  tokenctl -p prefactor api-tokens activate 013xrzp12g3nqk8n7f8f9jbg8d18q7tm")]
pub struct ActivateArgs {
    /// Token ID
    #[arg(value_name = "TOKEN", value_parser = parse_ref)]
    token: String,
}

pub async fn run(ctx: &Context, args: ActivateArgs) -> anyhow::Result<()> {
    lifecycle(ctx, Action::Activate, &args.token, None).await
}
