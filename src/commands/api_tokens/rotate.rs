//! `api-tokens rotate`: Mailtrap's reset, with its 12-hour grace, handed over and verified.

use clap::Args;

use jiff::SignedDuration;

use super::{ApiTokens, find_prefactor, parse_ref};
use crate::commands::hand_over::{self, HandOver, hand_over};
use crate::commands::rotate_call::RotateCall;
use crate::commands::sinks::{Sink, SinkArgs};
use crate::commands::tokens::parse_grace;
use crate::config::Vendor;
use crate::context::{Context, Resolved};
use crate::credentials::Secretish;
use crate::error::{CliError, usage};
use crate::journal::{Begin, Running, Step};
use crate::output::shell;
use tokenctl_api::http::ApiErrorKind;
use tokenctl_api::vendors::mailtrap::MailtrapTokenIssued;
use tokenctl_api::vendors::prefactor::{Action, CreateDetails, Prefactor};

/// Replace a token: a new one with the same permissions, handed over and optionally verified
/// before the old one is retired. Vendor: Mailtrap, Prefactor.
///
/// Mailtrap: its reset. The new token is named `<old name> <new ID>`, and Mailtrap retires the
/// old one after its grace period (12 hours), which no client can change (no --grace).
/// Prefactor: a new token with the same scope, account, environment, agent and expiry, handed
/// over (and verified); the old one is then due for revocation after --grace (default 1h, as
/// `tokens rotate`), which `tokenctl rotations finish` (from cron) carries out; --grace 0 revokes
/// it at once. --verify reads with the new token to show that it authenticates; a failed
/// delivery or verify leaves the old token as it was. Every step is recorded in the rotation
/// journal (`tokenctl rotations`). Rotating the profile's own token updates its stored
/// credential.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Mailtrap, Prefactor.

Examples:
  tokenctl -p mailtrap api-tokens rotate ci-sender --verify --deliver 'exec:gh secret set MAILTRAP_TOKEN'
  tokenctl -p mailtrap api-tokens rotate ci-sender --yes --deliver dotenv:.env#MAILTRAP_API_TOKEN
  tokenctl -p prefactor api-tokens rotate 013xrzp12g3nqk8nq2w5c8rt1mbv4zha --grace 24h --verify --yes
  tokenctl -p prefactor api-tokens rotate 013xrzp12g3nqk8nq2w5c8rt1mbv4zha --grace 0 --verify --yes")]
pub struct RotateArgs {
    /// Token ID or exact name
    #[arg(value_name = "TOKEN", value_parser = parse_ref)]
    token: String,

    /// Read with the new token after the hand-over, to show that it authenticates
    #[arg(long)]
    verify: bool,

    /// Prefactor: how long the old token keeps working after the hand-over (default 1h); 0
    /// revokes it at once
    #[arg(long, value_name = "DURATION", value_parser = parse_grace)]
    grace: Option<SignedDuration>,

    #[command(flatten)]
    sinks: SinkArgs,
}

/// How long a Prefactor rotation keeps the old token by default, as `tokens rotate` does.
pub const DEFAULT_GRACE: SignedDuration = SignedDuration::from_hours(1);

pub async fn run(ctx: &Context, args: RotateArgs) -> anyhow::Result<()> {
    let (client, resolved) = ctx.api_tokens().await?;
    match client {
        ApiTokens::Mailtrap(_) => {
            if args.grace.is_some() {
                return usage(
                    "--grace is for Prefactor tokens: Mailtrap keeps the old token for its own grace period (12 hours)",
                );
            }
            super::reset::reset(ctx, "rotate", &args.token, &args.sinks, args.verify).await
        }
        ApiTokens::Prefactor(pf) => prefactor(ctx, &pf, &resolved, args).await,
    }
}

/// Prefactor: a clone of the old token, handed over and verified, then the old one revoked.
async fn prefactor(
    ctx: &Context,
    pf: &Prefactor,
    resolved: &Resolved,
    args: RotateArgs,
) -> anyhow::Result<()> {
    ctx.ui
        .refuse_unconfirmable(&format!("rotating token '{}'", args.token), ctx.globals.yes)?;
    let sinks = args.sinks.sinks(Vendor::Prefactor)?;
    hand_over::precheck(ctx, &sinks)?;
    let call = RotateCall::asked(&args.token, args.grace, args.verify, args.sinks.flags());
    prefactor_with(ctx, pf, resolved, &sinks, &call).await
}

