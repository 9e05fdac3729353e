//! `rotations list`

use clap::Args;

use crate::context::Context;
use crate::output;

/// List the rotations that have not finished: interrupted ones, failed ones whose new token
/// still exists, and old tokens due for retirement (`rotations finish`). IDs and steps only:
/// the journal never holds a secret.
#[derive(Debug, Args)]
#[command(
    after_long_help = "Vendors: Cloudflare (account tokens; service tokens are listed only), Mailtrap (listed only), Prefactor, Cedalo Pro Mosquitto: every rotation recorded, whatever its profile.

Examples:
  tokenctl rotations list
  tokenctl rotations list --json"
)]
pub struct ListArgs {}

pub fn run(ctx: &Context, _args: ListArgs) -> anyhow::Result<()> {
    let entries = crate::journal::load_all(&ctx.paths.data_dir)?;
    output::list(&ctx.ui, ctx.format(), &entries, "rotations")
}
