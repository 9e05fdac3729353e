//! Where a newly issued secret goes besides the screen: `--save-as PROFILE` (the keyring),
//! `--secret-file PATH` (created 0600, never overwritten without `--force`) and the `--deliver`
//! sinks (`exec:`, `dotenv:`, and `keyring:`/`file:`, which are the first two again).
//!
//! Each is a [`Sink`] value: checked before the request is sent, written before the secret is
//! printed (see [`hand_over`](super::hand_over)). A sink that fails still lets the secret reach
//! the user; the command then exits non-zero.

mod dotenv;
mod exec;
mod flags;
mod keyring;
mod secret_file;
mod spec;

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;

use crate::config::Vendor;
use crate::context::{Context, Resolved};
use crate::error::CliError;
use crate::output::Issued;

pub(super) use keyring::OwnCredential;
use keyring::SaveAs;
use secret_file::SecretFile;
pub(crate) use secret_file::create_secret_file;
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
