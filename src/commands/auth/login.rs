//! `auth login`

use clap::Args;

use crate::config::{Profile, Storage, Vendor, validate_profile_name};
use crate::context::Context;
use crate::credentials::{self, CredentialStore, FileStore, KEYRING_SERVICE, KeyringStore};
use crate::error::{CliError, usage};
use crate::ui::read_secret_from_stdin;
use tokenctl_api::http::check_base_url;

/// Store a profile's secret, after checking it with the vendor.
///
/// The secret is read from a hidden prompt, or from stdin with --with-token; never from an
/// argument. It goes to the OS keyring (service `tokenctl`, user = profile name), or with
/// --insecure-storage to a 0600 file for machines without a keyring. The profile is created if
/// it does not exist.
#[derive(Debug, Args)]
#[command(
    after_long_help = crate::vendor::help::all_vendors(&format!("Examples:
  tokenctl auth login -p prod --account 023e105f4ecef8ad9ca31a8372d0c353
  op read op://vault/{}/token | tokenctl auth login -p prod --with-token
  tokenctl auth login -p ci --with-token --insecure-storage < token.txt", Vendor::DEFAULT))
)]
pub struct LoginArgs {
    /// Read the secret from stdin instead of a prompt
    #[arg(long)]
    with_token: bool,

    /// Vendor of a new profile
    #[arg(long, value_enum)]
    vendor: Option<Vendor>,

    #[arg(long, value_name = "ID", help = crate::vendor::help::account_arg())]
    account: Option<String>,

    #[arg(long, value_name = "URL", help = crate::vendor::help::base_url_arg())]
    base_url: Option<String>,

    #[arg(long, value_name = "ID", help = crate::vendor::help::project_arg())]
    project: Option<String>,

    /// Keep the secret in a plain 0600 file instead of the OS keyring
    #[arg(long)]
    insecure_storage: bool,

    #[arg(long, value_name = "EMAIL", help = crate::vendor::help::email_arg())]
    email: Option<String>,
}

pub async fn run(ctx: &Context, args: LoginArgs) -> anyhow::Result<()> {
    let config = ctx.config()?;
    let name = ctx
        .globals
        .profile
        .clone()
        .or_else(|| config.default_profile.clone())
        .unwrap_or_else(|| args.vendor.unwrap_or(Vendor::DEFAULT).name().to_owned());
    validate_profile_name(&name).map_err(CliError::usage)?;
    let mut profile = match config.profiles.get(&name) {
        Some(p) => {
            if let Some(v) = args.vendor
                && v != p.vendor
            {
                return usage(format!(
                    "profile '{name}' is a {} profile, not {v}",
                    p.vendor
                ));
            }
            p.clone()
        }
        None => Profile::new(args.vendor.unwrap_or(Vendor::DEFAULT)),
    };
    if let Some(url) = &args.base_url {
        check_base_url(url).map_err(CliError::usage)?;
        profile.base_url = Some(url.clone());
    }
    if let Some(project) = &args.project {
        profile.project_id = Some(project.clone());
    }
    if profile.vendor.needs_base_url() && profile.base_url.is_none() && !ctx.sandbox_mode() {
        return usage(format!(
            "a {} profile needs --base-url: the platform is self-hosted",
            profile.vendor
        ));
    }
    if let Some(acct) = &args.account {
        if let Err(why) = profile.vendor.check_account_id(acct) {
            return usage(why);
        }
        profile.account_id = Some(acct.clone());
    }
    if let Some(email) = &args.email {
        if profile.vendor.facts().account_key.is_none() {
            return usage(format!(
                "--email goes with a {} only",
                crate::vendor::help::account_keys()
            ));
        }
        if !email.contains('@') {
            return usage(format!("invalid email '{email}'"));
        }
        profile.email = Some(email.clone());
    }
    let storage = if args.insecure_storage {
        Storage::File
    } else {
        Storage::Keyring
    };
    let store: Box<dyn CredentialStore> = match storage {
        Storage::File => Box::new(FileStore::new(ctx.paths.credentials_file())),
        Storage::Keyring => Box::new(KeyringStore::new(KEYRING_SERVICE)),
    };
    // Fail on an unreachable keyring before asking for the secret.
    store.get(&name)?;

    let secret = if args.with_token {
        read_secret_from_stdin(&ctx.ui)?
    } else {
        ctx.ui.prompt_secret(&format!(
            "Paste the {} API token for profile '{name}'",
            profile.vendor
        ))?
    };
    let secretish = match (&profile.email, profile.vendor) {
        (Some(email), v) if v.facts().key_vars().is_some() => credentials::Secretish::GlobalKey {
            email: email.clone(),
            key: secret.clone(),
        },
        _ => credentials::Secretish::Token(secret.clone()),
    };
    let checked = super::check(ctx, &name, &profile, &secretish).await?;

    store.set(&name, &secret)?;
    profile.storage = Some(storage);
    // Written under the lock from a fresh read, so parallel logins keep each other's profiles.
    ctx.update_config(|config| {
        config.profiles.insert(name.clone(), profile.clone());
        if config.default_profile.is_none() {
            config.default_profile = Some(name.clone());
        }
        Ok(())
    })?;
    let place = match storage {
        Storage::Keyring => "the OS keyring".to_owned(),
        Storage::File => format!(
            "{} (plain file, mode 0600)",
            ctx.paths.credentials_file().display()
        ),
    };
    ctx.ui.status(&format!(
        "Logged in as profile '{name}' ({}): {checked}. Secret stored in {place}.",
        profile.vendor
    ));
    if storage == Storage::File {
        ctx.ui.warn(
            "the secret is stored in a plain file; prefer the OS keyring where one is available",
        );
    }
    Ok(())
}
