//! `rotations`: the journal of rotations that have not finished (see `crate::journal`), and
//! the verbs that carry them forward or undo them.

mod abort;
mod finish;
mod list;
mod resume;

use clap::Subcommand;

use crate::config::Vendor;
use crate::context::{Context, Origin, Resolved};
use crate::error::CliError;
use crate::journal::{Entry, Running, origin_name};
use crate::kinds::TokenKind;
use crate::output::shell;
use crate::vendor::Client;
use tokenctl_api::http::ApiErrorKind;
use tokenctl_api::vendors::prefactor::{Action as Lifecycle, PrefactorToken};

#[derive(Debug, Subcommand)]
pub enum RotationsCommand {
    List(list::ListArgs),
    Resume(resume::ResumeArgs),
    Abort(abort::AbortArgs),
    Finish(finish::FinishArgs),
}

pub async fn run(ctx: &Context, cmd: RotationsCommand) -> anyhow::Result<()> {
    match cmd {
        RotationsCommand::List(args) => list::run(ctx, args),
        RotationsCommand::Resume(args) => resume::run(ctx, args).await,
        RotationsCommand::Abort(args) => abort::run(ctx, args).await,
        RotationsCommand::Finish(args) => finish::run(ctx, args).await,
    }
}

/// Takes over a recorded rotation, refusing one another run is still moving.
fn take(ctx: &Context, entry: Entry) -> anyhow::Result<Running> {
    let id = entry.id.clone();
    Running::take(&ctx.paths.data_dir, ctx.globals.dry_run, entry)?.ok_or_else(|| {
        CliError::failure(format!(
            "rotation {id} is in progress in another tokenctl run"
        ))
        .with_hint("wait for it to end, then look again with `tokenctl rotations list`")
        .into()
    })
}

/// The profile a rotation was recorded with, usable again: a configured profile by its name;
/// the sandbox's or the environment's only when this run selects the same one.
async fn connect(ctx: &Context, e: &Entry) -> anyhow::Result<(Client, Resolved)> {
    if !reachable(ctx, e) {
        let (then, now) = match ctx.sandbox_mode() {
            true => ("without --sandbox", "with it"),
            false => ("with --sandbox", "without it"),
        };
        return Err(CliError::usage(format!(
            "rotation {} was made {then}, and this command runs {now}",
            e.id
        ))
        .with_hint("run it the way the rotation was made")
        .into());
    }
    let mut r = if e.origin == origin_name(Origin::Configured) {
        let config = ctx.config()?;
        let Some(profile) = config.profiles.get(&e.profile) else {
            return Err(CliError::not_configured(format!(
                "rotation {} was made with profile '{}', which no longer exists",
                e.id, e.profile
            ))
            .with_hint(format!(
                "add it again with `tokenctl profile add {}`, then run this again",
                shell::word(&e.profile)
            ))
            .into());
        };
        ctx.resolve_named(e.profile.clone(), profile.clone(), Origin::Configured)
            .await?
    } else {
        let (name, profile, origin) = ctx.select_profile(e.vendor)?;
        if name != e.profile || origin_name(origin) != e.origin {
            let how = if e.origin == origin_name(Origin::Sandbox) {
                "with --sandbox".to_owned()
            } else {
                format!("with the {} credentials in the environment", e.vendor)
            };
            return Err(CliError::usage(format!(
                "rotation {} was made {how} (profile '{}'); run this command the same way",
                e.id, e.profile
            ))
            .into());
        }
        ctx.resolve_named(name, profile, origin).await?
    };
    if e.project.is_some() {
        r.profile.project_id.clone_from(&e.project);
    }
    Ok((Client::connect(ctx, &r)?, r))
}

/// Whether this run reaches the rotation's tokens: the sandbox's only with --sandbox, and the
/// real ones only without it.
fn reachable(ctx: &Context, e: &Entry) -> bool {
    (e.origin == origin_name(Origin::Sandbox)) == ctx.sandbox_mode()
}

