//! Where a newly issued secret goes besides the screen: `--save-as PROFILE` (the keyring) and
//! `--secret-file PATH` (created 0600, never overwritten without `--force`).
//!
//! Each is a [`Sink`] value: checked before the request is sent, written before the secret is
//! printed (see [`hand_over`](super::hand_over)). A sink that fails still lets the secret reach
//! the user; the command then exits non-zero.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;

use crate::config::{Profile, Vendor, validate_profile_name};
use crate::context::{Context, Resolved};
use crate::credentials;
use crate::error::CliError;
use crate::files;
use crate::output::Issued;

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
    /// `--secret-file` as a sink, if given.
    pub fn sinks(&self) -> Vec<Box<dyn Sink + '_>> {
        let file = self.secret_file.as_deref().map(|path| SecretFile {
            path,
            force: self.force,
        });
        file.into_iter().map(|s| Box::new(s) as _).collect()
    }
}

impl SinkArgs {
    /// The sinks asked for, in the order they are checked and written: the file, then the
    /// profile. `vendor` is the issuing profile's, which a `--save-as` profile must share.
    pub fn sinks(&self, vendor: Vendor) -> Vec<Box<dyn Sink + '_>> {
        let mut sinks = self.file.sinks();
        if let Some(name) = &self.save_as {
            sinks.push(Box::new(SaveAs { name, vendor }));
        }
        sinks
    }
}

/// A place a newly issued secret goes besides the screen. [`hand_over`](super::hand_over)
/// checks every sink before the request and writes them after it, before the one print; a new
/// kind of sink is one more implementation.
pub trait Sink {
    /// Refuses, before anything is sent, a sink that could not take the secret, so that a bad
    /// one costs no new secret.
    fn check(&self, ctx: &Context) -> anyhow::Result<()>;

    /// Delivers the secret `from` the issuing profile; the error says which place did not get
    /// it, and never contains the secret.
    fn write(&self, ctx: &Context, from: &Resolved, issued: &dyn Issued) -> anyhow::Result<()>;
}

/// `--secret-file PATH`: created 0600, never replacing a file without `--force`.
struct SecretFile<'a> {
    path: &'a Path,
    force: bool,
}

impl Sink for SecretFile<'_> {
    fn check(&self, _: &Context) -> anyhow::Result<()> {
        let (path, force) = (self.path, self.force);
        // A dangling symlink is a name that exists too: creating through it is refused.
        let exists = path.exists() || std::fs::symlink_metadata(path).is_ok();
        if exists && !force {
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

    fn write(&self, ctx: &Context, _: &Resolved, issued: &dyn Issued) -> anyhow::Result<()> {
        let contents = issued.secret_file();
        create_secret_file(
            self.path,
            self.force,
            &contents,
            "the secret was being issued",
        )
        .with_context(|| format!("writing the secret to {}", self.path.display()))?;
        ctx.ui.note_secret_kept();
        ctx.ui.status(&format!(
            "Wrote the new secret to {} (mode 0600).",
            self.path.display()
        ));
        Ok(())
    }
}

/// `--save-as PROFILE`: the secret stored in the keyring as that profile (created if missing).
struct SaveAs<'a> {
    name: &'a str,
    vendor: Vendor,
}

impl Sink for SaveAs<'_> {
    fn check(&self, ctx: &Context) -> anyhow::Result<()> {
        let (name, vendor) = (self.name, self.vendor);
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

    fn write(&self, ctx: &Context, from: &Resolved, issued: &dyn Issued) -> anyhow::Result<()> {
        let name = self.name;
        save_profile(ctx, name, from, issued)
            .with_context(|| format!("saving the secret as profile '{name}'"))?;
        ctx.ui.note_secret_kept();
        ctx.ui
            .status(&format!("Saved the new secret as profile '{name}'."));
        Ok(())
    }
}

/// The profile's own stored credential, when the command replaced the very secret it
/// authenticates with. Not a place the user names: the command decides after the request.
pub(super) struct OwnCredential;

impl Sink for OwnCredential {
    fn check(&self, _: &Context) -> anyhow::Result<()> {
        Ok(())
    }

    fn write(&self, ctx: &Context, from: &Resolved, issued: &dyn Issued) -> anyhow::Result<()> {
        match issued.token() {
            Some(token) => ctx.replace_own_secret(from, token),
            None => Ok(()),
        }
    }
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
