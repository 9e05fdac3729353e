//! `tokenctl completion SHELL`: the completion script, generated from the clap definition.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionArgs};
use crate::context::Context;

pub fn run(ctx: &Context, args: CompletionArgs) -> anyhow::Result<()> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "tokenctl", &mut buf);
    ctx.ui.out(&String::from_utf8_lossy(&buf))?;
    Ok(())
}
