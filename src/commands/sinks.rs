//! Where a newly issued secret goes besides the screen: `--save-as PROFILE` (the keyring) and
//! `--secret-file PATH` (created 0600, never overwritten without `--force`).
//!
//! Both are checked before the request is sent, and written before the secret is printed. A sink
//! that fails still lets the secret reach the user; the command then exits non-zero.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;

use crate::config::{Profile, Vendor, validate_profile_name};
use crate::context::{Context, Resolved};
use crate::credentials;
use crate::error::CliError;
use crate::files;
use tokenctl_api::secret::Secret;

#[derive(Debug, Args, Clone, Default)]
pub struct SinkArgs {
    /// Also store the new secret in the keyring as profile NAME (created if missing)
    #[arg(long, value_name = "PROFILE")]
    pub save_as: Option<String>,

    #[command(flatten)]
    pub file: SecretFileArgs,
}

/// `--secret-file` and `--force`, for every verb that issues a secret.
#[derive(Debug, Args, Clone, Default)]
pub struct SecretFileArgs {
    /// Also write the new secret to FILE, created with mode 0600
    #[arg(long, value_name = "FILE")]
    pub secret_file: Option<PathBuf>,

    /// Let --secret-file replace an existing file
    #[arg(long)]
    pub force: bool,
}

impl SecretFileArgs {
    /// Checks the file before anything is sent.
    pub fn check(&self) -> anyhow::Result<()> {
        let Some(path) = &self.secret_file else {
            return Ok(());
        };
        // A dangling symlink is a name that exists too: creating through it is refused.
        let exists = path.exists() || std::fs::symlink_metadata(path).is_ok();
        if exists && !self.force {
            return Err(CliError::usage(format!(
                "{} already exists; pass --force to replace it, or choose another --secret-file",
                path.display()
            ))
            .into());
        }
        if path.is_dir() {
            return Err(CliError::usage(format!("{} is a directory", path.display())).into());
        }
        // --force replaces a regular file only: never a device, FIFO or socket (or a link to one).
        if let Ok(meta) = std::fs::metadata(path)
            && !meta.is_file()
        {
            return Err(CliError::usage(format!(
                "{} is not a regular file; --secret-file writes only regular files",
                path.display()
            ))
            .with_hint("choose a path for a new file")
            .into());
        }
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(dir) = parent
            && !dir.is_dir()
        {
            return Err(
                CliError::usage(format!("the directory {} does not exist", dir.display())).into(),
            );
        }
        Ok(())
    }

    /// Writes the file; a failure is returned, not raised, so the secret is still printed.
    pub fn write(&self, ctx: &Context, contents: &str) -> Option<anyhow::Error> {
        let path = self.secret_file.as_ref()?;
        match write_secret_file(path, self.force, contents) {
            Ok(()) => {
                ctx.ui.note_secret_kept();
                ctx.ui.status(&format!(
                    "Wrote the new secret to {} (mode 0600).",
                    path.display()
                ));
                None
            }
            Err(e) => Some(e.context(format!("writing the secret to {}", path.display()))),
        }
    }
}

impl SinkArgs {
    /// Checks the sinks before anything is sent, so a bad one costs no new secret.
    pub fn check(&self, ctx: &Context, vendor: Vendor) -> anyhow::Result<()> {
        self.file.check()?;
        if let Some(name) = &self.save_as {
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
            let store =
                credentials::store_for(existing.unwrap_or(&Profile::new(vendor)), &ctx.paths);
            store
                .get(name)
                .with_context(|| format!("--save-as {name}"))?;
        }
        Ok(())
    }

    /// Writes every sink; returns the failures (already described) instead of stopping, so the
    /// caller still prints the secret.
    pub fn write(
        &self,
        ctx: &Context,
        from: &Resolved,
        secret: &Secret,
        file_contents: &str,
    ) -> Vec<anyhow::Error> {
        let mut failures: Vec<anyhow::Error> =
            self.file.write(ctx, file_contents).into_iter().collect();
        if let Some(name) = &self.save_as {
            match save_profile(ctx, name, from, secret) {
                Ok(()) => {
                    ctx.ui.note_secret_kept();
                    ctx.ui
                        .status(&format!("Saved the new secret as profile '{name}'."))
                }
                Err(e) => {
                    failures.push(e.context(format!("saving the secret as profile '{name}'")))
                }
            }
        }
        failures
    }
}

fn write_secret_file(path: &std::path::Path, force: bool, contents: &str) -> anyhow::Result<()> {
    create_secret_file(path, force, contents, "the secret was being issued")
}

/// Creates a secret file in one step (see [`files::write_new_private`]): readers never see
/// half of it, and a failed write leaves nothing at the name, so a retry needs no --force. A
/// file that appeared at the name `while` the secret was issued is not replaced without --force.
pub(crate) fn create_secret_file(
    path: &std::path::Path,
    force: bool,
    contents: &str,
    while_: &str,
) -> anyhow::Result<()> {
    match files::write_new_private(path, force, contents.as_bytes()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(CliError::failure(format!(
            "{} appeared while {while_}; pass --force to replace it",
            path.display()
        ))
        .into()),
        Err(e) => Err(e.into()),
    }
}

/// Stores the secret and the profile under config.toml's lock: parallel runs keep each other's
/// profiles, and a secret that could not be stored leaves config.toml as it was.
fn save_profile(ctx: &Context, name: &str, from: &Resolved, secret: &Secret) -> anyhow::Result<()> {
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

/// Turns sink failures into the command's error, after the secret was printed.
pub fn finish(failures: Vec<anyhow::Error>) -> anyhow::Result<()> {
    let mut iter = failures.into_iter();
    match iter.next() {
        None => Ok(()),
        Some(first) => {
            for other in iter {
                eprintln!(
                    "error: {}",
                    crate::output::visible(&crate::error::message(&other))
                );
            }
            Err(first.context(
                "the new secret was printed above, but a place you asked for did not get it",
            ))
        }
    }
}
