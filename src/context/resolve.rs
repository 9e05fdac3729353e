//! A chosen profile made ready to use: its base URL (the embedded sandbox's in sandbox mode),
//! its account and project, and its credential, checked before any request.

use anyhow::Context as _;
use reqwest::Url;

use super::{Context, sandbox_profile_name};
use crate::config::{Profile, Vendor};
use crate::credentials::{self, Credential, Secretish, Source};
use crate::error::CliError;
use crate::output::shell::word;
use tokenctl_api::http::{check_base_url, unsafe_segment};
use tokenctl_api::secret::Secret;

/// Where a profile came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A profile in config.toml.
    Configured,
    /// A ready-made profile of the embedded sandbox.
    Sandbox,
    /// No profile: everything from environment variables.
    EnvOnly,
}

/// A profile with everything needed to talk to its vendor.
#[derive(Clone)]
pub struct Resolved {
    pub name: String,
    pub profile: Profile,
    pub origin: Origin,
    pub base_url: Url,
    pub credential: Credential,
}

impl Context {
    /// The profile for `vendor` with its base URL and credential.
    pub async fn resolve(&self, vendor: Vendor) -> anyhow::Result<Resolved> {
        let (name, profile, origin) = self.select_profile(vendor)?;
        self.resolve_named(name, profile, origin).await
    }

    /// A chosen profile with its base URL and credential.
    pub async fn resolve_named(
        &self,
        name: String,
        mut profile: Profile,
        origin: Origin,
    ) -> anyhow::Result<Resolved> {
        let base_url = self.base_url_for(&name, &mut profile, origin).await?;
        let credential = if origin == Origin::Sandbox {
            let conn = self.sandbox_connection(profile.vendor).await?;
            Credential {
                secret: Secretish::Token(Secret::new(conn.token)),
                source: Source::Sandbox,
            }
        } else {
            self.stored_credential(&name, &profile, origin)?
        };
        Ok(Resolved {
            name,
            profile,
            origin,
            base_url,
            credential,
        })
    }

    /// The base URL a profile talks to (the embedded sandbox in sandbox mode). Fills in the
    /// account from the sandbox or the environment when the profile has none.
    async fn base_url_for(
        &self,
        name: &str,
        profile: &mut Profile,
        origin: Origin,
    ) -> anyhow::Result<Url> {
        let vendor = profile.vendor;
        if origin == Origin::Configured {
            check_profile_ids(name, profile)?;
        }
        if self.sandbox_mode() {
            let conn = self.sandbox_connection(vendor).await?;
            if (profile.account_id.is_none() || origin == Origin::Sandbox)
                && !conn.account_id.is_empty()
            {
                profile.account_id = Some(conn.account_id.clone());
            }
            if profile.project_id.is_none() || origin == Origin::Sandbox {
                profile.project_id = profile.project_id.take().or(conn.project_id.clone());
            }
            return check_base_url(&conn.base_url).map_err(|e| CliError::failure(e).into());
        }
        let raw = profile
            .base_url
            .clone()
            .or_else(|| self.env.non_empty(vendor.base_url_var()))
            .or_else(|| vendor.default_base_url().map(str::to_owned))
            .ok_or_else(|| {
                CliError::not_configured(format!(
                    "profile '{name}' has no base URL, and {vendor} has no default"
                ))
                .with_hint(format!(
                    "set one with `tokenctl profile set {} --base-url URL` or {}",
                    word(name),
                    vendor.base_url_var()
                ))
            })?;
        let base = check_base_url(&raw).map_err(CliError::not_configured)?;
        if profile.account_id.is_none()
            && let Some(var) = vendor.account_var()
        {
            profile.account_id = self.env.non_empty(var);
            if let Some(a) = &profile.account_id {
                check_id(a, var, format!("set {var} to the account's ID"))?;
            }
        }
        Ok(base)
    }

