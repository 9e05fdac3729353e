//! `tokens rotate`: a new token beside the old one, handed over and verified before the old one
//! is retired, so nothing that uses it sees an outage.

use clap::Args;
use jiff::SignedDuration;

use super::rotation;
use super::{fetch, find, parse_token_ref};
use crate::commands::bulk::SelectionArgs;
use crate::commands::hand_over::{self, HandOver, hand_over};
use crate::commands::rotate_call::RotateCall;
use crate::commands::rotation::Asked;
use crate::commands::sinks::{Sink, SinkArgs};
use crate::config::Vendor;
use crate::context::{Context, Resolved};
use crate::credentials::Secretish;
use crate::dates::parse_duration;
use crate::kinds::TokenKind;
use crate::vendor::cloudflare::AccountTokens;
use tokenctl_api::vendors::cloudflare::Cloudflare;

/// Replace a token without an outage: a new token with the same policies, condition,
/// not-before, expiry and name; the old one is retired after a grace period.
///
/// The new secret is handed over (--deliver, --secret-file, --save-as, then printed once),
/// checked with --verify (Cloudflare's verify endpoint, called with the new secret), and only
/// then is the old token's expiry set to now + --grace (default 1h; kept if it already expires
/// sooner), so Cloudflare retires it even if tokenctl never runs again. --grace 0 deletes the
/// old token at once instead. A failed delivery or verify stops before the old token is
/// touched: it stays valid, and the command fails. Rotating the token the profile
/// authenticates with updates the stored credential. `tokens roll` replaces the secret in place
/// and at once.
///
/// A disabled token is refused: Cloudflare creates every token active, so its copy would be.
///
/// With a selection instead of TOKEN, every selected token is rotated the same way, each on its
/// own: one whose delivery or verify fails keeps its old token and is reported failed, the
/// others go on. The profile's own token, expired tokens and disabled ones are skipped; {name}
/// and {id} in --deliver stand for each token's; --secret-file gets all the new tokens as one
/// JSON array. --grace 0 over a selection needs a --deliver sink, written before each old token
/// goes.
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Cloudflare (account-owned API tokens).

Examples:
  tokenctl tokens rotate ci-dns --verify --deliver 'exec:gh secret set CF_API_TOKEN'
  tokenctl tokens rotate ci-dns --grace 24h --deliver dotenv:.env#CLOUDFLARE_API_TOKEN
  tokenctl tokens rotate ci-dns --grace 0 --verify --yes --json
  tokenctl tokens rotate --name 'ci-*' --verify --yes --deliver 'dotenv:ci/{name}.env'")]
pub struct RotateArgs {
    /// Token ID or exact name
    #[arg(value_name = "TOKEN", value_parser = parse_token_ref,
        required_unless_present_any = SELECTION)]
    token: Option<String>,

    /// How long the old token keeps working after the hand-over (e.g. 30m, 24h, 7d); 0 deletes it
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_grace)]
    grace: SignedDuration,

    /// Check the new secret with Cloudflare's verify endpoint before retiring the old token
    #[arg(long)]
    verify: bool,

    #[command(flatten)]
    sinks: SinkArgs,

    #[command(flatten)]
    selection: SelectionArgs,
}

/// The selection flags that stand for TOKEN.
pub const SELECTION: [&str; 5] = ["all", "name", "expired", "expiring_within", "status"];

/// A grace period: zero (`0`, `0s`, `0h`: retire at once) or a duration.
pub fn parse_grace(s: &str) -> Result<SignedDuration, String> {
    let t = s.trim();
    let digits = t.trim_end_matches(|c: char| "wdhms".contains(c));
    if !digits.is_empty() && digits.bytes().all(|b| b == b'0') && t.len() - digits.len() <= 2 {
        Ok(SignedDuration::ZERO)
    } else {
        parse_duration(s)
    }
}

/// How long the old token keeps working by default.
pub const DEFAULT_GRACE: SignedDuration = SignedDuration::from_hours(1);

pub async fn run(ctx: &Context, args: RotateArgs) -> anyhow::Result<()> {
    let Some(filter) = args.selection.filter(args.token.as_deref())? else {
        return one(ctx, args).await;
    };
    let asked = Asked {
        grace: args.grace,
        verify: args.verify,
        sinks: args.sinks.flags(),
    };
    let n = args.selection.concurrency;
    super::bulk::rotate(ctx, filter, n, &args.sinks, asked).await
}

async fn one(ctx: &Context, args: RotateArgs) -> anyhow::Result<()> {
    let token = args.token.unwrap_or_default();
    let what = format!("rotating token '{token}'");
    ctx.ui.refuse_unconfirmable(&what, ctx.globals.yes)?;
    let sinks = args.sinks.sinks(Vendor::Cloudflare)?;
    hand_over::precheck(ctx, &sinks)?;
    let (cf, resolved) = ctx.cloudflare_tokens().await?;
    let call = RotateCall::asked(&token, Some(args.grace), args.verify, args.sinks.flags());
    rotate_with(ctx, &cf, &resolved, &sinks, &call).await
}

/// The rotation of one token, on a resolved profile, with its sinks built and checked.
pub async fn rotate_with(
    ctx: &Context,
    cf: &Cloudflare,
    resolved: &Resolved,
    sinks: &[Box<dyn Sink>],
    call: &RotateCall<'_>,
) -> anyhow::Result<()> {
    let asked = call.steps(DEFAULT_GRACE);
    let old = fetch(cf, find(cf, call.token).await?).await?;
    rotation::refuse_expired(&old)?;
    rotation::refuse_disabled(&old)?;
    let retire = if asked.grace.is_zero() {
        "the old token is deleted once the new one is handed over".to_owned()
    } else {
        format!(
            "the old token stops working {} after the new one is handed over",
            asked.grace
        )
    };
    ctx.ui.confirm_destructive(
        &format!("Rotate token {}: {retire}", rotation::label(&old)),
        call.yes(ctx),
    )?;
    // Only a verify naming the old token proves it is the profile's own credential.
    let own = match &resolved.credential.secret {
        Secretish::Token(_) => cf.verify_token().await.is_ok_and(|v| v.id == old.id),
        Secretish::GlobalKey { .. } => false,
    };
    let named = AccountTokens(cf).named(&old.name).await?;
    let siblings = rotation::siblings(&named, &old);
    let (rotated, journal) = rotation::create(ctx, cf, resolved, &old, siblings, &asked).await?;
    let how = HandOver {
        own,
        quiet: call.quiet,
        ..HandOver::to(resolved, sinks)
    };
    hand_over(ctx, how, &rotated).map_err(rotation::untouched(&old, &rotated))?;
    rotation::retire(ctx, cf, resolved, &old, &rotated, journal, own, &asked).await
}
