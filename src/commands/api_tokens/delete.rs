//! `api-tokens delete`

use clap::Args;
use serde_json::json;

use super::ApiTokens;
use super::{check_allowed, find_mailtrap, find_prefactor, parse_ref};
use crate::commands::bulk::SelectionArgs;
use crate::context::Context;
use crate::output;
use tokenctl_api::vendors::prefactor::Action;

/// Delete an API token. Vendor: Mailtrap (any token), Prefactor (revoked tokens only).
///
/// With a selection instead of TOKEN, every selected token is deleted; Prefactor tokens that
/// are not revoked are skipped.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Mailtrap, Prefactor.

Examples:
  tokenctl -p mailtrap api-tokens delete old-sender --yes
  tokenctl -p prefactor api-tokens delete 013xrzp12g3nqk8n7f8f9jbg8d18q7tm --yes
  tokenctl -p mailtrap api-tokens delete --name 'tmp-*' --yes
  tokenctl -p prefactor api-tokens delete --status revoked --yes")]
pub struct DeleteArgs {
    /// Token ID (or, for Mailtrap, exact name)
    #[arg(value_name = "TOKEN", value_parser = parse_ref)]
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
    ctx.ui
        .refuse_unconfirmable(&format!("deleting token '{token}'"), ctx.globals.yes)?;
    match ctx.api_tokens().await?.0 {
        ApiTokens::Mailtrap(mt) => {
            let t = find_mailtrap(&mt, token).await?;
            let label = format!("{} ({})", t.name, t.id);
            ctx.ui
                .confirm_destructive(&format!("Delete token {label}"), ctx.globals.yes)?;
            mt.delete(&t.id.to_string()).await?;
            output::deleted(
                &ctx.ui,
                ctx.format(),
                &t.id.to_string(),
                &json!({ "id": t.id, "deleted": true }),
                &format!("token {label}"),
            )
        }
        ApiTokens::Prefactor(pf) => {
            let t = find_prefactor(&pf, token).await?;
            check_allowed(&t, Action::Delete)?;
            ctx.ui
                .confirm_destructive(&format!("Delete token {}", t.id), ctx.globals.yes)?;
            let result = pf.delete(&t.id).await?;
            output::deleted(
                &ctx.ui,
                ctx.format(),
                &t.id,
                &result,
                &format!("token {}", t.id),
            )
        }
    }
}
