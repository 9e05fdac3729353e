//! Fetching the tokens to offer, through the same `Context` and vendor clients the commands
//! use, in a thread the shell never waits on for longer than the deadline.

use std::sync::mpsc;
use std::time::Instant;

use super::Noun;
use super::cache::Item;
use crate::cli::GlobalArgs;
use crate::context::{ApiTokens, Context};
use crate::env::Env;
use tokenctl_api::vendors::cloudflare::ListOptions;

/// The noun's tokens, or `None` on any error or when `deadline` passes first. Credential
/// lookup (environment first, then the keyring or file store) happens inside the thread, so a
/// slow keyring is bounded by the deadline too; a thread still running then ends with the
/// process.
pub fn until(
    noun: Noun,
    globals: GlobalArgs,
    env: Env,
    project: Option<String>,
    deadline: Instant,
) -> Option<Vec<Item>> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("complete-fetch".into())
        .spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            let items = runtime.block_on(async {
                let ctx = Context::new(globals, env);
                list(&ctx, noun, project).await.ok()
            });
            let _ = tx.send(items);
        })
        .ok()?;
    rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
        .ok()
        .flatten()
}

/// Every token of the noun, as `list` would show them (expired Cloudflare tokens included, as
/// the verbs find those by name too).
async fn list(ctx: &Context, noun: Noun, project: Option<String>) -> anyhow::Result<Vec<Item>> {
    let named = |id: String, name: String| Item {
        id,
        name: Some(name),
    };
    Ok(match noun {
        Noun::Tokens => {
            let (cf, _) = ctx.cloudflare_tokens().await?;
            cf.list_tokens(ListOptions {
                include_expired: true,
            })
            .await?
            .into_iter()
            .map(|t| named(t.id, t.name))
            .collect()
        }
        Noun::ServiceTokens => {
            let (cf, _) = ctx.cloudflare().await?;
            cf.list_service_tokens(None, None)
                .await?
                .into_iter()
                .map(|t| named(t.id, t.name))
                .collect()
        }
        Noun::ApiTokens => match ctx.api_tokens().await? {
            (ApiTokens::Mailtrap(mt), _) => mt
                .list()
                .await?
                .into_iter()
                .map(|t| named(t.id.to_string(), t.name))
                .collect(),
            // Prefactor tokens have no name; their verbs take the ID only.
            (ApiTokens::Prefactor(pf), resolved) => pf
                .list(resolved.profile.account_id.as_deref())
                .await?
                .into_iter()
                .map(|t| Item {
                    id: t.id,
                    name: None,
                })
                .collect(),
        },
        Noun::ProjectTokens => {
            let (mq, _) = ctx.mosquitto(project).await?;
            mq.list()
                .await?
                .into_iter()
                .map(|t| named(t.id, t.name))
                .collect()
        }
    })
}
