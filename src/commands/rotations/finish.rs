//! `rotations finish`

use clap::Args;
use jiff::Timestamp;

use super::{connect, label, reachable, retire_old, take};
use crate::context::Context;
use crate::error::CliError;
use crate::journal::Step;

/// Retire every old token whose grace period has passed (Prefactor: revoked; Mosquitto:
/// deleted), for every profile the journal names, and drop those rotations from it.
///
/// Safe to run again and from cron: nothing due is nothing done (exit 0), a token already gone
/// counts as retired, and a rotation another run is moving is left to it.
#[derive(Debug, Args)]
#[command(
    after_long_help = "Vendors: Cloudflare (account tokens; service tokens are listed only), Mailtrap (listed only), Prefactor, Cedalo Pro Mosquitto: every rotation recorded, whatever its profile.

Examples:
  tokenctl rotations finish
  # from cron, every 10 minutes:
  */10 * * * * tokenctl rotations finish --quiet"
)]
pub struct FinishArgs {}

pub async fn run(ctx: &Context, _args: FinishArgs) -> anyhow::Result<()> {
    let now = Timestamp::now();
    let (mut retired, mut failed) = (0, 0);
    for entry in crate::journal::load_all(&ctx.paths.data_dir)? {
        let due = entry
            .due
            .as_deref()
            .and_then(|d| d.parse::<Timestamp>().ok());
        if entry.step != Step::Scheduled || due.is_none_or(|d| d > now) || !reachable(ctx, &entry) {
            continue;
        }
        let Ok(running) = take(ctx, entry) else {
            continue;
        };
        // One rotation that cannot be finished (its profile gone, its vendor down) does not
        // hold up the others; it is retried on the next run.
        match retire(ctx, &running.entry).await {
            Ok(()) => {
                ctx.ui
                    .status(&format!("Finished rotation {}.", label(&running.entry)));
                running.done()?;
                retired += 1;
            }
            Err(e) if crate::error::is_dry_run(&e) => return Err(e),
            Err(e) => {
                ctx.ui
                    .warn(&format!("rotation {}: {e:#}", label(&running.entry)));
                failed += 1;
            }
        }
    }
    if failed > 0 {
        return Err(CliError::failure(format!(
            "{failed} rotation(s) due could not be finished; the next run tries again"
        ))
        .into());
    }
    if retired == 0 {
        ctx.ui.status("No old token is due for retirement.");
    }
    Ok(())
}

async fn retire(ctx: &Context, e: &crate::journal::Entry) -> anyhow::Result<()> {
    let (client, _) = connect(ctx, e).await?;
    retire_old(ctx, &client, e).await
}
