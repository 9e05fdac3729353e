//! `profile use`

use clap::Args;

use super::no_such_profile;
use crate::context::Context;

/// Make a profile the default.
#[derive(Debug, Args)]
#[command(
    after_long_help = crate::vendor::help::all_vendors("Examples:\n  tokenctl profile use prod")
)]
pub struct UseArgs {
    /// Profile name
    name: String,
}

pub fn run(ctx: &Context, args: UseArgs) -> anyhow::Result<()> {
    ctx.update_config(|config| {
        if !config.profiles.contains_key(&args.name) {
            return Err(no_such_profile(&args.name));
        }
        config.default_profile = Some(args.name.clone());
        Ok(())
    })?;
    ctx.ui
        .status(&format!("Default profile is now '{}'.", args.name));
    Ok(())
}
