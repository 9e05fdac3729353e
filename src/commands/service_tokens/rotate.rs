//! `service-tokens rotate`

use clap::Args;
use jiff::{SignedDuration, Timestamp};

use super::{find, parse_ref};
use crate::commands::bulk::SelectionArgs;
use crate::commands::hand_over::{self, HandOver, hand_over};
use crate::commands::rotate_call::RotateCall;
use crate::commands::sinks::{CLIENT_FIELDS, Issuing, SecretFileArgs, Sink};
use crate::context::{Context, Resolved};
use crate::dates::{parse_duration, rfc3339};
use crate::journal::{Begin, Running};
use crate::output::shell;
use tokenctl_api::vendors::cloudflare::Cloudflare;

/// Issue a new client secret for the same client ID. The new secret is shown once.
///
/// With --grace, the previous secret keeps working for that long, so clients can move over
/// without downtime. Without it the previous secret stops working at once, which needs
/// confirmation (--yes off a terminal).
///
/// With a selection instead of TOKEN, every selected service token is rotated (always after
/// confirmation); --secret-file then gets all the issued tokens as one JSON array.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Cloudflare (Zero Trust Access).

Examples:
  tokenctl service-tokens rotate deploy-bot --grace 24h --secret-file deploy-bot.json
  tokenctl service-tokens rotate deploy-bot --grace 1h -o env > deploy-bot.env
  tokenctl service-tokens rotate compromised-token --yes
  tokenctl service-tokens rotate --name 'k8s-*' --grace 1h --yes --secret-file k8s.json")]
pub struct RotateArgs {
    /// Service token ID or exact name
    #[arg(value_name = "TOKEN", value_parser = parse_ref)]
    token: Option<String>,

    /// Keep the previous secret valid this long (e.g. 1h, 24h, 7d)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    grace: Option<SignedDuration>,

    /// Accepted for symmetry with the other rotate verbs: Cloudflare cannot verify a service
    /// token, so this only says so
    #[arg(long)]
    verify: bool,

    #[command(flatten)]
    file: SecretFileArgs,

    #[command(flatten)]
    selection: SelectionArgs,
}

pub async fn run(ctx: &Context, args: RotateArgs) -> anyhow::Result<()> {
    if args.verify {
        ctx.ui.warn(
            "--verify: Cloudflare's API cannot verify a service token (only Access can, with the client ID and secret); the new secret is not checked",
        );
    }
    let Some(filter) = args.selection.filter(args.token.as_deref())? else {
        return one(ctx, args).await;
    };
    let n = args.selection.concurrency;
    super::bulk::rotate(ctx, filter, n, args.grace, &args.file).await
}

async fn one(ctx: &Context, args: RotateArgs) -> anyhow::Result<()> {
    let token = args.token.unwrap_or_default();
    if args.grace.is_none() {
        let what = format!(
            "rotating service token '{token}' without --grace (its current secret stops working at once)"
        );
        ctx.ui.refuse_unconfirmable(&what, ctx.globals.yes)?;
    }
    let sinks = args.file.sinks(Issuing {
        vendor: None,
        fields: CLIENT_FIELDS,
    })?;
    hand_over::precheck(ctx, &sinks)?;
    let (cf, resolved) = ctx.cloudflare().await?;
    let call = RotateCall::asked(&token, args.grace, args.verify, args.file.flags());
    rotate_with(ctx, &cf, &resolved, &sinks, &call).await
}

/// The rotation itself, on a resolved profile, with its sinks built and checked. No grace:
/// the current secret stops working at once.
pub async fn rotate_with(
    ctx: &Context,
    cf: &Cloudflare,
    resolved: &Resolved,
    sinks: &[Box<dyn Sink>],
    call: &RotateCall<'_>,
) -> anyhow::Result<()> {
    let found = find(cf, call.token).await?;
    if call.grace.is_none() {
        ctx.ui.confirm_destructive(
            &format!("Rotate service token {}: its current secret stops working at once (use --grace to keep it a while)", found.label()),
            call.yes(ctx),
        )?;
    }
    let until = call.grace.map(|g| {
        rfc3339(
            Timestamp::now()
                .checked_add(g)
                .unwrap_or_else(|_| Timestamp::now()),
        )
    });
    let journal = Running::begin(
        ctx,
        Begin {
            resolved,
            noun: "service-tokens",
            old_id: &found.id,
            old_name: &found.label(),
            siblings: Vec::new(),
            grace_secs: call.grace.map_or(0, |g| g.as_secs()),
            sinks: call.flags.clone(),
            verify: call.verify,
        },
    )?;
    let issued = crate::commands::send_change(
        ctx,
        &format!("rotating service token {}", found.label()),
        format!("tokenctl service-tokens get {}", shell::word(&found.id)),
        cf.rotate_service_token(&found.id, until.as_deref()),
    )
    .await?;
    match &until {
        Some(t) => ctx
            .ui
            .status(&format!("The previous secret keeps working until {t}.")),
        None => ctx.ui.status("The previous secret no longer works."),
    }
    let how = HandOver {
        quiet: call.quiet,
        ..HandOver::to(resolved, sinks)
    };
    hand_over(ctx, how, &issued)?;
    journal.done()
}
