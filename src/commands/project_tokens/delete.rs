//! `project-tokens delete`

use clap::Args;
use serde_json::json;

use super::ProjectArg;
use crate::context::Context;
use crate::error::{CliError, Exit};
use crate::output;
use tokenctl_api::vendors::mosquitto::{Deleted, MosquittoToken};

/// Delete a project token. Vendor: Cedalo Pro Mosquitto.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Cedalo Pro Mosquitto.

Examples:
  tokenctl -p mosquitto project-tokens delete dashboards --yes")]
pub struct DeleteArgs {
    /// Token ID or exact name
    #[arg(value_name = "TOKEN")]
    token: String,

    #[command(flatten)]
    project: ProjectArg,
}

pub async fn run(ctx: &Context, args: DeleteArgs) -> anyhow::Result<()> {
    ctx.ui.refuse_unconfirmable(
        &format!("deleting project token '{}'", args.token),
        ctx.globals.yes,
    )?;
    let (mq, _) = ctx.mosquitto(args.project.project).await?;
    // No get-one endpoint: find the token in the list, by ID or exact name.
    let all = mq.list().await?;
    let by_id: Vec<&MosquittoToken> = all.iter().filter(|t| t.id == args.token).collect();
    let matches: Vec<&MosquittoToken> = if by_id.is_empty() {
        all.iter().filter(|t| t.name == args.token).collect()
    } else {
        by_id
    };
    let t = match matches.as_slice() {
        [t] => *t,
        [] => {
            return Err(CliError::new(
                Exit::NotFound,
                format!("no project token has the ID or name '{}'", args.token),
            )
            .with_hint("see `tokenctl project-tokens list`")
            .into());
        }
        many => {
            let ids: Vec<&str> = many.iter().map(|t| t.id.as_str()).collect();
            return Err(CliError::usage(format!(
                "{} tokens are named '{}': {}",
                many.len(),
                args.token,
                ids.join(", ")
            ))
            .with_hint("name the token by its ID")
            .into());
        }
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
