//! `profile remove`

use clap::Args;

use super::no_such_profile;
use crate::context::Context;
use crate::credentials;

/// Remove a profile and its stored secret.
#[derive(Debug, Args)]
#[command(
    after_long_help = crate::vendor::help::all_vendors("Examples:\n  tokenctl profile remove staging")
)]
pub struct RemoveArgs {
    /// Profile name
    name: String,
}

pub fn run(ctx: &Context, args: RemoveArgs) -> anyhow::Result<()> {
    let profile = ctx.update_config(|config| {
        let profile = config
            .profiles
            .remove(&args.name)
            .ok_or_else(|| no_such_profile(&args.name))?;
        if config.default_profile.as_deref() == Some(&args.name) {
            config.default_profile = None;
        }
        Ok(profile)
    })?;
    if let Err(e) = credentials::store_for(&profile, &ctx.paths).delete(&args.name) {
        let e = anyhow::Error::new(e);
        ctx.ui.warn(&format!(
            "the profile's stored secret could not be removed: {}",
            crate::error::message(&e)
        ));
    }
    ctx.ui.status(&format!("Removed profile '{}'.", args.name));
    Ok(())
}
