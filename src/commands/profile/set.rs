//! `profile set`

use clap::Args;

use super::{apply_settings, no_such_profile};
use crate::context::Context;
use crate::error::usage;

/// Change a profile's settings. An empty value ("") removes a setting.
#[derive(Debug, Args)]
#[command(
    after_long_help = crate::vendor::help::all_vendors("Examples:\n  tokenctl profile set prod --account 023e105f4ecef8ad9ca31a8372d0c353\n  tokenctl profile set prod --base-url ''")
)]
pub struct SetArgs {
    /// Profile name
    name: String,

    /// API base URL ("" for the vendor's default)
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,

    /// Default account ID
    #[arg(long, value_name = "ID")]
    account: Option<String>,

    /// Default project ID
    #[arg(long, value_name = "ID")]
    project: Option<String>,

    /// A command that prints the secret (e.g. `op read op://vault/cf/token`), run through
    /// `sh -c` each time it is needed instead of reading a stored secret
    #[arg(long = "from-command", value_name = "COMMAND")]
    credential_command: Option<String>,
}

pub fn run(ctx: &Context, args: SetArgs) -> anyhow::Result<()> {
    if args.base_url.is_none()
        && args.account.is_none()
        && args.project.is_none()
        && args.credential_command.is_none()
    {
        return usage("nothing to change: give --base-url, --account, --project or --from-command");
    }
    ctx.update_config(|config| {
        let profile = config
            .profiles
            .get_mut(&args.name)
            .ok_or_else(|| no_such_profile(&args.name))?;
        apply_settings(
            profile,
            args.base_url,
            args.account,
            args.project,
            args.credential_command,
        )
    })?;
    ctx.ui.status(&format!("Updated profile '{}'.", args.name));
    Ok(())
}
