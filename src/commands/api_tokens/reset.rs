//! `api-tokens reset`

use clap::Args;

use super::ApiTokens;
use super::{find_mailtrap, not_offered, parse_ref};
use crate::commands::bulk::{SelectionArgs, Verb};
use crate::commands::hand_over::{self, HandOver, hand_over};
use crate::commands::rotate_call::RotateCall;
use crate::commands::sinks::{Sink, SinkArgs};
use crate::commands::tokens::SELECTION;
use crate::config::Vendor;
use crate::context::{Context, Resolved};
use crate::credentials::Secretish;
use crate::journal::{Begin, Running};
use tokenctl_api::http::ApiErrorKind;
use tokenctl_api::vendors::mailtrap::{Mailtrap, MailtrapToken, MailtrapTokenIssued};

/// Replace a token with a new one with the same permissions; the new secret is shown once.
/// Vendor: Mailtrap.
///
/// The new token is named `<old name> <new ID>`, as Mailtrap names it. The old token keeps
/// working for a grace period (12 hours, per Mailtrap), then stops; Mailtrap refuses to reset it
/// again meanwhile. Resetting the profile's own token updates its stored credential.
///
/// With a selection instead of TOKEN, every selected token is reset the same way, as `api-tokens
/// rotate` does over a selection ({name} and {id} in --deliver stand for each token's).
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Mailtrap.

Examples:
  tokenctl -p mailtrap api-tokens reset ci-sender --yes --secret-file ci.token
  tokenctl -p mailtrap api-tokens reset --name 'ci-*' --yes --deliver 'dotenv:ci/{name}.env'")]
pub struct ResetArgs {
    /// Token ID or exact name
    #[arg(value_name = "TOKEN", value_parser = parse_ref, required_unless_present_any = SELECTION)]
    token: Option<String>,

    #[command(flatten)]
    sinks: SinkArgs,

    #[command(flatten)]
    selection: SelectionArgs,
}

pub async fn run(ctx: &Context, args: ResetArgs) -> anyhow::Result<()> {
    let Some(filter) = args.selection.filter(args.token.as_deref())? else {
        let token = args.token.unwrap_or_default();
        return reset(ctx, "reset", &token, &args.sinks, false).await;
    };
    let (client, resolved) = ctx.api_tokens().await?;
    let ApiTokens::Mailtrap(mt) = client else {
        return Err(not_offered("reset", &resolved, Vendor::Mailtrap));
    };
    let n = args.selection.concurrency;
    super::bulk_rotate::mailtrap(
        ctx,
        &mt,
        &resolved,
        filter,
        n,
        &args.sinks,
        false,
        Verb::Reset,
    )
    .await
}

/// Resets `token` and hands the new one over (`verb` is `reset` or `rotate`); with `verify`,
/// then reads with the new token to show that it authenticates.
pub(super) async fn reset(
    ctx: &Context,
    verb: &str,
    token: &str,
    sinks: &SinkArgs,
    verify: bool,
) -> anyhow::Result<()> {
    let (client, resolved) = ctx.api_tokens().await?;
    let ApiTokens::Mailtrap(mt) = client else {
        return Err(not_offered(verb, &resolved, Vendor::Mailtrap));
    };
    ctx.ui
        .refuse_unconfirmable(&format!("resetting token '{token}'"), ctx.globals.yes)?;
    let built = sinks.sinks(Vendor::Mailtrap)?;
    hand_over::precheck(ctx, &built)?;
    let call = RotateCall::asked(token, None, verify, sinks.flags());
    reset_with(ctx, &mt, &resolved, &built, verb, &call).await
}

