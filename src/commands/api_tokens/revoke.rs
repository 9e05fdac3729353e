//! `api-tokens revoke`

use clap::Args;

use super::{lifecycle, parse_ref};
use crate::context::Context;

/// Revoke an active or suspended token for good (then it can only be deleted). Vendor: Prefactor.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Prefactor.

Examples:
  tokenctl -p prefactor api-tokens revoke 013xrzp12g3nqk8n7f8f9jbg8d18q7tm --yes")]
pub struct RevokeArgs {
    /// Token ID
    #[arg(value_name = "TOKEN", value_parser = parse_ref)]
    token: String,
}

pub async fn run(ctx: &Context, args: RevokeArgs) -> anyhow::Result<()> {
    lifecycle(
        ctx,
        "revoke",
        &args.token,
        Some("it stops working for good"),
    )
    .await
}
