//! `tokenctl project-tokens`: Cedalo Pro Mosquitto project tokens.

mod create;
mod delete;
mod list;

use clap::{Args, Subcommand};

use crate::context::Context;

/// Cedalo Pro Mosquitto project tokens (`/api/projects/{projectId}/tokens`).
#[derive(Debug, Subcommand)]
pub enum ProjectTokensCommand {
    List(list::ListArgs),
    Create(create::CreateArgs),
    Delete(delete::DeleteArgs),
}

pub async fn run(ctx: &Context, cmd: ProjectTokensCommand) -> anyhow::Result<()> {
    match cmd {
        ProjectTokensCommand::List(args) => list::run(ctx, args).await,
        ProjectTokensCommand::Create(args) => create::run(ctx, args).await,
        ProjectTokensCommand::Delete(args) => delete::run(ctx, args).await,
    }
}

/// `--project`, shared by every verb.
#[derive(Debug, Args, Clone)]
pub struct ProjectArg {
    /// The project (default: the profile's)
    #[arg(long, value_name = "ID", value_parser = parse_project)]
    pub project: Option<String>,
}

fn parse_project(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() || t.contains('/') || t.chars().any(char::is_whitespace) {
        return Err(format!("invalid project ID '{s}'"));
    }
    Ok(t.to_owned())
}
