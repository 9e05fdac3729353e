//! `rotations abort`

use clap::Args;

use super::{connect, delete_new, label, new_tokens, refuse_own, take, vendor_side};
use crate::context::Context;
use crate::journal::Step;

/// Undo a rotation that did not finish: delete the new token it made, if any (also one whose
/// ID was never learned because the run died while creating it), leave the old token working,
/// and drop the rotation from the journal.
///
/// A new token that was already handed over is deleted too: whatever received it must go back
/// to the old secret, which still works. An old token already retired is not brought back (a
/// Cloudflare rotation killed while setting the old token's expiry may have set it). A
/// rotation whose old token is only due for retirement (step scheduled) keeps the new token:
/// abort then only drops the record, and the old token is left working.
#[derive(Debug, Args)]
#[command(
    after_long_help = "Vendors: Cloudflare (account tokens; service tokens are listed only), Mailtrap (listed only), Prefactor, Cedalo Pro Mosquitto: every rotation recorded, whatever its profile.

Examples:
  tokenctl rotations abort r20260101120000-1a2b3c
  tokenctl rotations abort --all"
)]
pub struct AbortArgs {
    /// The rotation (see `rotations list`)
    #[arg(value_name = "ID", required_unless_present = "all")]
    id: Option<String>,

    /// Every recorded rotation
    #[arg(long, conflicts_with = "id")]
    all: bool,
}

pub async fn run(ctx: &Context, args: AbortArgs) -> anyhow::Result<()> {
    for entry in crate::journal::pick(&ctx.paths.data_dir, args.id.as_deref())? {
        let running = take(ctx, entry)?;
        let e = &running.entry;
        if e.step < Step::Scheduled && !vendor_side(e) {
            let (client, r) = connect(ctx, e).await?;
            let ids = new_tokens(&client, e).await?;
            refuse_own(&client, &r, e, &ids).await?;
            for id in ids {
                delete_new(ctx, &client, &id).await?;
            }
            if e.step >= Step::Delivered {
                ctx.ui.warn(&format!(
                    "the deleted token's secret had been handed over; whatever received it must use the old token {} again",
                    e.old_id
                ));
            }
        }
        ctx.ui.status(&format!(
            "Aborted rotation {}; the old token {} was left as it was.",
            label(e),
            e.old_id
        ));
        running.done()?;
    }
    Ok(())
}
