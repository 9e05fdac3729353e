//! `profile show`

use clap::Args;

use super::{ProfileView, no_such_profile};
use crate::context::Context;
use crate::output;

/// Show one profile's settings (never its secret).
#[derive(Debug, Args)]
#[command(
    after_long_help = crate::vendor::help::all_vendors("Examples:\n  tokenctl profile show prod\n  tokenctl profile show prod --json")
)]
pub struct ShowArgs {
    /// Profile name (default: the default profile)
    name: Option<String>,
}

pub fn run(ctx: &Context, args: ShowArgs) -> anyhow::Result<()> {
    let config = ctx.config()?;
    let name = args
        .name
        .or_else(|| ctx.globals.profile.clone())
        .or_else(|| config.default_profile.clone());
    let Some(name) = name else {
        return Err(crate::error::CliError::usage(
            "which profile? name one, or set a default with `tokenctl profile use`",
        )
        .into());
    };
    let profile = config
        .profiles
        .get(&name)
        .ok_or_else(|| no_such_profile(&name))?;
    output::one(
        &ctx.ui,
        ctx.format(),
        &ProfileView::new(
            &name,
            profile,
            config.default_profile.as_deref() == Some(&name),
        ),
    )
}
