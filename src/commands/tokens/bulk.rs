//! `tokens delete|roll` over a selection.

use super::roll::Rolled;
use crate::commands::bulk::{self, Filter, Item, Plan, Selectable, Verb};
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
