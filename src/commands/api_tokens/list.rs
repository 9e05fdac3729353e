//! `api-tokens list`

use clap::Args;

use super::ApiTokens;
use crate::context::Context;
use crate::output;

/// List API tokens. Vendor: Mailtrap (every token of the account) or Prefactor (every page).
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Mailtrap, Prefactor.

Examples:
  tokenctl -p mailtrap api-tokens list
  tokenctl -p prefactor api-tokens list --account 013xrzp12g3nqk8ngskn1wtxgka5b0nf --json")]
pub struct ListArgs {
    /// Prefactor: only tokens of this account
    #[arg(long, value_name = "ID")]
    account: Option<String>,
}

pub async fn run(ctx: &Context, args: ListArgs) -> anyhow::Result<()> {
    let (client, resolved) = ctx.api_tokens().await?;
    match client {
        ApiTokens::Mailtrap(mt) => {
            if args.account.is_some() {
                return crate::error::usage(
                    "--account filters Prefactor tokens; a Mailtrap profile lists its own account",
                );
            }
            output::list(&ctx.ui, ctx.format(), &mt.list().await?, "tokens")
        }
        ApiTokens::Prefactor(pf) => {
            let account = args.account.or(resolved.profile.account_id.clone());
            output::list(
                &ctx.ui,
                ctx.format(),
                &pf.list(account.as_deref()).await?,
                "tokens",
            )
        }
    }
}
