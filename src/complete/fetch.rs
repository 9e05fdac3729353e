//! Fetching the tokens to offer, through the same `Context` and vendor clients the commands
//! use, in a thread the shell never waits on for longer than the deadline.

use std::sync::mpsc;
use std::time::Instant;

use super::Noun;
use super::cache::Item;
use crate::cli::GlobalArgs;
use crate::context::{Context, check_id};
use crate::env::Env;
use crate::vendor::Client;

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

/// Every token of the noun, as `list` would show them (expired tokens included, as the verbs
/// find those by name too), through the one client constructor. Tokens without names are
/// offered by ID.
async fn list(ctx: &Context, noun: Noun, project: Option<String>) -> anyhow::Result<Vec<Item>> {
    let (name, profile, origin) = ctx.select_profile_for(&noun.vendors())?;
    let mut r = ctx.resolve_named(name, profile, origin).await?;
    if let Some(p) = project {
        check_id(&p, "--project", "pass the project's ID".into())?;
        r.profile.project_id = Some(p);
    }
    let client = Client::connect(ctx, &r)?;
    Ok(client
        .summaries(noun, &r)
        .await?
        .into_iter()
        .map(|s| Item {
            id: s.id,
            name: s.name,
        })
        .collect())
}
