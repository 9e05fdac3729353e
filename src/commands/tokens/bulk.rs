//! `tokens delete|roll|rotate` over a selection.

use super::roll::Rolled;
use super::rotation::{self, Rotated};
use crate::commands::bulk::{self, Filter, Item, Journals, Plan, Selectable, Verb};
use crate::commands::rotation::Asked;
use crate::commands::sinks::{Issuing, SinkArgs, TOKEN_FIELDS};
use crate::context::{Context, Resolved};
use crate::credentials::Secretish;
use crate::kinds::TokenKind;
use crate::vendor::cloudflare::AccountTokens;
use tokenctl_api::vendors::cloudflare::{Cloudflare, Token};

const TOKENS: Selectable = Selectable {
    noun: "Cloudflare account tokens",
    named: true,
    statuses: <AccountTokens as TokenKind>::STATUSES,
};

const NOUN: (&str, &str) = ("token", "tokens");

pub async fn delete(ctx: &Context, filter: Filter, concurrency: usize) -> anyhow::Result<()> {
    filter.check(&TOKENS)?;
    bulk::precheck(ctx, Verb::Delete, NOUN.1, None, None)?;
    let (cf, resolved) = ctx.cloudflare_tokens().await?;
    let items = select(&cf, &resolved, &filter, "delete").await?;
    let plan = Plan {
        verb: Verb::Delete,
        noun: NOUN,
        warning: ": requests with them fail from then on",
        check: |id| format!("tokenctl tokens get {id}"),
        concurrency,
        secret_file: None,
        deliver: None,
        note: None,
    };
    let cf = &cf;
    bulk::run(ctx, plan, items, move |t: &Token| {
        let id = t.id.clone();
        async move { Ok(cf.delete_token(&id).await?) }
    })
    .await
}

pub async fn roll(
    ctx: &Context,
    filter: Filter,
    concurrency: usize,
    sinks: &SinkArgs,
) -> anyhow::Result<()> {
    filter.check(&TOKENS)?;
    bulk::precheck(
        ctx,
        Verb::Roll,
        NOUN.1,
        Some((
            &sinks.file,
            Issuing {
                vendor: None,
                fields: TOKEN_FIELDS,
            },
        )),
        sinks.save_as.as_deref(),
    )?;
    let (cf, resolved) = ctx.cloudflare_tokens().await?;
    let items = select(&cf, &resolved, &filter, "roll").await?;
    let plan = Plan {
        verb: Verb::Roll,
        noun: NOUN,
        warning: ": their current values stop working at once",
        check: |id| format!("tokenctl tokens get {id} --json"),
        concurrency,
        secret_file: Some(&sinks.file),
        deliver: Some((
            &resolved,
            Issuing {
                vendor: None,
                fields: TOKEN_FIELDS,
            },
        )),
        note: None,
    };
    let cf = &cf;
    bulk::run(ctx, plan, items, move |t: &Token| {
        let (id, name) = (t.id.clone(), t.name.clone());
        async move {
            let value = cf.roll_token(&id).await.map_err(|e| {
                let id = crate::output::shell::word(&id);
                let check = format!("tokenctl tokens get {id} --json");
                crate::commands::check_with(e, crate::commands::same_target(ctx, &check))
            })?;
            Ok(Rolled {
                id,
                name: Some(name),
                value,
            })
        }
    })
    .await
}

/// Rotates each selected token as `tokens rotate` does one: the copy, its hand-over, then
/// (verified when asked) the old token retired; a token whose delivery or verify fails keeps
/// its old token. Expired tokens are skipped (a copy would be expired too), and so is the
/// profile's own, whose rotation would lock the rest of the run out.
pub async fn rotate(
    ctx: &Context,
    filter: Filter,
    concurrency: usize,
    sinks: &SinkArgs,
    asked: Asked,
) -> anyhow::Result<()> {
    filter.check(&TOKENS)?;
    crate::commands::rotation::refuse_unheld_retirement(&asked, &sinks.file)?;
    let issuing = Issuing {
        vendor: None,
        fields: TOKEN_FIELDS,
    };
    bulk::precheck(
        ctx,
        Verb::Rotate,
        NOUN.1,
        Some((&sinks.file, issuing)),
        sinks.save_as.as_deref(),
    )?;
    let (cf, resolved) = ctx.cloudflare_tokens().await?;
    let mut items = select(&cf, &resolved, &filter, "rotate").await?;
    bulk::skip_expired(&AccountTokens(&cf), &mut items);
    super::rotation::skip_disabled(&mut items);
    // Every token, to know each copy's look-alikes before any copy exists (see the journal).
    let all = match items.iter().any(|i| i.skip.is_none()) {
        true => AccountTokens(&cf).list_all().await?,
        false => Vec::new(),
    };
    let warning = match asked.grace.is_zero() {
        true => ": each old token is deleted once its new one is handed over".to_owned(),
        false => format!(
            ": each old token stops working {} after its new one is handed over",
            asked.grace
        ),
    };
    let check = |id: &str| format!("tokenctl tokens get {id} --json");
    let from = (&resolved, issuing);
    let plan = Plan::rotate(NOUN, &warning, check, concurrency, &sinks.file, from);
    let journals = Journals::default();
    let (cf, resolved, asked, all, journals) = (&cf, &resolved, &asked, &all, &journals);
    let act = move |old: &Token| {
        let old = old.clone();
        async move {
            let asked = asked.for_token(&sinks.file, &old.id, Some(&old.name));
            let siblings = rotation::siblings(all, &old);
            let (rotated, journal) =
                rotation::create(ctx, cf, resolved, &old, siblings, &asked).await?;
            journals.keep(&old.id, journal);
            Ok(rotated)
        }
    };
    let then = move |old: &Token, rotated: &Rotated, delivered: bool| {
        let untouched = rotation::untouched(old, rotated);
        let journal = journals.handed_over(&old.id, delivered, untouched);
        let (old, rotated) = (old.clone(), rotated.clone());
        async move { rotation::retire(ctx, cf, resolved, &old, &rotated, journal?, false, asked).await }
    };
    bulk::run_then(ctx, plan, items, act, Some(then)).await
}

/// Lists every token (expired ones too) once and keeps the selected ones. The token the profile
/// authenticates with is skipped: acting on it in bulk would lock the rest of the run out. One
/// verify request finds it, and only when something was selected.
async fn select(
    cf: &Cloudflare,
    resolved: &Resolved,
    filter: &Filter,
    verb: &str,
) -> anyhow::Result<Vec<Item<Token>>> {
    let mut items = bulk::select(&AccountTokens(cf), filter).await?;
    if items.is_empty() {
        return Ok(items);
    }
    if let Secretish::Token(_) = resolved.credential.secret {
        let own = cf.verify_token().await.map_err(|e| {
            anyhow::Error::from(e).context(
                "finding out which token the profile authenticates with (nothing was changed)",
            )
        })?;
        for item in items.iter_mut().filter(|i| i.entry.id == own.id) {
            item.skip = Some(format!(
                "the profile authenticates with it; name it alone to {verb} it"
            ));
        }
    }
    Ok(items)
}
