//! `profile add`

use clap::Args;

use super::apply_settings;
use crate::config::{Profile, Vendor, validate_profile_name};
use crate::context::Context;
use crate::error::{CliError, usage};

/// Add a profile. Store its secret afterwards with `tokenctl auth login -p NAME`.
#[derive(Debug, Args)]
#[command(
    after_long_help = crate::vendor::help::all_vendors(&format!("Examples:
  tokenctl profile add prod --vendor {v} --account 023e105f4ecef8ad9ca31a8372d0c353
  tokenctl profile add staging --vendor {v} --account 023e105f4ecef8ad9ca31a8372d0c353 --default", v = Vendor::DEFAULT))
)]
pub struct AddArgs {
    /// Profile name (letters, digits, '-', '_', '.')
    #[arg(value_parser = parse_name)]
    name: String,

    /// The vendor this profile talks to
    #[arg(long, value_enum)]
    vendor: Vendor,

    #[arg(long, value_name = "URL", help = crate::vendor::help::base_url_arg())]
    base_url: Option<String>,

    /// Default account ID
    #[arg(long, value_name = "ID")]
    account: Option<String>,

    /// Default project ID
    #[arg(long, value_name = "ID")]
    project: Option<String>,

    /// Make it the default profile
    #[arg(long)]
    default: bool,

    /// A command that prints the secret (e.g. `op read op://vault/cf/token`), run through
    /// `sh -c` each time it is needed instead of reading a stored secret
    #[arg(long = "from-command", value_name = "COMMAND")]
    credential_command: Option<String>,
}

fn parse_name(s: &str) -> Result<String, String> {
    validate_profile_name(s).map(|()| s.to_owned())
}

pub fn run(ctx: &Context, args: AddArgs) -> anyhow::Result<()> {
    ctx.update_config(|config| {
        if config.profiles.contains_key(&args.name) {
            return Err(
                CliError::usage(format!("profile '{}' already exists", args.name))
                    .with_hint(format!(
                        "change it with `tokenctl profile set {}`",
                        args.name
                    ))
                    .into(),
            );
        }
        if args.name.starts_with("sandbox-") {
            return usage("profile names starting with 'sandbox-' are reserved for the sandbox");
        }
        let mut profile = Profile::new(args.vendor);
        apply_settings(
            &mut profile,
            args.base_url,
            args.account,
            args.project,
            args.credential_command,
        )?;
        config.profiles.insert(args.name.clone(), profile);
        if args.default || config.default_profile.is_none() {
            config.default_profile = Some(args.name.clone());
        }
        Ok(())
    })?;
    ctx.ui.status(&format!(
        "Added profile '{}'. Store its secret with `tokenctl auth login -p {}`.",
        args.name, args.name
    ));
    Ok(())
}
