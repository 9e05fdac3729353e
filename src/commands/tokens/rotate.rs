//! `tokens rotate`: a new token beside the old one, handed over and verified before the old one
//! is retired, so nothing that uses it sees an outage.

use clap::Args;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::{fetch, find, parse_token_ref};
use crate::commands::hand_over::{self, HandOver, hand_over};
use crate::commands::rotate_call::RotateCall;
use crate::commands::sinks::{Sink, SinkArgs};
use crate::config::Vendor;
use crate::context::{Context, Resolved};
use crate::credentials::Secretish;
use crate::dates::{parse_duration, rfc3339};
use crate::error::CliError;
use crate::journal::{Begin, Running, Step};
use crate::kinds::TokenKind;
use crate::output::{Cell, Issued, Record, shell};
use tokenctl_api::secret::Secret;
use tokenctl_api::vendors::cloudflare::{Cloudflare, Policy, TokenBody};

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
#[derive(Debug, Args)]
#[command(after_long_help = "Vendor: Cloudflare (account-owned API tokens).

Examples:
  tokenctl tokens rotate ci-dns --verify --deliver 'exec:gh secret set CF_API_TOKEN'
  tokenctl tokens rotate ci-dns --grace 24h --deliver dotenv:.env#CLOUDFLARE_API_TOKEN
  tokenctl tokens rotate ci-dns --grace 0 --verify --yes --json")]
pub struct RotateArgs {
    /// Token ID or exact name
    #[arg(value_name = "TOKEN", value_parser = parse_token_ref)]
    token: String,

    /// How long the old token keeps working after the hand-over (e.g. 30m, 24h, 7d); 0 deletes it
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_grace)]
    grace: SignedDuration,

    /// Check the new secret with Cloudflare's verify endpoint before retiring the old token
    #[arg(long)]
    verify: bool,

    #[command(flatten)]
    sinks: SinkArgs,
}

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

/// The rotate result: the new token, its secret, and the token it replaces.
#[derive(Serialize)]
struct Rotated {
    id: String,
    name: String,
    value: Secret,
    replaces: String,
}

impl Issued for Rotated {
    fn token(&self) -> Option<&Secret> {
        Some(&self.value)
    }
    fn name(&self) -> Option<&str> {
        Some(&self.name)
    }
}

impl Record for Rotated {
    fn id(&self) -> String {
        self.id.clone()
    }
    fn headers() -> &'static [&'static str] {
        &["ID", "NAME", "REPLACES"]
    }
    fn row(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.id),
            Cell::text(&self.name),
            Cell::text(&self.replaces),
        ]
    }
}

/// How long the old token keeps working by default.
pub const DEFAULT_GRACE: SignedDuration = SignedDuration::from_hours(1);

pub async fn run(ctx: &Context, args: RotateArgs) -> anyhow::Result<()> {
    let what = format!("rotating token '{}'", args.token);
    ctx.ui.refuse_unconfirmable(&what, ctx.globals.yes)?;
    let sinks = args.sinks.sinks(Vendor::Cloudflare)?;
    hand_over::precheck(ctx, &sinks)?;
    let (cf, resolved) = ctx.cloudflare_tokens().await?;
    let call = RotateCall::asked(
        &args.token,
        Some(args.grace),
        args.verify,
        args.sinks.flags(),
    );
    rotate_with(ctx, &cf, &resolved, &sinks, &call).await
}

