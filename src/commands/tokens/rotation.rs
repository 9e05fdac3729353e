//! The steps of a Cloudflare token rotation, shared by `tokens rotate` on one token and over a
//! selection: [`create`] the clone (journalled), then, once its secret was handed over,
//! [`retire`] the old token (verify first when asked).

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::commands::rotation::{self, Asked, Old};
use crate::context::{Context, Resolved};
use crate::credentials::Secretish;
use crate::dates::rfc3339;
use crate::error::CliError;
use crate::journal::{Running, Step};
use crate::output::bulk::{BulkRecord, SecretBlock};
use crate::output::{Cell, Issued, Record, shell};
use tokenctl_api::secret::Secret;
use tokenctl_api::vendors::cloudflare::{Cloudflare, Policy, Token, TokenBody};

/// The rotate result: the new token, its secret, and the token it replaces.
#[derive(Clone, Serialize)]
pub(super) struct Rotated {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) value: Secret,
    pub(super) replaces: String,
}

impl Issued for Rotated {
    fn token(&self) -> Option<&Secret> {
        Some(&self.value)
    }
    fn name(&self) -> Option<&str> {
        Some(&self.name)
    }
}

impl BulkRecord for Rotated {
    fn issued(&self) -> Option<SecretBlock> {
        Some(SecretBlock::of(self))
    }
    fn secret(&self) -> Option<&dyn Issued> {
        Some(self)
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

/// `name (id)`, as messages name a token.
pub(super) fn label(t: &Token) -> String {
    format!("{} ({})", t.name, t.id)
}

/// When `old` expired, if it has: a copy keeps the expiry, so it would be a dead token.
fn expired(old: &Token) -> Option<&str> {
    let at = old.expires_on.as_deref()?;
    at.parse::<Timestamp>()
        .is_ok_and(|at| at <= Timestamp::now())
        .then_some(at)
}

/// Refuses an expired token before anything is sent.
pub(super) fn refuse_expired(old: &Token) -> anyhow::Result<()> {
    let Some(at) = expired(old) else {
        return Ok(());
    };
    Err(CliError::usage(format!(
        "token {} expired on {at}: a copy would be expired too, so nothing was rotated",
        label(old)
    ))
    .with_hint(format!(
        "give it a new expiry first with `tokenctl tokens update {} --expires 90d`, or create a new token",
        shell::word(&old.id)
    ))
    .into())
}

/// Refuses a disabled token before anything is sent: Cloudflare creates every token active, so
/// its copy would let in the requests the old one refuses.
pub(super) fn refuse_disabled(old: &Token) -> anyhow::Result<()> {
    if old.status != "disabled" {
        return Ok(());
    }
    Err(CliError::usage(format!(
        "token {} is disabled: its copy would be active (Cloudflare creates every token active), so nothing was rotated",
        label(old)
    ))
    .with_hint(format!(
        "enable it first with `tokenctl tokens update {} --enable`, or delete it",
        shell::word(&old.id)
    ))
    .into())
}

/// Marks the selected disabled tokens as skipped (see [`refuse_disabled`]).
pub(super) fn skip_disabled(items: &mut [crate::commands::bulk::Item<Token>]) {
    crate::commands::bulk::skip_where(items, |t| {
        (t.status == "disabled").then(|| "it is disabled: its copy would be active".to_owned())
    });
}

/// The IDs of the tokens named as `old` is, before its copy exists (see `journal::Entry`).
pub(super) fn siblings(all: &[Token], old: &Token) -> Vec<String> {
    rotation::siblings(all, |t| t.name == old.name, |t| &t.id)
}

/// Step one: records the rotation in the journal, then creates the copy of `old` (same
/// policies, condition, dates and name).
pub(super) async fn create(
    ctx: &Context,
    cf: &Cloudflare,
    resolved: &Resolved,
    old: &Token,
    siblings: Vec<String>,
    asked: &Asked,
) -> anyhow::Result<(Rotated, Running)> {
    let body = TokenBody {
        policies: old
            .policies
            .iter()
            .map(|p| Policy {
                id: None,
                ..p.clone()
            })
            .collect(),
        ..TokenBody::from_token(old)
    };
    let check = format!(
        "tokenctl tokens list --name {}",
        shell::quote(&super::list::literal_glob(&body.name))
    );
    let journalled = Old {
        noun: "tokens",
        id: &old.id,
        name: &old.name,
        siblings,
        what: format!("creating the new token for {}", label(old)),
        check,
    };
    let (created, journal) = rotation::create(
        ctx,
        resolved,
        journalled,
        asked,
        cf.create_token(&body),
        |c| c.token.id.clone(),
    )
    .await?;
    let rotated = Rotated {
        id: created.token.id.clone(),
        name: created.token.name.clone(),
        value: created.value.clone(),
        replaces: old.id.clone(),
    };
    Ok((rotated, journal))
}

/// What an error after the copy was made adds: the old token still works, and which is new.
pub(super) fn untouched(
    old: &Token,
    rotated: &Rotated,
) -> impl Fn(anyhow::Error) -> anyhow::Error + use<> {
    crate::commands::old_still_works(label(old), rotated.id.clone())
}

/// Step two, once the new secret was handed over: verifies it when asked, then retires `old`
/// (with the new credential when it was the profile's own, which now stores it).
#[allow(clippy::too_many_arguments)]
pub(super) async fn retire(
    ctx: &Context,
    cf: &Cloudflare,
    resolved: &Resolved,
    old: &Token,
    rotated: &Rotated,
    mut journal: Running,
    own: bool,
    asked: &Asked,
) -> anyhow::Result<()> {
    journal.step(Step::Delivered, |_| {})?;
    let mut fresh = resolved.clone();
    fresh.credential.secret = Secretish::Token(rotated.value.clone());
    let new_client = crate::vendor::cloudflare::connect_tokens(ctx, &fresh)?;
    if asked.verify {
        verify(&new_client, &rotated.id, &old.id)
            .await
            .map_err(untouched(old, rotated))?;
        ctx.ui.status(&format!(
            "Verified: the new token {} is active.",
            rotated.id
        ));
        journal.step(Step::Verified, |_| {})?;
    }
    let retirer = if own { &new_client } else { cf };
    retire_old(ctx, retirer, old, asked.grace).await?;
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
    old: &Token,
    grace: SignedDuration,
) -> anyhow::Result<()> {
    let label = label(old);
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
