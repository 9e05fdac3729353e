//! `tokenctl project-tokens`: Cedalo Pro Mosquitto project tokens.

mod bulk;
mod create;
mod delete;
mod list;
mod rotate;
mod rotation;
mod wizard;
pub use rotate::{DEFAULT_GRACE, rotate_with};
pub use rotation::{creatable, delete_old};

use clap::{Args, Subcommand};

use crate::config::Vendor;
use crate::context::{Context, Resolved, check_id};
use crate::error::CliError;
use crate::output::shell::word;
use crate::vendor::mosquitto;
use tokenctl_api::vendors::mosquitto::Mosquitto;

/// Cedalo Pro Mosquitto project tokens (`/api/projects/{projectId}/tokens`).
#[derive(Debug, Subcommand)]
pub enum ProjectTokensCommand {
    List(list::ListArgs),
    Create(create::CreateArgs),
    Delete(delete::DeleteArgs),
    Rotate(rotate::RotateArgs),
}

pub async fn run(ctx: &Context, cmd: ProjectTokensCommand) -> anyhow::Result<()> {
    match cmd {
        ProjectTokensCommand::List(args) => list::run(ctx, args).await,
        ProjectTokensCommand::Create(args) => create::run(ctx, args).await,
        ProjectTokensCommand::Delete(args) => delete::run(ctx, args).await,
        ProjectTokensCommand::Rotate(args) => rotate::run(ctx, args).await,
    }
}

/// `--project`, shared by every verb.
#[derive(Debug, Args, Clone)]
pub struct ProjectArg {
    /// The project (default: the profile's)
    #[arg(long, value_name = "ID", value_parser = parse_project)]
    pub project: Option<String>,
}

/// The command that lists the project's tokens, for hints and checks.
pub fn list_command(project: Option<&str>) -> String {
    match project {
        Some(p) => format!(
            "tokenctl project-tokens list --project {}",
            crate::output::shell::word(p)
        ),
        None => "tokenctl project-tokens list".to_owned(),
    }
}

fn parse_project(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() || t.contains('/') || t.chars().any(char::is_whitespace) {
        return Err(format!("invalid project ID '{s}'"));
    }
    Ok(t.to_owned())
}

impl Context {
    /// The Mosquitto client for `project` (or the profile's default project).
    pub async fn mosquitto(
        &self,
        project: Option<String>,
    ) -> anyhow::Result<(Mosquitto, Resolved)> {
        let mut r = self.resolve(Vendor::Mosquitto).await?;
        if let Some(p) = &project {
            check_id(p, "--project", "pass the project's ID".into())?;
        }
        let Some(project) = project.or_else(|| r.profile.project_id.clone()) else {
            return Err(CliError::usage(format!(
                "which project? pass --project ID (profile '{}' has no default)",
                r.name
            ))
            .with_hint(format!(
                "set a default with `tokenctl profile set {} --project ID`",
                word(&r.name)
            ))
            .into());
        };
        r.profile.project_id = Some(project);
        Ok((mosquitto::connect(self, &r)?, r))
    }
}
