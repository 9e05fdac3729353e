//! `tokenctl sandbox`: the local emulator of the vendor APIs.

mod reset;
mod serve;

use clap::Subcommand;

use crate::context::Context;

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    Serve(serve::ServeArgs),
    Reset(reset::ResetArgs),
}

pub async fn run(ctx: &Context, cmd: SandboxCommand) -> anyhow::Result<()> {
    match cmd {
        SandboxCommand::Serve(args) => serve::run(ctx, args).await,
        SandboxCommand::Reset(args) => reset::run(ctx, args).await,
    }
}
