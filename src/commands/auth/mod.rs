//! `tokenctl auth`: log in, check and remove stored credentials.

mod login;
mod logout;
mod status;
mod token;

use clap::Subcommand;

use crate::config::{Profile, Vendor};
use crate::context::Context;
use crate::credentials::Secretish;
use crate::error::{CliError, Exit};

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
    let token = match secret {
        Secretish::Token(t) => t.clone(),
        Secretish::GlobalKey { email, .. } => {
            let (cf, _) = ctx.cloudflare_for(name, profile, secret.clone()).await?;
            cf.check_service_token_access()
                .await
                .map_err(|e| anyhow::Error::new(e).context("checking the Global API Key"))?;
            return Ok(format!("Global API Key of {email} works"));
        }
    };
    let what = "checking the token";
    let (base, profile) = ctx.endpoint(name, profile).await?;
    let http = ctx.http_for(&base)?;
    match profile.vendor {
        Vendor::Cloudflare => {
            let cf = ctx.cloudflare_client(name, &profile, &base, secret)?;
            let v = cf
                .verify_token()
                .await
                .map_err(|e| anyhow::Error::new(e).context(what))?;
            if v.status != "active" {
                return Err(CliError::new(
                    Exit::Unauthorized,
                    format!("the token is {}, not active", v.status),
                )
                .into());
            }
            Ok(format!("token {} is active", v.id))
        }
        Vendor::Mailtrap => {
            let Some(account) = profile.account_id.clone() else {
                return Err(CliError::usage(
                    "a Mailtrap profile needs --account (or MAILTRAP_ACCOUNT_ID)",
                )
                .into());
            };
            let mt = tokenctl_api::vendors::mailtrap::Mailtrap::new(
                http,
                base,
                token,
                account,
                ctx.notices(),
            );
            let n = mt
                .list()
                .await
                .map_err(|e| anyhow::Error::new(e).context(what))?
                .len();
            Ok(format!("token works ({n} tokens visible)"))
        }
        Vendor::Prefactor => {
            let pf =
                tokenctl_api::vendors::prefactor::Prefactor::new(http, base, token, ctx.notices());
            pf.check()
                .await
                .map_err(|e| anyhow::Error::new(e).context(what))?;
            Ok("token works".into())
        }
        Vendor::Mosquitto => {
            let Some(project) = profile.project_id.clone() else {
                return Err(CliError::usage(
                    "a Mosquitto profile needs a default project (--project) to check the token",
                )
                .into());
            };
            let mq = tokenctl_api::vendors::mosquitto::Mosquitto::new(
                http,
                base,
                token,
                project.clone(),
                ctx.notices(),
            );
            let n = mq
                .list()
                .await
                .map_err(|e| anyhow::Error::new(e).context(what))?
                .len();
            Ok(format!("token works ({n} tokens in project {project})"))
        }
    }
}
