//! `--save-as PROFILE` and `--deliver keyring:PROFILE`, and the profile's own credential:
//! the secret stored as a profile.

use anyhow::Context as _;

use super::{Delivered, Sink};
use crate::config::{Profile, Vendor, validate_profile_name};
use crate::context::{Context, Resolved};
use crate::credentials;
use crate::error::CliError;
use crate::output::Issued;

/// `--save-as PROFILE`: the secret stored in the keyring as that profile (created if missing).
pub(super) struct SaveAs {
    pub name: String,
    pub vendor: Vendor,
}

impl Sink for SaveAs {
    fn check(&self, ctx: &Context) -> anyhow::Result<()> {
        let (name, vendor) = (self.name.as_str(), self.vendor);
        validate_profile_name(name).map_err(CliError::usage)?;
        let config = ctx.config()?;
        let existing = config.profiles.get(name);
        if let Some(p) = existing
            && p.vendor != vendor
        {
            return Err(CliError::usage(format!(
                "--save-as {name}: that profile is a {} profile",
                p.vendor
            ))
            .into());
        }
        // An unreachable keyring is known now, before a secret exists that could not be kept.
        let store = credentials::store_for(existing.unwrap_or(&Profile::new(vendor)), &ctx.paths);
        store
            .get(name)
            .with_context(|| format!("--save-as {name}"))?;
        Ok(())
    }

    fn write(&self, ctx: &Context, from: &Resolved, it: &Delivered<'_>) -> anyhow::Result<()> {
        let name = self.name.as_str();
        save_profile(ctx, name, from, it.issued)
            .with_context(|| format!("saving the secret as profile '{name}'"))?;
        ctx.ui.note_secret_kept();
        ctx.ui
            .status(&format!("Saved the new secret as profile '{name}'."));
        Ok(())
    }
}

/// The profile's own stored credential, when the command replaced the very secret it
/// authenticates with. Not a place the user names: the command decides after the request.
pub(crate) struct OwnCredential;

impl Sink for OwnCredential {
    fn check(&self, _: &Context) -> anyhow::Result<()> {
        Ok(())
    }

    fn write(&self, ctx: &Context, from: &Resolved, it: &Delivered<'_>) -> anyhow::Result<()> {
        match it.issued.token() {
            Some(token) => ctx.replace_own_secret(from, token),
            None => Ok(()),
        }
    }
}

/// Stores the secret and the profile under config.toml's lock: parallel runs keep each other's
/// profiles, and a secret that could not be stored leaves config.toml as it was.
fn save_profile(
    ctx: &Context,
    name: &str,
    from: &Resolved,
    issued: &dyn Issued,
) -> anyhow::Result<()> {
    let secret = issued
        .token()
        .ok_or_else(|| CliError::usage("this secret is not a token a profile can use"))?;
    ctx.update_config(|config| {
        let profile = config.profiles.entry(name.to_owned()).or_insert_with(|| {
            let mut p = Profile::new(from.profile.vendor);
            p.account_id = from.profile.account_id.clone();
            p.project_id = from.profile.project_id.clone();
            if !ctx.sandbox_mode() {
                p.base_url = from.profile.base_url.clone();
            }
            p
        });
        // A saved token is a token, even when the issuing profile used a Global API Key.
        profile.email = None;
        credentials::store_for(profile, &ctx.paths)
            .set(name, secret)
            .context("storing the secret")?;
        Ok(())
    })
}