/// Whether a Prefactor token is a clone of `old` (the same scope, account, environment, agent
/// and expiry).
pub fn prefactor_lookalike(t: &PrefactorToken, old: &PrefactorToken) -> bool {
    t.token_scope == old.token_scope
        && t.account_id == old.account_id
        && t.environment_id == old.environment_id
        && t.agent_id == old.agent_id
        && t.expires_at == old.expires_at
}

/// The new tokens a rotation made, working or not: the recorded one, or, when its ID was never
/// learned, every token that looks like the clone and was not there before.
async fn new_tokens(client: &Client, e: &Entry) -> anyhow::Result<Vec<String>> {
    if let Some(id) = &e.new_id {
        return Ok(vec![id.clone()]);
    }
    let fresh = |id: &str| id != e.old_id && !e.siblings.iter().any(|s| s == id);
    Ok(match client {
        Client::Cloudflare(cf) => crate::vendor::cloudflare::AccountTokens(cf)
            .list_all()
            .await?
            .into_iter()
            .filter(|t| t.name == e.old_name && fresh(&t.id))
            .map(|t| t.id)
            .collect(),
        Client::Prefactor(pf) => {
            let old = pf.get(&e.old_id).await?;
            pf.list(None)
                .await?
                .into_iter()
                .filter(|t| prefactor_lookalike(t, &old) && fresh(&t.id))
                .map(|t| t.id)
                .collect()
        }
        Client::Mosquitto(mq) => mq
            .list()
            .await?
            .into_iter()
            .filter(|t| t.name == e.old_name && fresh(&t.id))
            .map(|t| t.id)
            .collect(),
        Client::Mailtrap(_) => Vec::new(),
    })
}

/// Refuses to delete a new token the profile now authenticates with: a rotation of the
/// profile's own token stores the new secret as its credential first, and deleting it would
/// lock tokenctl out.
async fn refuse_own(
    client: &Client,
    r: &Resolved,
    e: &Entry,
    ids: &[String],
) -> anyhow::Result<()> {
    let mine = match (client, &r.credential.secret) {
        (Client::Cloudflare(cf), _) => cf.verify_token().await.ok().map(|v| v.id),
        (Client::Prefactor(_), crate::credentials::Secretish::Token(s)) => {
            crate::commands::api_tokens::jwt_subject(s.expose())
        }
        _ => None,
    };
    match mine {
        Some(id) if ids.contains(&id) => Err(CliError::failure(format!(
            "rotation {}: profile '{}' already authenticates with the new token {id}, so it is not deleted",
            e.id, e.profile
        ))
        .with_hint(format!(
            "its secret is the profile's stored credential (`tokenctl auth token` prints it): hand it to the other consumers, retire the old token {} by hand, then remove {}.json from the rotations directory",
            e.old_id, e.id
        ))
        .into()),
        _ => Ok(()),
    }
}

/// Deletes a new token a rotation made; one already gone counts as deleted.
async fn delete_new(ctx: &Context, client: &Client, id: &str) -> anyhow::Result<()> {
    let what = format!("deleting the new token {id}");
    let check = "tokenctl rotations list".to_owned();
    let sent = match client {
        Client::Cloudflare(cf) => {
            crate::commands::send_change(ctx, &what, check, cf.delete_token(id))
                .await
                .map(drop)
        }
        Client::Prefactor(pf) => {
            // Prefactor deletes only a revoked token. A token already revoked is refused the
            // revoke (Rejected); the delete then says whether it is gone.
            let revoke = pf.action(id, Lifecycle::Revoke);
            let revoking = format!("revoking the new token {id}");
            match crate::commands::send_change(ctx, &revoking, check.clone(), revoke).await {
                Err(e) if !matches!(e.kind, ApiErrorKind::Rejected | ApiErrorKind::NotFound) => {
                    Err(e)
                }
                _ => crate::commands::send_change(ctx, &what, check, pf.delete(id))
                    .await
                    .map(drop),
            }
        }
        Client::Mosquitto(mq) => crate::commands::send_change(ctx, &what, check, mq.delete(id))
            .await
            .map(drop),
        Client::Mailtrap(_) => Ok(()),
    };
    match sent {
        Err(e) if e.kind != ApiErrorKind::NotFound => Err(e.into()),
        _ => {
            ctx.ui.status(&format!("Deleted the new token {id}."));
            Ok(())
        }
    }
}

