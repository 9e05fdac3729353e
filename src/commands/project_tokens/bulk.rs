//! `project-tokens delete|rotate` over a selection. The platform does not say which token a
//! request came with, and its tokens carry only a hash of their value, so the profile's own
//! token cannot be recognised and skipped: the confirmation lists every selected token. A
//! rotation finds out as the single one does, once the old token is deleted (see `rotate`).

use futures::lock::Mutex;
use serde_json::json;

use super::rotate::ISSUING;
use super::rotation;
use crate::commands::bulk::{self, Filter, Journals, Plan, Selectable, Verb};
use crate::commands::rotation::Asked;
use crate::commands::sinks::SecretFileArgs;
use crate::context::Context;
use crate::credentials::Secretish;
use crate::error::CliError;
use crate::kinds::TokenKind;
use crate::vendor::mosquitto::Tokens;
use tokenctl_api::vendors::mosquitto::{Deleted, MosquittoToken, MosquittoTokenIssued};

const PROJECT_TOKENS: Selectable = Selectable {
    noun: "project tokens",
    named: true,
    statuses: <Tokens as TokenKind>::STATUSES,
};

const NOUN: (&str, &str) = ("project token", "project tokens");

pub async fn delete(
    ctx: &Context,
    project: Option<String>,
    filter: Filter,
    concurrency: usize,
) -> anyhow::Result<()> {
    filter.check(&PROJECT_TOKENS)?;
    bulk::precheck(ctx, Verb::Delete, NOUN.1, None, None)?;
    let (mq, _) = ctx.mosquitto(project).await?;
    let items = bulk::select(&Tokens(&mq), &filter).await?;
    let plan = Plan {
        verb: Verb::Delete,
        noun: NOUN,
        warning: ": requests with them fail from then on",
        check: |_| "tokenctl project-tokens list".into(),
        concurrency,
        secret_file: None,
        deliver: None,
        note: None,
    };
    let mq = &mq;
    bulk::run(ctx, plan, items, move |t: &MosquittoToken| {
        let id = t.id.clone();
        async move {
            if let Deleted::No(message) = mq.delete(&id).await? {
                let why = message.map(|m| format!(": {m}")).unwrap_or_default();
                return Err(CliError::failure(format!(
                    "the platform did not delete the token{why}"
                ))
                .into());
            }
            Ok(json!({ "id": id, "deleted": true }))
        }
    })
    .await
}

/// Rotates each selected token as `project-tokens rotate` does one: the copy, its hand-over,
/// then (verified when asked) the old token deleted or recorded as due; a token whose delivery
/// or verify fails keeps its old token.
///
/// With `--grace 0`, the old tokens are deleted one at a time, each followed by a read with the
/// profile's credential: the first to fail with 401 shows that the token just deleted was the
/// profile's own, whose stored credential then becomes its new token, and the rest of the run
/// goes on with it.
pub async fn rotate(
    ctx: &Context,
    project: Option<String>,
    filter: Filter,
    concurrency: usize,
    file: &SecretFileArgs,
    asked: Asked,
) -> anyhow::Result<()> {
    filter.check(&PROJECT_TOKENS)?;
    bulk::precheck(ctx, Verb::Rotate, NOUN.1, Some((file, ISSUING)), None)?;
    crate::commands::rotation::refuse_unheld_retirement(&asked, file)?;
    let check = super::list_command(project.as_deref());
    let (mq, resolved) = ctx.mosquitto(project).await?;
    let mut items = bulk::select(&Tokens(&mq), &filter).await?;
    bulk::skip_expired(&Tokens(&mq), &mut items);
    rotation::skip_uncloneable(&mut items);
    // Every token, to know each copy's look-alikes before any copy exists (see the journal).
    let all = match items.iter().any(|i| i.skip.is_none()) {
        true => mq.list().await?,
        false => Vec::new(),
    };
    let warning = match asked.grace.is_zero() {
        true => ": each old token is deleted once its new one is handed over".to_owned(),
        false => format!(
            ": each old token is deleted {} after its new one is handed over (`tokenctl rotations finish`)",
            asked.grace
        ),
    };
    let list = |_: &str| "tokenctl project-tokens list".to_owned();
    let plan = Plan::rotate(
        NOUN,
        &warning,
        list,
        concurrency,
        file,
        (&resolved, ISSUING),
    );
    let journals = Journals::default();
    // The client, held by each retirement in turn, and replaced once the profile's own token is.
    let client = Mutex::new(mq);
    let (client, resolved, asked, all, journals) = (&client, &resolved, &asked, &all, &journals);
    let check = check.as_str();
    let act = move |old: &MosquittoToken| {
        let old = old.clone();
        async move {
            let asked = asked.for_token(file, &old.id, Some(&old.name));
            let siblings = rotation::siblings(all, &old);
            let mq = client.lock().await.clone();
            let (issued, journal) =
                rotation::create(ctx, &mq, resolved, (&old, siblings), &asked, check).await?;
            journals.keep(&old.id, journal);
            Ok(issued)
        }
    };
    let then = move |old: &MosquittoToken, issued: &MosquittoTokenIssued, delivered: bool| {
        let untouched = rotation::untouched(old, issued);
        let journal = journals.handed_over(&old.id, delivered, untouched);
        let (old, issued) = (old.clone(), issued.clone());
        async move {
            let mut mq = client.lock().await;
            let journal = journal?;
            if rotation::retire(ctx, &mq, resolved, &old, &issued, journal, asked, check).await? {
                let mut fresh = resolved.clone();
                fresh.credential.secret = Secretish::Token(issued.token.clone());
                *mq = crate::vendor::mosquitto::connect(ctx, &fresh)?;
            }
            Ok(())
        }
    };
    bulk::run_then(ctx, plan, items, act, Some(then)).await
}
