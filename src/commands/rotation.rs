//! What every noun's `rotate` shares, on one token and over a selection: how it was asked for,
//! and its first step (the journal entry, then the request that makes the new token).

use std::future::Future;

use jiff::SignedDuration;

use crate::commands::sinks::SecretFileArgs;
use crate::context::{Context, Resolved};
use crate::error::CliError;
use crate::journal::{Begin, Running, Step};
use tokenctl_api::http::{ApiError, ApiErrorKind};

/// How a rotation was asked for.
#[derive(Clone)]
pub struct Asked {
    pub grace: SignedDuration,
    pub verify: bool,
    /// The sink flags, recorded in the journal for `rotations resume`: in a bulk run, the
    /// token's own (see `SecretFileArgs::token_flags`).
    pub sinks: Vec<String>,
}

impl Asked {
    /// One token's rotation in a bulk run: its own sinks (`{id}` and `{name}` filled in), for
    /// its journal entry.
    pub fn for_token(&self, file: &SecretFileArgs, id: &str, name: Option<&str>) -> Asked {
        Asked {
            sinks: file.token_flags(id, name),
            ..self.clone()
        }
    }
}

/// Reads the answer to a request made with a new token `id`: a 403 still proves the token
/// authenticates (it may only lack the right to read); any other failure is a failed verify,
/// saying `also` and pointing at `see`, the command that shows the token.
pub fn authenticates<T>(
    read: Result<T, ApiError>,
    id: &str,
    also: &str,
    see: &str,
) -> anyhow::Result<()> {
    match read {
        Ok(_) => Ok(()),
        Err(e) if e.kind == ApiErrorKind::Forbidden => Ok(()),
        Err(e) => Err(
            CliError::failure(format!("the new token {id} did not verify ({e}){also}"))
                .with_hint(format!("see it with `{see}`"))
                .into(),
        ),
    }
}

/// The token a rotation replaces, as the journal records it.
pub struct Old<'a> {
    pub noun: &'a str,
    pub id: &'a str,
    pub name: &'a str,
    /// The tokens that look as its copy will, before the copy exists (see `journal::Entry`).
    pub siblings: Vec<String>,
    /// What the create request is said as while in flight, and the command that shows
    /// whether it happened.
    pub what: String,
    pub check: String,
}

/// The IDs of the tokens in `all` that look as a rotation's copy will (`alike`), taken before
/// the copy exists (see `journal::Entry::siblings`).
pub fn siblings<T>(
    all: &[T],
    alike: impl Fn(&T) -> bool,
    id: impl Fn(&T) -> &String,
) -> Vec<String> {
    all.iter()
        .filter(|t| alike(t))
        .map(|t| id(t).clone())
        .collect()
}

/// Step one of a rotation: its journal entry, written before the change, then `create` (the
/// request that makes the new token); the entry then records the new token's ID (`new_id`).
pub async fn create<T>(
    ctx: &Context,
    resolved: &Resolved,
    old: Old<'_>,
    asked: &Asked,
    create: impl Future<Output = Result<T, ApiError>>,
    new_id: impl FnOnce(&T) -> String,
) -> anyhow::Result<(T, Running)> {
    let mut journal = Running::begin(
        ctx,
        Begin {
            resolved,
            noun: old.noun,
            old_id: old.id,
            old_name: old.name,
            siblings: old.siblings,
            grace_secs: asked.grace.as_secs(),
            sinks: asked.sinks.clone(),
            verify: asked.verify,
        },
    )?;
    let made = crate::commands::send_change(ctx, &old.what, old.check, create).await?;
    let id = new_id(&made);
    journal.step(Step::Created, |e| e.new_id = Some(id))?;
    Ok((made, journal))
}

/// Refuses `--grace 0` over a selection without a `--deliver` sink. A bulk run prints each new
/// secret once that token's rotation is settled, and writes `--secret-file` at the end, so each
/// old token would be gone while its replacement's secret was only in memory: a crash or a
/// closed stdout then would lose both. A `--deliver` sink is written before the old token is
/// touched, and a failed one keeps it.
pub fn refuse_unheld_retirement(asked: &Asked, file: &SecretFileArgs) -> anyhow::Result<()> {
    if !asked.grace.is_zero() || !file.deliver.deliver.is_empty() {
        return Ok(());
    }
    Err(CliError::usage(
        "--grace 0 over a selection retires each old token before its new secret is printed: give a --deliver sink, which gets each secret first",
    )
    .with_hint(
        "add e.g. --deliver 'dotenv:secrets/{name}.env', or keep the old tokens a while with --grace 10m",
    )
    .into())
}