/// The rotation itself, on a resolved profile, with its sinks built and checked.
pub async fn rotate_with(
    ctx: &Context,
    cf: &Cloudflare,
    resolved: &Resolved,
    sinks: &[Box<dyn Sink>],
    call: &RotateCall<'_>,
) -> anyhow::Result<()> {
    let grace = call.grace.unwrap_or(DEFAULT_GRACE);
    let old = fetch(cf, find(cf, call.token).await?).await?;
    let label = format!("{} ({})", old.name, old.id);
    // The copy keeps the expiry: a token already past it would be replaced by a dead one.
    if let Some(at) = old.expires_on.as_deref()
        && at
            .parse::<Timestamp>()
            .is_ok_and(|at| at <= Timestamp::now())
    {
        return Err(CliError::usage(format!(
            "token {label} expired on {at}: a copy would be expired too, so nothing was rotated"
        ))
        .with_hint(format!(
            "give it a new expiry first with `tokenctl tokens update {} --expires 90d`, or create a new token",
            shell::word(&old.id)
        ))
        .into());
    }
    let retire = if grace.is_zero() {
        "the old token is deleted once the new one is handed over".to_owned()
    } else {
        format!(
            "the old token stops working {} after the new one is handed over",
            grace
        )
    };
    ctx.ui
        .confirm_destructive(&format!("Rotate token {label}: {retire}"), call.yes(ctx))?;
    // Only a verify naming the old token proves it is the profile's own credential.
    let own = match &resolved.credential.secret {
        Secretish::Token(_) => cf.verify_token().await.is_ok_and(|v| v.id == old.id),
        Secretish::GlobalKey { .. } => false,
    };
    let body = TokenBody {
        policies: old
            .policies
            .iter()
            .map(|p| Policy {
                id: None,
                ..p.clone()
            })
            .collect(),
        ..TokenBody::from_token(&old)
    };
    let check = format!(
        "tokenctl tokens list --name {}",
        shell::quote(&super::list::literal_glob(&body.name))
    );
    let siblings = crate::vendor::cloudflare::AccountTokens(cf)
        .named(&old.name)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    let mut journal = Running::begin(
        ctx,
        Begin {
            resolved,
            noun: "tokens",
            old_id: &old.id,
            old_name: &old.name,
            siblings,
            grace_secs: grace.as_secs(),
            sinks: call.flags.clone(),
            verify: call.verify,
        },
    )?;
    let created = crate::commands::send_change(
        ctx,
        &format!("creating the new token for {label}"),
        check,
        cf.create_token(&body),
    )
    .await?;
    let rotated = Rotated {
        id: created.token.id.clone(),
        name: created.token.name.clone(),
        value: created.value.clone(),
        replaces: old.id.clone(),
    };
    journal.step(Step::Created, |e| e.new_id = Some(rotated.id.clone()))?;
    let untouched = crate::commands::old_still_works(label.clone(), rotated.id.clone());
    let how = HandOver {
        own,
        quiet: call.quiet,
        ..HandOver::to(resolved, sinks)
    };
    hand_over(ctx, how, &rotated).map_err(&untouched)?;
    journal.step(Step::Delivered, |_| {})?;
    let mut fresh = resolved.clone();
    fresh.credential.secret = Secretish::Token(created.value.clone());
    let new_client = crate::vendor::cloudflare::connect_tokens(ctx, &fresh)?;
    if call.verify {
        verify(&new_client, &rotated.id, &old.id)
            .await
            .map_err(&untouched)?;
        ctx.ui.status(&format!(
            "Verified: the new token {} is active.",
            rotated.id
        ));
        journal.step(Step::Verified, |_| {})?;
    }
    // The profile's own token is retired with the new credential, which it now stores.
    let retirer = if own { &new_client } else { cf };
    retire_old(ctx, retirer, &old, grace).await?;
    journal.done()
}

/// Calls verify with the new secret: it must name the new token, active.
async fn verify(new_client: &Cloudflare, new_id: &str, old_id: &str) -> anyhow::Result<()> {
    let hint = format!(
        "check it with `tokenctl tokens get {} --json`; once it works, retire the old token with `tokenctl tokens delete {}`",
        shell::word(new_id),
        shell::word(old_id)
    );
    let v = new_client
        .verify_token()
        .await
        .map_err(|e| anyhow::Error::new(e).context(format!("verifying the new token {new_id}")))?;
    if v.id != new_id || v.status != "active" {
        return Err(CliError::failure(format!(
            "the new token {new_id} did not verify: Cloudflare answered token {} with status '{}'",
            v.id, v.status
        ))
        .with_hint(hint)
        .into());
    }
    Ok(())
}

/// Sets the old token's expiry to now + grace (or keeps a sooner one), or deletes it for a
/// zero grace.
pub async fn retire_old(
    ctx: &Context,
    cf: &Cloudflare,
    old: &tokenctl_api::vendors::cloudflare::Token,
    grace: SignedDuration,
) -> anyhow::Result<()> {
    let label = format!("{} ({})", old.name, old.id);
    let check = format!("tokenctl tokens get {} --json", shell::word(&old.id));
    if grace.is_zero() {
        crate::commands::send_change(
            ctx,
            &format!("deleting the old token {label}"),
            check,
            cf.delete_token(&old.id),
        )
        .await?;
        ctx.ui.status(&format!("Deleted the old token {label}."));
        return Ok(());
    }
    let mut until = Timestamp::now()
        .checked_add(grace)
        .unwrap_or_else(|_| Timestamp::now());
    if let Some(sooner) = old
        .expires_on
        .as_deref()
        .and_then(|e| e.parse::<Timestamp>().ok())
        .filter(|e| *e < until)
    {
        until = sooner;
    }
    let body = TokenBody {
        expires_on: Some(rfc3339(until)),
        ..TokenBody::from_token(old)
    };
    crate::commands::send_change(
        ctx,
        &format!("setting the old token {label} to expire"),
        check,
        cf.update_token(&old.id, &body),
    )
    .await?;
    ctx.ui.status(&format!(
        "The old token {label} keeps working until {}, then Cloudflare retires it.",
        rfc3339(until)
    ));
    Ok(())
}
