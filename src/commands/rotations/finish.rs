//! `rotations finish`

use clap::Args;
use jiff::Timestamp;

use super::{connect, label, retire_old, take};
use crate::context::Context;
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
    let mut retired = 0;
    for entry in crate::journal::load_all(&ctx.paths.data_dir)? {
        let due = entry
            .due
            .as_deref()
            .and_then(|d| d.parse::<Timestamp>().ok());
        if entry.step != Step::Scheduled || due.is_none_or(|d| d > now) {
            continue;
        }
        let Ok(running) = take(ctx, entry) else {
            continue;
        };
        let (client, _) = connect(ctx, &running.entry).await?;
        retire_old(ctx, &client, &running.entry).await?;
        ctx.ui
            .status(&format!("Finished rotation {}.", label(&running.entry)));
        running.done()?;
        retired += 1;
    }
    if retired == 0 {
        ctx.ui.status("No old token is due for retirement.");
    }
    Ok(())
}
