//! `auth token`

use clap::Args;

use crate::config::Vendor;
use crate::context::{Context, sandbox_profile_name};
use crate::credentials::Secretish;
use crate::error::CliError;

/// Print the profile's secret, for piping into another tool.
///
/// Refuses to print to a terminal unless --reveal is given, so the secret does not end up on
/// screen or in a scrollback buffer by accident.
#[derive(Debug, Args)]
#[command(
    after_long_help = crate::vendor::help::all_vendors(&format!("Examples:\n  curl -H \"Authorization: Bearer $(tokenctl auth token -p prod)\" {}/...\n  tokenctl auth token -p prod --reveal", Vendor::DEFAULT.default_base_url().unwrap_or_default()))
)]
pub struct TokenArgs {
    /// Print even when stdout is a terminal
    #[arg(long)]
    reveal: bool,
}

pub async fn run(ctx: &Context, args: TokenArgs) -> anyhow::Result<()> {
    if ctx.ui.stdout_tty && !args.reveal {
        return Err(CliError::usage(
            "refusing to print a secret to the terminal; pipe it, or pass --reveal",
        )
        .into());
    }
    let config = ctx.config()?;
    // The named (or default) profile's vendor; in sandbox mode `sandbox-<vendor>` names one too.
    let vendor = ctx
        .globals
        .profile
        .as_ref()
        .or(config.default_profile.as_ref())
        .and_then(|n| {
            Vendor::ALL
                .into_iter()
                .find(|v| ctx.sandbox_mode() && *n == sandbox_profile_name(*v))
                .or_else(|| config.profiles.get(n).map(|p| p.vendor))
        })
        .unwrap_or(Vendor::DEFAULT);
    let resolved = ctx.resolve(vendor).await?;
    let text = match &resolved.credential.secret {
        Secretish::Token(s) => s.expose().to_owned(),
        Secretish::GlobalKey { key, .. } => key.expose().to_owned(),
    };
    ctx.ui.out(&text)?;
    Ok(())
}
