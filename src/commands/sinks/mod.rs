//! Where a newly issued secret goes besides the screen: `--save-as PROFILE` (the keyring),
//! `--secret-file PATH` (created 0600, never overwritten without `--force`) and the `--deliver`
//! sinks (`exec:`, `dotenv:`, and `keyring:`/`file:`, which are the first two again).
//!
//! Each is a [`Sink`] value: checked before the request is sent, written before the secret is
//! printed (see [`hand_over`](super::hand_over)). A sink that fails still lets the secret reach
//! the user; the command then exits non-zero.

mod dotenv;
mod exec;
mod spec;

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;

use crate::config::{Profile, Vendor, validate_profile_name};
use crate::context::{Context, Resolved};
use crate::credentials;
use crate::error::CliError;
use crate::files;
use crate::output::Issued;

pub use spec::{DeliverArgs, DeliverFormat, DeliverSpec};

/// The secret fields of a token a profile can use.
pub const TOKEN_FIELDS: &[&str] = &["token"];
/// The secret fields of a service token (see `Issued::secrets`).
pub const CLIENT_FIELDS: &[&str] = &["client id", "client secret"];

#[derive(Debug, Args, Clone, Default)]
pub struct SinkArgs {
    /// Also store the new secret in the keyring as profile NAME (created if missing)
    #[arg(long, value_name = "PROFILE")]
    pub save_as: Option<String>,

    #[command(flatten)]
    pub file: SecretFileArgs,
}

/// `--secret-file`, `--force` and the `--deliver` flags, for every verb that issues a secret.
#[derive(Debug, Args, Clone, Default)]
pub struct SecretFileArgs {
    /// Also write the new secret to FILE, created with mode 0600
    #[arg(long, value_name = "FILE")]
    pub secret_file: Option<PathBuf>,

    /// Let --secret-file replace an existing file
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub deliver: DeliverArgs,
}

/// What the issuing verb hands over: whose profiles a `keyring:` sink may name (`None` where
/// the verb offers none) and the secret's fields.
#[derive(Clone, Copy)]
pub struct Issuing {
    pub vendor: Option<Vendor>,
    pub fields: &'static [&'static str],
}

impl SecretFileArgs {
    /// `--secret-file` and the `--deliver` sinks, in the order given. Fails (a usage error)
    /// on a sink that cannot take this verb's secret.
    pub fn sinks(&self, issuing: Issuing) -> anyhow::Result<Vec<Box<dyn Sink>>> {
        let mut sinks: Vec<Box<dyn Sink>> = Vec::new();
        if let Some(path) = &self.secret_file {
            sinks.push(Box::new(SecretFile {
                path: path.clone(),
                force: self.force,
            }));
        }
        sinks.extend(self.delivered(issuing, None)?);
        Ok(sinks)
    }

    /// The `--deliver` sinks, for one token of a bulk run (`{id}`, `{name}` expanded) when
    /// `token` is given.
    pub fn delivered(
        &self,
        issuing: Issuing,
        token: Option<(&str, Option<&str>)>,
    ) -> anyhow::Result<Vec<Box<dyn Sink>>> {
        self.deliver
            .deliver
            .iter()
            .map(|spec| match token {
                Some((id, name)) => self.sink(&spec.for_token(id, name), issuing),
                None => self.sink(spec, issuing),
            })
            .collect()
    }

    fn sink(&self, spec: &DeliverSpec, issuing: Issuing) -> anyhow::Result<Box<dyn Sink>> {
        let (kind, target) = spec.describe();
        let sink: Box<dyn Sink> = match spec {
            DeliverSpec::File(path) => Box::new(SecretFile {
                path: path.clone(),
                force: self.force,
            }),
            DeliverSpec::Keyring(name) => match issuing.vendor {
                Some(vendor) if issuing.fields == TOKEN_FIELDS => Box::new(SaveAs {
                    name: name.clone(),
                    vendor,
                }),
                _ => {
                    return Err(CliError::usage(format!(
                        "--deliver keyring:{name}: this command's secret is not one a profile can use"
                    ))
                    .into());
                }
            },
            DeliverSpec::Exec(command) => {
                let exec = exec::Exec {
                    command: command.clone(),
                    timeout: self.deliver.deliver_timeout,
                    format: self.deliver.deliver_format,
                };
                exec.check_fields(issuing.fields)?;
                Box::new(exec)
            }
            DeliverSpec::Dotenv { path, keys } => {
                let dotenv = dotenv::Dotenv {
                    path: path.clone(),
                    keys: keys.clone(),
                };
                dotenv.keys_for(issuing.fields)?;
                Box::new(dotenv)
            }
        };
        Ok(Box::new(Named { kind, target, sink }))
    }
}

