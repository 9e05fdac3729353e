//! `rotations resume`

use clap::Args;
use clap::{FromArgMatches, Subcommand};
use jiff::{SignedDuration, Timestamp};

use super::{connect, delete_new, label, new_tokens, refuse_own, retire_old, take, vendor_side};
use crate::context::Context;
use crate::error::CliError;
use crate::journal::{Running, Step};
use crate::vendor::Client;

/// Carry an interrupted rotation forward from the step it reached.
///
/// A new secret is never stored, so a new token whose secret was not handed over can never be
/// handed over again. Resume therefore:
/// - started or created (the new token may exist, its secret is lost): deletes that new token
///   (found by its ID, or as the look-alike that was not there before) and runs the rotation
///   again from the start, with the same grace, --verify and sinks: a fresh new token, handed
///   over to the same places (an existing --secret-file is replaced);
/// - delivered or verified (the new secret reached its sinks): retires the old token as the
///   rotation asked (the new secret cannot be verified again: it is not kept);
/// - scheduled: retires the old token if its grace has passed, else says when it is due.
///
/// The old token keeps working until the step that retires it. Service-token and Mailtrap
/// rotations are one request on the vendor's side: their lost secret cannot be recovered, and
/// resume says so (abort drops them).
#[derive(Debug, Args)]
#[command(
    after_long_help = "Vendors: Cloudflare (account tokens; service tokens are listed only), Mailtrap (listed only), Prefactor, Cedalo Pro Mosquitto: every rotation recorded, whatever its profile.

Examples:
  tokenctl rotations resume r20260101120000-1a2b3c --yes
  tokenctl rotations resume --yes"
)]
pub struct ResumeArgs {
    /// The rotation (see `rotations list`); every recorded one when absent
    #[arg(value_name = "ID")]
    id: Option<String>,
}

pub async fn run(ctx: &Context, args: ResumeArgs) -> anyhow::Result<()> {
    let entries = crate::journal::pick(&ctx.paths.data_dir, args.id.as_deref())?;
    if entries.is_empty() {
        ctx.ui.status("No rotation is recorded.");
    }
    for entry in entries {
        let running = take(ctx, entry)?;
        one(ctx, running).await?;
    }
    Ok(())
}

async fn one(ctx: &Context, running: Running) -> anyhow::Result<()> {
    let e = running.entry.clone();
    if vendor_side(&e) {
        return Err(CliError::failure(format!(
            "rotation {} was one request to the vendor, and the secret it issued was lost: it cannot be resumed",
            label(&e)
        ))
        .with_hint(format!(
            "see the token with `tokenctl {} get {}`, rotate it again if needed, and drop this record with `tokenctl rotations abort {}`",
            e.noun, e.old_id, e.id
        ))
        .into());
    }
    let (client, r) = connect(ctx, &e).await?;
    match e.step {
        Step::Started | Step::Created => {
            ctx.ui.status(&format!(
                "Rotation {} stopped before its new secret was handed over; that secret was never stored, so its token is deleted and the rotation runs again.",
                label(&e)
            ));
            let ids = new_tokens(&client, &e).await?;
            refuse_own(&client, &r, &e, &ids).await?;
            for id in ids {
                delete_new(ctx, &client, &id).await?;
            }
            running.done()?;
            again(ctx, &e).await
        }
        Step::Delivered | Step::Verified => {
            ctx.ui.status(&format!(
                "Rotation {}: the new token {} was handed over; retiring the old token.",
                label(&e),
                e.new_id.as_deref().unwrap_or("?")
            ));
            let schedules = e.grace_secs > 0 && !matches!(client, Client::Cloudflare(_));
            if schedules {
                let grace = SignedDuration::from_secs(e.grace_secs);
                return crate::commands::schedule_retirement(ctx, running, grace);
            }
            retire_old(ctx, &client, &e).await?;
            running.done()
        }
        Step::Scheduled => {
            let due = e.due.as_deref().and_then(|d| d.parse::<Timestamp>().ok());
            if due.is_some_and(|d| d > Timestamp::now()) {
                ctx.ui.status(&format!(
                    "Rotation {}: the old token is due for retirement at {}; `tokenctl rotations finish` retires it then.",
                    label(&e),
                    e.due.as_deref().unwrap_or("?")
                ));
                return Ok(());
            }
            retire_old(ctx, &client, &e).await?;
            running.done()
        }
    }
}

/// Runs the rotation again from the start, with the arguments the journal recorded.
async fn again(ctx: &Context, e: &crate::journal::Entry) -> anyhow::Result<()> {
    let mut argv = vec![
        "rotate".to_owned(),
        e.old_id.clone(),
        "--grace".to_owned(),
        format!("{}s", e.grace_secs),
    ];
    if e.verify {
        argv.push("--verify".to_owned());
    }
    if let Some(p) = &e.project {
        argv.extend(["--project".to_owned(), p.clone()]);
    }
    argv.extend(e.sinks.iter().cloned());
    if argv.iter().any(|a| a == "--secret-file") && !argv.iter().any(|a| a == "--force") {
        argv.push("--force".to_owned());
    }
    match e.noun.as_str() {
        "tokens" => crate::commands::tokens::run(ctx, reparse(e, &argv)?).await,
        "api-tokens" => crate::commands::api_tokens::run(ctx, reparse(e, &argv)?).await,
        "project-tokens" => crate::commands::project_tokens::run(ctx, reparse(e, &argv)?).await,
        other => Err(CliError::failure(format!(
            "rotation {} is of '{other}', which resume cannot run again",
            e.id
        ))
        .into()),
    }
}

/// The noun's `rotate` command, from the recorded arguments.
fn reparse<S: Subcommand + FromArgMatches>(
    e: &crate::journal::Entry,
    argv: &[String],
) -> anyhow::Result<S> {
    let cmd = S::augment_subcommands(clap::Command::new("tokenctl").no_binary_name(true));
    let bad = |why: String| -> anyhow::Error {
        CliError::failure(format!(
            "the arguments recorded for rotation {} no longer parse: {why}",
            e.id
        ))
        .into()
    };
    let m = cmd
        .try_get_matches_from(argv)
        .map_err(|err| bad(err.kind().to_string()))?;
    S::from_arg_matches(&m).map_err(|err| bad(err.kind().to_string()))
}
