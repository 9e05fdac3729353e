//! `profile list`

use clap::Args;

use super::ProfileView;
use crate::context::Context;
use crate::output;

/// List the profiles (in sandbox mode, the sandbox's ready-made ones first).
#[derive(Debug, Args)]
#[command(
    after_long_help = crate::vendor::help::all_vendors("Examples:\n  tokenctl profile list\n  tokenctl profile list -o id")
)]
pub struct ListArgs {}

pub async fn run(ctx: &Context, _args: ListArgs) -> anyhow::Result<()> {
    let config = ctx.config()?;
    let mut views: Vec<ProfileView> = Vec::new();
    if ctx.sandbox_mode() {
        views.extend(super::sandbox_views(ctx).await?);
    }
    views.extend(
        config
            .profiles
            .iter()
            .map(|(n, p)| ProfileView::new(n, p, config.default_profile.as_deref() == Some(n))),
    );
    output::list(&ctx.ui, ctx.format(), &views, "profiles")
}
