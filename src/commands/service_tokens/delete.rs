//! `service-tokens delete`

use clap::Args;

use super::{find, parse_ref};
use crate::commands::bulk::SelectionArgs;
use crate::context::Context;
use crate::output;

/// Delete a service token. Clients using it are refused from then on.
///
/// With a selection instead of TOKEN, every selected service token is deleted.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Cloudflare (Zero Trust Access).

Examples:
  tokenctl service-tokens delete old-ci
  tokenctl service-tokens delete f174e90a-fafe-4643-bbbc-4a0ed4fc8415 --yes
  tokenctl service-tokens delete --expired --yes")]
pub struct DeleteArgs {
    /// Service token ID or exact name
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
    ctx.ui.refuse_unconfirmable(
        &format!("deleting service token '{token}'"),
        ctx.globals.yes,
    )?;
    let (cf, _) = ctx.cloudflare().await?;
    let found = find(&cf, token).await?;
    ctx.ui.confirm_destructive(
        &format!("Delete service token {}", found.label()),
        ctx.globals.yes,
    )?;
    let deleted = cf.delete_service_token(&found.id).await?;
    let label = format!("{} ({})", deleted.name, deleted.id);
    output::deleted(
        &ctx.ui,
        ctx.format(),
        &found.id,
        &deleted,
        &format!("service token {label}"),
    )
}
