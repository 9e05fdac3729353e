//! `auth logout`

use clap::Args;

use crate::context::Context;
use crate::credentials;
use crate::error::CliError;

/// Remove a profile's stored secret (the profile itself stays).
#[derive(Debug, Args)]
#[command(
    after_long_help = crate::vendor::help::all_vendors("Examples:\n  tokenctl auth logout -p prod")
)]
pub struct LogoutArgs {}

pub fn run(ctx: &Context, _args: LogoutArgs) -> anyhow::Result<()> {
    let config = ctx.config()?;
    let Some(name) = ctx
        .globals
        .profile
        .clone()
        .or_else(|| config.default_profile.clone())
    else {
        return Err(CliError::usage("which profile? pass -p NAME").into());
    };
    let Some(profile) = config.profiles.get(&name) else {
        return Err(
            CliError::not_configured(format!("no profile named '{name}'"))
                .with_hint("see `tokenctl profile list`")
                .into(),
        );
    };
    let removed = credentials::store_for(profile, &ctx.paths).delete(&name)?;
    if removed {
        ctx.ui
            .status(&format!("Removed the stored secret of profile '{name}'."));
    } else {
        ctx.ui
            .status(&format!("Profile '{name}' had no stored secret."));
    }
    if let Some(c) = credentials::from_env(&ctx.env, profile.vendor, profile) {
        ctx.ui.warn(&format!(
            "a secret is still set in the environment ({})",
            c.source
        ));
    }
    Ok(())
}
