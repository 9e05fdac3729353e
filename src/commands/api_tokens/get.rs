//! `api-tokens get`

use clap::Args;

use super::ApiTokens;
use super::{find_mailtrap, find_prefactor, parse_ref};
use crate::context::Context;
use crate::output;

/// Show one API token. Vendor: Mailtrap (ID or exact name), Prefactor (ID).
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Mailtrap, Prefactor.

Examples:
  tokenctl -p mailtrap api-tokens get ci-sender
  tokenctl -p prefactor api-tokens get 013xrzp12g3nqk8n7f8f9jbg8d18q7tm --json")]
pub struct GetArgs {
    /// Token ID (or, for Mailtrap, exact name)
    #[arg(value_name = "TOKEN", value_parser = parse_ref)]
    token: String,
}

pub async fn run(ctx: &Context, args: GetArgs) -> anyhow::Result<()> {
    match ctx.api_tokens().await?.0 {
        ApiTokens::Mailtrap(mt) => output::one(
            &ctx.ui,
            ctx.format(),
            &find_mailtrap(&mt, &args.token).await?,
        ),
        ApiTokens::Prefactor(pf) => output::one(
            &ctx.ui,
            ctx.format(),
            &find_prefactor(&pf, &args.token).await?,
        ),
    }
}
