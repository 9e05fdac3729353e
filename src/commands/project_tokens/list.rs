//! `project-tokens list`

use clap::Args;

use super::ProjectArg;
use crate::context::Context;
use crate::output;

/// List a project's tokens. Vendor: Cedalo Pro Mosquitto.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Cedalo Pro Mosquitto.

Examples:
  tokenctl -p mosquitto project-tokens list
  tokenctl -p mosquitto project-tokens list --project factory-eu --json")]
pub struct ListArgs {
    #[command(flatten)]
    project: ProjectArg,
}

pub async fn run(ctx: &Context, args: ListArgs) -> anyhow::Result<()> {
    let (mq, _) = ctx.mosquitto(args.project.project).await?;
    output::list(&ctx.ui, ctx.format(), &mq.list().await?, "project tokens")
}
