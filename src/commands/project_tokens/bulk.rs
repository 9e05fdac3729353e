//! `project-tokens delete` over a selection. The platform does not say which token a request
//! came with, and its tokens carry only a hash of their value, so the profile's own token cannot
//! be recognised and skipped: the confirmation lists every selected token.

use serde_json::json;

use crate::commands::bulk::{self, Filter, Plan, Selectable, Verb};
use crate::context::Context;
use crate::error::CliError;
use crate::kinds::TokenKind;
use crate::vendor::mosquitto::Tokens;
use tokenctl_api::vendors::mosquitto::{Deleted, MosquittoToken};

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