/// The Prefactor rotation itself, on a resolved profile, with its sinks built and checked.
pub async fn prefactor_with(
    ctx: &Context,
    pf: &Prefactor,
    resolved: &Resolved,
    sinks: &[Box<dyn Sink>],
    call: &RotateCall<'_>,
) -> anyhow::Result<()> {
    let grace = call.grace.unwrap_or(DEFAULT_GRACE);
    let old = find_prefactor(pf, call.token).await?;
    let when = if grace.is_zero() {
        "once the new one is handed over".to_owned()
    } else {
        format!("{grace} after the new one is handed over (`tokenctl rotations finish`)")
    };
    ctx.ui.confirm_destructive(
        &format!("Rotate token {}: it is revoked {when}", old.id),
        call.yes(ctx),
    )?;
    let own = match &resolved.credential.secret {
        Secretish::Token(s) => super::bulk::jwt_subject(s.expose()).as_deref() == Some(&old.id),
        Secretish::GlobalKey { .. } => false,
    };
    let details = CreateDetails {
        token_scope: old.token_scope.clone().unwrap_or_else(|| "account".into()),
        account_id: old.account_id.clone(),
        environment_id: old.environment_id.clone(),
        agent_id: old.agent_id.clone(),
        expires_at: old.expires_at.clone(),
    };
    let siblings = pf
        .list(None)
        .await?
        .into_iter()
        .filter(|t| crate::commands::rotations::prefactor_lookalike(t, &old))
        .map(|t| t.id)
        .collect();
    let mut journal = Running::begin(
        ctx,
        Begin {
            resolved,
            noun: "api-tokens",
            old_id: &old.id,
            old_name: &old.id,
            siblings,
            grace_secs: grace.as_secs(),
            sinks: call.flags.clone(),
            verify: call.verify,
        },
    )?;
    let issued = crate::commands::send_change(
        ctx,
        &format!("creating the new token for {}", old.id),
        "tokenctl api-tokens list".to_owned(),
        pf.create(&details),
    )
    .await?;
    let new_id = issued.details.id.clone();
    journal.step(Step::Created, |e| e.new_id = Some(new_id.clone()))?;
    let untouched = crate::commands::old_still_works(old.id.clone(), new_id.clone());
    let how = HandOver {
        own,
        quiet: call.quiet,
        ..HandOver::to(resolved, sinks)
    };
    hand_over(ctx, how, &issued).map_err(&untouched)?;
    journal.step(Step::Delivered, |_| {})?;
    let mut fresh = resolved.clone();
    fresh.credential.secret = Secretish::Token(issued.token.clone());
    let new_client = crate::vendor::prefactor::connect(ctx, &fresh)?;
    if call.verify {
        authenticates(new_client.check().await, &new_id).map_err(&untouched)?;
        ctx.ui.status(&format!(
            "Verified: the new token {new_id} authenticates with Prefactor."
        ));
        journal.step(Step::Verified, |_| {})?;
    }
    if !grace.is_zero() {
        return crate::commands::schedule_retirement(ctx, journal, grace);
    }
    let retirer = if own { &new_client } else { pf };
    revoke_old(ctx, retirer, &old.id).await?;
    journal.done()
}

/// Revokes the old token of a rotation (a token already revoked counts as revoked).
pub async fn revoke_old(
    ctx: &Context,
    pf: &Prefactor,
    old_id: &str,
) -> Result<(), tokenctl_api::http::ApiError> {
    crate::commands::send_change(
        ctx,
        &format!("revoking the old token {old_id}"),
        format!("tokenctl api-tokens get {}", shell::word(old_id)),
        pf.action(old_id, Action::Revoke),
    )
    .await?;
    ctx.ui.status(&format!("Revoked the old token {old_id}."));
    Ok(())
}

/// An authenticated read's answer: a 403 still proves the token authenticates (it may only lack
/// the right to read tokens); any other failure does not.
fn authenticates(read: Result<(), tokenctl_api::http::ApiError>, id: &str) -> anyhow::Result<()> {
    match read {
        Ok(()) => Ok(()),
        Err(e) if e.kind == ApiErrorKind::Forbidden => Ok(()),
        Err(e) => Err(
            CliError::failure(format!("the new token {id} did not verify ({e})"))
                .with_hint(format!(
                    "see it with `tokenctl api-tokens get {}`",
                    shell::word(id)
                ))
                .into(),
        ),
    }
}

/// An authenticated read with the new token: the new token itself. A 403 still proves the token
/// authenticates (it may only lack the right to read tokens); a 401 does not.
pub(super) async fn verify(
    ctx: &Context,
    from: &Resolved,
    issued: &MailtrapTokenIssued,
) -> anyhow::Result<()> {
    let mut fresh = from.clone();
    fresh.credential.secret = Secretish::Token(issued.value.clone());
    let mt = crate::vendor::mailtrap::connect(ctx, &fresh)?;
    let id = issued.details.id.to_string();
    match mt.get(&id).await {
        Ok(_) => {}
        Err(e) if e.kind == ApiErrorKind::Forbidden => {}
        Err(e) => {
            return Err(CliError::failure(format!(
                "the new token {id} did not verify ({e}); the old token still works for Mailtrap's grace period (12 hours)"
            ))
            .with_hint(format!(
                "see it with `tokenctl api-tokens get {}`",
                shell::word(&id)
            ))
            .into());
        }
    }
    ctx.ui.status(&format!(
        "Verified: the new token {id} authenticates with Mailtrap."
    ));
    Ok(())
}
