//! `profile show`

use clap::Args;

use super::{ProfileView, no_such_profile};
use crate::context::Context;
use crate::output::{self, Record};

/// Show one profile's settings (never its secret).
#[derive(Debug, Args)]
#[command(
    after_long_help = crate::vendor::help::all_vendors("Examples:\n  tokenctl profile show prod\n  tokenctl profile show prod --json")
)]
pub struct ShowArgs {
    /// Profile name (default: the default profile)
    name: Option<String>,
}

pub async fn run(ctx: &Context, args: ShowArgs) -> anyhow::Result<()> {
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
    if ctx.sandbox_mode()
        && let Some(view) = super::sandbox_views(ctx)
            .await?
            .into_iter()
            .find(|v| v.id() == name)
    {
        return output::one(&ctx.ui, ctx.format(), &view);
    }
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
