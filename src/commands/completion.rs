//! `tokenctl completion SHELL`: the script that registers tokenctl's dynamic completion with
//! the shell. It calls `tokenctl` back on each TAB (see `crate::complete`), so it stays valid
//! across upgrades and offers profile names and token IDs as well as subcommands and flags.

use crate::cli::CompletionArgs;
use crate::context::Context;

pub fn run(ctx: &Context, args: CompletionArgs) -> anyhow::Result<()> {
    let script = crate::complete::registration(&args.shell.to_string())?;
    ctx.ui.out(&script)?;
    Ok(())
}
