//! `tokenctl auth`: log in, check and remove stored credentials.

mod login;
mod logout;
mod status;
mod token;

use clap::Subcommand;

use crate::context::Context;

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    Login(login::LoginArgs),
    Status(status::StatusArgs),
    Logout(logout::LogoutArgs),
    Token(token::TokenArgs),
}

pub async fn run(ctx: &Context, cmd: AuthCommand) -> anyhow::Result<()> {
    match cmd {
        AuthCommand::Login(args) => login::run(ctx, args).await,
        AuthCommand::Status(args) => status::run(ctx, args).await,
        AuthCommand::Logout(args) => logout::run(ctx, args),
        AuthCommand::Token(args) => token::run(ctx, args).await,
    }
}