impl SecretFileArgs {
    /// For a bulk run: the aggregate `--secret-file` and the `--deliver` sinks that can be
    /// checked before any token is known (those without `{id}` or `{name}`); every sink's
    /// syntax is checked. `keyring:` stores one secret as a profile, so a selection refuses
    /// it, and a `file:` or `dotenv:` path without a placeholder, which every token would
    /// overwrite.
    pub fn bulk_sinks(&self, issuing: Issuing) -> anyhow::Result<Vec<Box<dyn Sink>>> {
        if let Some(DeliverSpec::Keyring(name)) = self
            .deliver
            .deliver
            .iter()
            .find(|s| matches!(s, DeliverSpec::Keyring(_)))
        {
            return Err(CliError::usage(format!(
                "--deliver keyring:{name} stores one secret as a profile; it cannot be used with a selection"
            ))
            .into());
        }
        let mut sinks: Vec<Box<dyn Sink>> = Vec::new();
        if let Some(path) = &self.secret_file {
            sinks.push(Box::new(SecretFile {
                path: path.clone(),
                force: self.force,
            }));
        }
        for spec in &self.deliver.deliver {
            let sink = self.sink(spec, issuing)?;
            let fixed = spec.for_token("", None) == *spec;
            if fixed && matches!(spec, DeliverSpec::File(_) | DeliverSpec::Dotenv { .. }) {
                let (kind, target) = spec.describe();
                return Err(CliError::usage(format!(
                    "--deliver {kind}:{target}: with a selection, every token would write the same file"
                ))
                .with_hint("put {name} or {id} in the path; --secret-file writes one file of them all")
                .into());
            }
            if fixed {
                sinks.push(sink);
            }
        }
        Ok(sinks)
    }
}

impl SinkArgs {
    /// The sinks asked for, in the order they are checked and written: the file, the profile,
    /// then each `--deliver`. `vendor` is the issuing profile's, which a `--save-as` profile
    /// must share.
    pub fn sinks(&self, vendor: Vendor) -> anyhow::Result<Vec<Box<dyn Sink>>> {
        let mut sinks = self.file.sinks(Issuing {
            vendor: Some(vendor),
            fields: TOKEN_FIELDS,
        })?;
        if let Some(name) = &self.save_as {
            let at = usize::from(self.file.secret_file.is_some());
            sinks.insert(
                at,
                Box::new(SaveAs {
                    name: name.clone(),
                    vendor,
                }),
            );
        }
        Ok(sinks)
    }
}

/// A newly issued secret as a sink sees it: the token it belongs to and its fields.
pub struct Delivered<'a> {
    pub id: &'a str,
    pub name: Option<&'a str>,
    pub issued: &'a dyn Issued,
}

/// A `--deliver` sink, whose failures say which one it was.
struct Named {
    kind: &'static str,
    target: String,
    sink: Box<dyn Sink>,
}

impl Sink for Named {
    fn check(&self, ctx: &Context) -> anyhow::Result<()> {
        self.sink.check(ctx)
    }

    fn write(&self, ctx: &Context, from: &Resolved, it: &Delivered<'_>) -> anyhow::Result<()> {
        self.sink
            .write(ctx, from, it)
            .with_context(|| format!("--deliver {}:{}", self.kind, self.target))
    }

    fn describe(&self) -> Option<(&'static str, String)> {
        Some((self.kind, self.target.clone()))
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
    fn write(&self, ctx: &Context, from: &Resolved, it: &Delivered<'_>) -> anyhow::Result<()>;

    /// A `--deliver` sink's kind and target, as JSON output reports its outcome; `None` for
    /// the others, whose outcome JSON output has never shown.
    fn describe(&self) -> Option<(&'static str, String)> {
        None
    }
}

/// `--secret-file PATH`: created 0600, never replacing a file without `--force`.
struct SecretFile {
    path: PathBuf,
    force: bool,
}

impl Sink for SecretFile {
    fn check(&self, _: &Context) -> anyhow::Result<()> {
        let (path, force) = (self.path.as_path(), self.force);
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

    fn write(&self, ctx: &Context, _: &Resolved, it: &Delivered<'_>) -> anyhow::Result<()> {
        let contents = it.issued.secret_file();
        create_secret_file(
            &self.path,
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
struct SaveAs {
    name: String,
    vendor: Vendor,
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
pub(super) struct OwnCredential;

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
