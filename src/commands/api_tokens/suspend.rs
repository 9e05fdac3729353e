//! `api-tokens suspend`

use clap::Args;

use super::{lifecycle, parse_ref};
use crate::context::Context;

/// Suspend an active token (it can be activated again). Vendor: Prefactor.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Prefactor.

Examples:
  tokenctl -p prefactor api-tokens suspend 013xrzp12g3nqk8n7f8f9jbg8d18q7tm")]
pub struct SuspendArgs {
    /// Token ID
    #[arg(value_name = "TOKEN", value_parser = parse_ref)]
    token: String,
}

pub async fn run(ctx: &Context, args: SuspendArgs) -> anyhow::Result<()> {
    lifecycle(ctx, "suspend", &args.token, None).await
}
