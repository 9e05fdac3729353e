//! `api-tokens rotate`: Mailtrap's reset, with its 12-hour grace, handed over and verified;
//! Prefactor's clone, handed over and verified before the old token is revoked.

use clap::Args;

use jiff::SignedDuration;

use super::rotation;
use super::{ApiTokens, find_prefactor, parse_ref};
use crate::commands::bulk::{SelectionArgs, Verb};
use crate::commands::hand_over::{self, HandOver, hand_over};
use crate::commands::rotate_call::RotateCall;
use crate::commands::rotation::Asked;
use crate::commands::sinks::{Sink, SinkArgs};
use crate::commands::tokens::{SELECTION, parse_grace};
use crate::config::Vendor;
use crate::context::{Context, Resolved};
use crate::credentials::Secretish;
use crate::error::usage;
use crate::output::shell;
use tokenctl_api::vendors::mailtrap::MailtrapTokenIssued;
use tokenctl_api::vendors::prefactor::Prefactor;

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
///
/// With a selection instead of TOKEN, every selected token is rotated the same way, each on its
/// own: one whose delivery or verify fails keeps its old token and is reported failed, the
/// others go on. The profile's own token is skipped (name it alone to rotate it), and so are
/// Prefactor tokens that cannot be revoked or have expired; {name} and {id} in --deliver stand
/// for each token's; --secret-file gets all the new tokens as one JSON array.
/// --grace 0 over a selection needs a --deliver sink, written before each old token goes.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Mailtrap, Prefactor.

Examples:
  tokenctl -p mailtrap api-tokens rotate ci-sender --verify --deliver 'exec:gh secret set MAILTRAP_TOKEN'
  tokenctl -p mailtrap api-tokens rotate ci-sender --yes --deliver dotenv:.env#MAILTRAP_API_TOKEN
  tokenctl -p prefactor api-tokens rotate 013xrzp12g3nqk8nq2w5c8rt1mbv4zha --grace 24h --verify --yes
  tokenctl -p prefactor api-tokens rotate 013xrzp12g3nqk8nq2w5c8rt1mbv4zha --grace 0 --verify --yes
  tokenctl -p mailtrap api-tokens rotate --name 'ci-*' --yes --deliver 'exec:gh secret set {name}'")]
pub struct RotateArgs {
    /// Token ID or exact name
    #[arg(value_name = "TOKEN", value_parser = parse_ref, required_unless_present_any = SELECTION)]
    token: Option<String>,

    /// Read with the new token after the hand-over, to show that it authenticates
    #[arg(long)]
    verify: bool,

    /// Prefactor: how long the old token keeps working after the hand-over (default 1h); 0
    /// revokes it at once
    #[arg(long, value_name = "DURATION", value_parser = parse_grace)]
    grace: Option<SignedDuration>,

    #[command(flatten)]
    sinks: SinkArgs,

    #[command(flatten)]
    selection: SelectionArgs,
}

/// How long a Prefactor rotation keeps the old token by default, as `tokens rotate` does.
pub const DEFAULT_GRACE: SignedDuration = SignedDuration::from_hours(1);

pub async fn run(ctx: &Context, args: RotateArgs) -> anyhow::Result<()> {
    let (client, resolved) = ctx.api_tokens().await?;
    let filter = args.selection.filter(args.token.as_deref())?;
    let n = args.selection.concurrency;
    match client {
        ApiTokens::Mailtrap(mt) => {
            if args.grace.is_some() {
                return usage(
                    "--grace is for Prefactor tokens: Mailtrap keeps the old token for its own grace period (12 hours)",
                );
            }
            match filter {
                Some(f) => {
                    super::bulk_rotate::mailtrap(
                        ctx,
                        &mt,
                        &resolved,
                        f,
                        n,
                        &args.sinks,
                        args.verify,
                        Verb::Rotate,
                    )
                    .await
                }
                None => {
                    let token = args.token.unwrap_or_default();
                    super::reset::reset(ctx, "rotate", &token, &args.sinks, args.verify).await
                }
            }
        }
        ApiTokens::Prefactor(pf) => {
            let Some(f) = filter else {
                return prefactor(ctx, &pf, &resolved, args).await;
            };
            let asked = Asked {
                grace: args.grace.unwrap_or(DEFAULT_GRACE),
                verify: args.verify,
                sinks: args.sinks.flags(),
            };
            super::bulk_rotate::prefactor(ctx, &pf, &resolved, f, n, &args.sinks, asked).await
        }
    }
}

/// Prefactor: a clone of the old token, handed over and verified, then the old one revoked.
async fn prefactor(
    ctx: &Context,
    pf: &Prefactor,
    resolved: &Resolved,
    args: RotateArgs,
) -> anyhow::Result<()> {
    let token = args.token.unwrap_or_default();
    ctx.ui
        .refuse_unconfirmable(&format!("rotating token '{token}'"), ctx.globals.yes)?;
    let sinks = args.sinks.sinks(Vendor::Prefactor)?;
    hand_over::precheck(ctx, &sinks)?;
    let call = RotateCall::asked(&token, args.grace, args.verify, args.sinks.flags());
    prefactor_with(ctx, pf, resolved, &sinks, &call).await
}

/// The Prefactor rotation of one token, on a resolved profile, with its sinks built and
/// checked.
pub async fn prefactor_with(
    ctx: &Context,
    pf: &Prefactor,
    resolved: &Resolved,
    sinks: &[Box<dyn Sink>],
    call: &RotateCall<'_>,
) -> anyhow::Result<()> {
    let asked = call.steps(DEFAULT_GRACE);
    let old = find_prefactor(pf, call.token).await?;
    let when = if asked.grace.is_zero() {
        "once the new one is handed over".to_owned()
    } else {
        format!(
            "{} after the new one is handed over (`tokenctl rotations finish`)",
            asked.grace
        )
    };
    ctx.ui.confirm_destructive(
        &format!("Rotate token {}: it is revoked {when}", old.id),
        call.yes(ctx),
    )?;
    let own = match &resolved.credential.secret {
        Secretish::Token(s) => super::bulk::jwt_subject(s.expose()).as_deref() == Some(&old.id),
        Secretish::GlobalKey { .. } => false,
    };
    let siblings = rotation::siblings(&pf.list(None).await?, &old);
    let (issued, journal) = rotation::create(ctx, pf, resolved, &old, siblings, &asked).await?;
    let how = HandOver {
        own,
        quiet: call.quiet,
        ..HandOver::to(resolved, sinks)
    };
    hand_over(ctx, how, &issued).map_err(rotation::untouched(&old, &issued))?;
    rotation::retire(ctx, pf, resolved, &old, &issued, journal, own, &asked).await
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
    let see = format!("tokenctl api-tokens get {}", shell::word(&id));
    let also = "; the old token still works for Mailtrap's grace period (12 hours)";
    crate::commands::rotation::authenticates(mt.get(&id).await, &id, also, &see)?;
    ctx.ui.status(&format!(
        "Verified: the new token {id} authenticates with Mailtrap."
    ));
    Ok(())
}