    /// The secret for a configured or environment-only profile, in the documented order.
    fn stored_credential(
        &self,
        name: &str,
        profile: &Profile,
        origin: Origin,
    ) -> anyhow::Result<Credential> {
        if let Some(c) = credentials::from_env(&self.env, profile.vendor, profile) {
            return Ok(c);
        }
        if origin == Origin::Configured
            && let Some(command) = &profile.credential_command
        {
            let secret = credentials::command::run(name, command, &self.env, self.globals.timeout)?;
            return Ok(credentials::stored_credential(
                profile,
                secret,
                Source::Command,
            ));
        }
        if origin == Origin::Configured {
            let store = credentials::store_for(profile, &self.paths);
            if let Some(secret) = store.get(name)? {
                let source = match profile.storage {
                    Some(crate::config::Storage::File) => {
                        Source::File(self.paths.credentials_file().display().to_string())
                    }
                    _ => Source::Keyring,
                };
                return Ok(credentials::stored_credential(profile, secret, source));
            }
        }
        Err(
            CliError::not_configured(format!("no credential for profile '{name}'"))
                .with_hint(format!(
                    "run `tokenctl auth login -p {}` or set {}",
                    word(name),
                    profile.vendor.token_var()
                ))
                .into(),
        )
    }

    /// Saves a new secret as the profile's credential, where it came from. Used when a command
    /// replaced the very secret the profile authenticates with.
    pub fn replace_own_secret(&self, resolved: &Resolved, secret: &Secret) -> anyhow::Result<()> {
        match &resolved.credential.source {
            Source::Sandbox => {
                if self.adopt_sandbox_secret(resolved.profile.vendor, secret.expose()) {
                    self.ui.status(&format!(
                        "Profile '{}' signs in with the new token from now on.",
                        resolved.name
                    ));
                }
                Ok(())
            }
            Source::Env(var) => {
                self.ui.warn(&format!(
                    "the token in {var} was replaced: put the new value in {var} (the old value works only until the old token is retired)"
                ));
                Ok(())
            }
            Source::Command => {
                self.ui.warn(&format!(
                    "the token profile '{}' reads with its credential_command was replaced: put the new value where the command reads it (the old value works only until the old token is retired)",
                    resolved.name
                ));
                Ok(())
            }
            Source::Keyring | Source::File(_) => {
                credentials::store_for(&resolved.profile, &self.paths)
                    .set(&resolved.name, secret)
                    .with_context(|| {
                        format!("storing the new secret for profile '{}'", resolved.name)
                    })?;
                self.ui.status(&format!(
                    "Updated the stored credential of profile '{}'.",
                    resolved.name
                ));
                Ok(())
            }
        }
    }

    /// The base URL a profile talks to, and the profile with its defaults filled in.
    pub async fn endpoint(&self, name: &str, profile: &Profile) -> anyhow::Result<(Url, Profile)> {
        let mut profile = profile.clone();
        let origin = if self.sandbox_mode() && name == sandbox_profile_name(profile.vendor) {
            Origin::Sandbox
        } else {
            Origin::Configured
        };
        let base = self.base_url_for(name, &mut profile, origin).await?;
        Ok((base, profile))
    }
}

/// Refuses a configured account or project ID that cannot be a URL path segment (`..` would
/// make every request go to another path), naming the profile's key.
fn check_profile_ids(name: &str, profile: &Profile) -> Result<(), CliError> {
    if let Some(a) = &profile.account_id {
        check_id(
            a,
            &format!("account_id of profile '{name}'"),
            format!("fix it with `tokenctl profile set {name} --account ID`"),
        )?;
    }
    if let Some(p) = &profile.project_id {
        check_id(
            p,
            &format!("project_id of profile '{name}'"),
            format!("fix it with `tokenctl profile set {name} --project ID`"),
        )?;
    }
    Ok(())
}

/// A usage error (exit 2) naming `source` when `id` cannot be a URL path segment.
pub(crate) fn check_id(id: &str, source: &str, hint: String) -> Result<(), CliError> {
    match unsafe_segment(id) {
        None => Ok(()),
        Some(why) => Err(CliError::usage(format!(
            "{source} is {id:?}: {why}, so it cannot be an ID in a request path"
        ))
        .with_hint(hint)),
    }
}
