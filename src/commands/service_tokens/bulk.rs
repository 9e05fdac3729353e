//! `service-tokens refresh|rotate|delete` over a selection.

use jiff::{SignedDuration, Timestamp};

use crate::commands::bulk::{self, Filter, Item, Plan, Selectable, Verb};
use crate::commands::sinks::{CLIENT_FIELDS, Issuing, SecretFileArgs};
use crate::context::Context;
use crate::dates::rfc3339;
use crate::kinds::TokenKind;
use crate::vendor::cloudflare::ServiceTokens;
use tokenctl_api::vendors::cloudflare::{Cloudflare, ServiceToken};

const SERVICE_TOKENS: Selectable = Selectable {
    noun: "service tokens",
    named: true,
    statuses: <ServiceTokens as TokenKind>::STATUSES,
};

const ISSUING: Issuing = Issuing {
    vendor: None,
    fields: CLIENT_FIELDS,
};

const NOUN: (&str, &str) = ("service token", "service tokens");

fn check(id: &str) -> String {
    format!("tokenctl service-tokens get {id}")
}

pub async fn delete(ctx: &Context, filter: Filter, concurrency: usize) -> anyhow::Result<()> {
    filter.check(&SERVICE_TOKENS)?;
    bulk::precheck(ctx, Verb::Delete, NOUN.1, None, None)?;
    let (cf, _) = ctx.cloudflare().await?;
    let items = select(&cf, &filter).await?;
    let plan = Plan {
        verb: Verb::Delete,
        noun: NOUN,
        warning: ": clients using them are refused from then on",
        check,
        concurrency,
        secret_file: None,
        deliver: None,
        note: None,
    };
    let cf = &cf;
    bulk::run(ctx, plan, items, move |t: &ServiceToken| {
        let id = t.id.clone();
        async move { Ok(cf.delete_service_token(&id).await?) }
    })
    .await
}

pub async fn refresh(ctx: &Context, filter: Filter, concurrency: usize) -> anyhow::Result<()> {
    filter.check(&SERVICE_TOKENS)?;
    bulk::precheck(ctx, Verb::Refresh, NOUN.1, None, None)?;
    let (cf, _) = ctx.cloudflare().await?;
    let items = select(&cf, &filter).await?;
    let plan = Plan {
        verb: Verb::Refresh,
        noun: NOUN,
        warning: ": each expires its duration from now",
        check,
        concurrency,
        secret_file: None,
        deliver: None,
        note: None,
    };
    let cf = &cf;
    bulk::run(ctx, plan, items, move |t: &ServiceToken| {
        let id = t.id.clone();
        async move { Ok(cf.refresh_service_token(&id).await?) }
    })
    .await
}

pub async fn rotate(
    ctx: &Context,
    filter: Filter,
    concurrency: usize,
    grace: Option<SignedDuration>,
    file: &SecretFileArgs,
) -> anyhow::Result<()> {
    filter.check(&SERVICE_TOKENS)?;
    bulk::precheck(ctx, Verb::Rotate, NOUN.1, Some((file, ISSUING)), None)?;
    let (cf, resolved) = ctx.cloudflare().await?;
    let items = select(&cf, &filter).await?;
    // One grace deadline for all, so every previous secret ends at the same time.
    let until = grace.map(|g| {
        rfc3339(
            Timestamp::now()
                .checked_add(g)
                .unwrap_or_else(|_| Timestamp::now()),
        )
    });
    let (warning, note) = match &until {
        Some(t) => (
            format!(": their previous secrets keep working until {t}"),
            format!("The previous secrets keep working until {t}."),
        ),
        None => (
            ": their current secrets stop working at once (use --grace to keep them a while)"
                .to_owned(),
            "The previous secrets no longer work.".to_owned(),
        ),
    };
    let plan = Plan {
        note: Some(note),
        ..Plan::rotate(
            NOUN,
            &warning,
            check,
            concurrency,
            file,
            (&resolved, ISSUING),
        )
    };
    let (cf, until) = (&cf, until.as_deref());
    bulk::run(ctx, plan, items, move |t: &ServiceToken| {
        let id = t.id.clone();
        async move {
            Ok(cf.rotate_service_token(&id, until).await.map_err(|e| {
                let check = check(&crate::output::shell::word(&id));
                crate::commands::check_with(e, crate::commands::same_target(ctx, &check))
            })?)
        }
    })
    .await
}

/// Lists every service token once and keeps the selected ones.
async fn select(cf: &Cloudflare, filter: &Filter) -> anyhow::Result<Vec<Item<ServiceToken>>> {
    bulk::select(&ServiceTokens(cf), filter).await
}
