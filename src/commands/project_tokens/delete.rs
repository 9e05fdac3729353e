//! `project-tokens delete`

use clap::Args;
use serde_json::json;

use super::ProjectArg;
use crate::commands::bulk::SelectionArgs;
use crate::context::Context;
use crate::error::CliError;
use crate::kinds::find;
use crate::output;
use crate::vendor::mosquitto::Tokens;
use tokenctl_api::vendors::mosquitto::Deleted;

/// Delete a project token. Vendor: Cedalo Pro Mosquitto.
///
/// With a selection instead of TOKEN, every selected project token is deleted.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Cedalo Pro Mosquitto.

Examples:
  tokenctl -p mosquitto project-tokens delete dashboards --yes
  tokenctl -p mosquitto project-tokens delete --expired --yes")]
pub struct DeleteArgs {
    /// Token ID or exact name
    #[arg(value_name = "TOKEN")]
    token: Option<String>,

    #[command(flatten)]
    project: ProjectArg,

    #[command(flatten)]
    selection: SelectionArgs,
}

pub async fn run(ctx: &Context, args: DeleteArgs) -> anyhow::Result<()> {
    let project = args.project.project;
    let Some(filter) = args.selection.filter(args.token.as_deref())? else {
        return one(ctx, project, &args.token.unwrap_or_default()).await;
    };
    super::bulk::delete(ctx, project, filter, args.selection.concurrency).await
}

async fn one(ctx: &Context, project: Option<String>, token: &str) -> anyhow::Result<()> {
    ctx.ui.refuse_unconfirmable(
        &format!("deleting project token '{token}'"),
        ctx.globals.yes,
    )?;
    let (mq, _) = ctx.mosquitto(project).await?;
    // No get-one endpoint: find the token in the list, by ID or exact name.
    let found = find(&Tokens(&mq), token).await?;
    let Some(t) = found.token else {
        return Err(CliError::failure("the token was found without its details").into());
    };
    let label = format!("{} ({})", t.name, t.id);
    ctx.ui
        .confirm_destructive(&format!("Delete project token {label}"), ctx.globals.yes)?;
    if let Deleted::No(message) = mq.delete(&t.id).await? {
        let why = message.map(|m| format!(": {m}")).unwrap_or_default();
        return Err(CliError::failure(format!(
            "the platform did not delete project token {label}{why}"
        ))
        .with_hint("see `tokenctl project-tokens list`")
        .into());
    }
    output::deleted(
        &ctx.ui,
        ctx.format(),
        &t.id,
        &json!({ "id": t.id, "deleted": true }),
        &format!("project token {label}"),
    )
}