/// Retires the old token as the rotation asked: Cloudflare's expiry set to now + grace (or
/// the token deleted for no grace), Prefactor's revoked, Mosquitto's deleted. A token already
/// gone counts as retired.
async fn retire_old(ctx: &Context, client: &Client, e: &Entry) -> anyhow::Result<()> {
    let gone = |r: Result<(), tokenctl_api::http::ApiError>| match r {
        Err(err) if err.kind == ApiErrorKind::NotFound => {
            ctx.ui
                .status(&format!("The old token {} is already gone.", e.old_id));
            Ok(())
        }
        other => other.map_err(anyhow::Error::from),
    };
    match client {
        Client::Cloudflare(cf) => {
            let old = match cf.get_token(&e.old_id).await {
                Ok(t) => t,
                Err(err) => return gone(Err(err)),
            };
            let grace = jiff::SignedDuration::from_secs(e.grace_secs);
            crate::commands::tokens::retire_old(ctx, cf, &old, grace).await
        }
        Client::Prefactor(pf) => {
            gone(crate::commands::api_tokens::revoke_old(ctx, pf, &e.old_id).await)
        }
        Client::Mosquitto(mq) => {
            let check = crate::commands::project_tokens::list_command(e.project.as_deref());
            let label = format!("{} ({})", e.old_name, e.old_id);
            match crate::commands::project_tokens::delete_old(ctx, mq, &e.old_id, &label, &check)
                .await
            {
                Err(err)
                    if err
                        .downcast_ref::<tokenctl_api::http::ApiError>()
                        .is_some_and(|a| a.kind == ApiErrorKind::NotFound) =>
                {
                    gone(Ok(()))
                }
                Ok(()) => {
                    // Mosquitto cannot say which token a profile uses: only now can it be told
                    // that the token retired was the profile's own.
                    if mq
                        .list()
                        .await
                        .is_err_and(|err| err.kind == ApiErrorKind::Unauthorized)
                    {
                        ctx.ui.warn(&locked_out(e));
                    }
                    Ok(())
                }
                other => other,
            }
        }
        Client::Mailtrap(_) => Ok(()),
    }
}

/// What to do when the Mosquitto token a rotation retired was its profile's own credential.
fn locked_out(e: &Entry) -> String {
    let new = e.new_id.as_deref().unwrap_or("its replacement");
    let sinks: Vec<&str> = e
        .sinks
        .iter()
        .map(String::as_str)
        .filter(|s| !s.starts_with("--"))
        .collect();
    let held = match sinks.is_empty() {
        true => "printed when it was rotated".to_owned(),
        false => format!("delivered to {}", sinks.join(", ")),
    };
    let how = match e.origin.as_str() {
        "environment" => "set MOSQUITTO_API_TOKEN to it".to_owned(),
        _ => format!(
            "store it with `tokenctl auth login -p {} --with-token < FILE`",
            shell::word(&e.profile)
        ),
    };
    format!(
        "the old token {} was the credential of profile '{}', which no longer works: use the new token {new} ({held}); {how}",
        e.old_id, e.profile
    )
}

/// How a rotation is named in messages.
fn label(e: &Entry) -> String {
    format!(
        "{} ({} {} of {})",
        e.id,
        e.noun,
        e.vendor,
        shell::word(&e.old_name)
    )
}

/// The vendor-side rotations (service tokens, Mailtrap) make no second token: nothing to undo.
fn vendor_side(e: &Entry) -> bool {
    matches!(e.vendor, Vendor::Mailtrap) || e.noun == "service-tokens"
}
