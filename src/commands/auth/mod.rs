//! `tokenctl auth`: log in, check and remove stored credentials.

mod login;
mod logout;
mod status;
mod token;

use clap::Subcommand;

use crate::config::Profile;
use crate::context::{Context, Origin, Resolved};
use crate::credentials::{Credential, Secretish, Source};
use crate::error::CliError;
use crate::vendor::Client;

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

/// Checks a secret with the vendor by a cheap authenticated read; says what it learnt.
pub async fn check(
    ctx: &Context,
    name: &str,
    profile: &Profile,
    secret: &Secretish,
) -> anyhow::Result<String> {
    let (base_url, profile) = ctx.endpoint(name, profile).await?;
    let facts = profile.vendor.facts();
    if let Some(var) = facts.account_var
        && profile.account_id.is_none()
        && facts.account_id.is_some()
    {
        return Err(CliError::usage(format!(
            "a {} profile needs --account (or {var})",
            facts.display
        ))
        .into());
    }
    if facts.projects && profile.project_id.is_none() {
        return Err(CliError::usage(format!(
            "a {} profile needs a default project (--project) to check the token",
            facts.display
        ))
        .into());
    }
    let r = Resolved {
        name: name.to_owned(),
        profile,
        origin: Origin::Configured,
        base_url,
        credential: Credential {
            secret: secret.clone(),
            source: Source::Keyring,
        },
    };
    Client::connect(ctx, &r)?.check(&r).await
}
