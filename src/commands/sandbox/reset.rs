//! `sandbox reset`

use anyhow::Context as _;
use clap::Args;

use crate::context::Context;
use tokenctl_sandbox::{LockedState, SeedOptions};

/// Reset the `--sandbox` state to fresh demo data.
#[derive(Debug, Args)]
#[command(
    after_long_help = crate::vendor::help::sandbox("Examples:\n  tokenctl sandbox reset")
)]
pub struct ResetArgs {}

pub async fn run(ctx: &Context, _args: ResetArgs) -> anyhow::Result<()> {
    ctx.paths.check_data()?;
    let dir = ctx.paths.sandbox_dir();
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        let mut locked = LockedState::open(&dir, &SeedOptions::default())?;
        locked.reset(&SeedOptions::default())
    })
    .await?
    .context("resetting the sandbox state")?;
    ctx.ui.status(&format!(
        "Sandbox reset to fresh demo data ({}).",
        ctx.paths.sandbox_dir().display()
    ));
    Ok(())
}