/// The reset itself (`verb` is `reset` or `rotate`, which is journalled), on a resolved
/// profile, with its sinks built and checked. Mailtrap's grace cannot be chosen.
pub async fn reset_with(
    ctx: &Context,
    mt: &Mailtrap,
    resolved: &Resolved,
    sinks: &[Box<dyn Sink>],
    verb: &str,
    call: &RotateCall<'_>,
) -> anyhow::Result<()> {
    // No expiry check here: since 2026-08 every new Mailtrap token has one, so only Mailtrap can
    // tell whether a token may be reset. Its refusal is explained below.
    let t = find_mailtrap(mt, call.token).await?;
    ctx.ui.confirm_destructive(
        &format!("Reset token {} ({}): the old value stops working after Mailtrap's grace period (12 hours)", t.name, t.id),
        call.yes(ctx),
    )?;
    // Only `rotate` is journalled: a reset is one request, but `rotations list` should show a
    // rotation that died before its new secret was handed over.
    let journalled = (verb == "rotate").then(|| call.flags.clone());
    let (issued, journal) = send_reset(ctx, mt, resolved, &t, journalled, call.verify).await?;
    let how = HandOver {
        own: is_own(resolved, &t),
        note: Some(note(&t, &issued)),
        quiet: call.quiet,
        ..HandOver::to(resolved, sinks)
    };
    hand_over(ctx, how, &issued)?;
    after_hand_over(ctx, resolved, &issued, journal, call.verify).await
}

/// Whether `t` is the token the profile authenticates with: Mailtrap shows the last four
/// characters of every token, enough to tell our own.
fn is_own(resolved: &Resolved, t: &MailtrapToken) -> bool {
    match &resolved.credential.secret {
        Secretish::Token(s) => {
            let mine: String = s
                .expose()
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            t.last_4_digits.as_deref() == Some(mine.as_str())
        }
        Secretish::GlobalKey { .. } => false,
    }
}

/// What a reset says before its secret is printed.
fn note(t: &MailtrapToken, issued: &MailtrapTokenIssued) -> String {
    format!(
        "Reset token '{}' ({}): the new token is '{}' (ID {}). The old token keeps working for Mailtrap's grace period (12 hours), then stops.",
        t.name, t.id, issued.details.name, issued.details.id
    )
}

/// The first step of a Mailtrap rotation (and the whole of a reset): the rotation recorded in
/// the journal when `journalled` gives its sink flags, then the reset.
pub(super) async fn send_reset(
    ctx: &Context,
    mt: &Mailtrap,
    resolved: &Resolved,
    t: &MailtrapToken,
    journalled: Option<Vec<String>>,
    verify: bool,
) -> anyhow::Result<(MailtrapTokenIssued, Option<Running>)> {
    let old_id = t.id.to_string();
    let journal = journalled
        .map(|sinks| {
            Running::begin(
                ctx,
                Begin {
                    resolved,
                    noun: "api-tokens",
                    old_id: &old_id,
                    old_name: &t.name,
                    siblings: Vec::new(),
                    grace_secs: 12 * 3600,
                    sinks,
                    verify,
                },
            )
        })
        .transpose()?;
    let issued = crate::commands::send_change(
        ctx,
        &format!("resetting token {} ({})", t.name, t.id),
        "tokenctl api-tokens list".into(),
        mt.reset(&old_id),
    )
    .await
    .map_err(|mut e| {
        if e.kind == ApiErrorKind::Rejected && e.hint.is_none() {
            e.hint = Some(format!(
                "Mailtrap resets a token once: a token already reset stays in its grace period until it expires; reset the token that replaced it (named '{} <ID>', see `tokenctl api-tokens list`)",
                t.name
            ));
        }
        e
    })?;
    Ok((issued, journal))
}

/// The last step, once the new secret was handed over: the verify when asked, and the
/// rotation's journal entry closed (Mailtrap retires the old token itself).
pub(super) async fn after_hand_over(
    ctx: &Context,
    resolved: &Resolved,
    issued: &MailtrapTokenIssued,
    journal: Option<Running>,
    verify: bool,
) -> anyhow::Result<()> {
    if verify {
        super::rotate::verify(ctx, resolved, issued).await?;
    }
    journal.map_or(Ok(()), Running::done)
}
