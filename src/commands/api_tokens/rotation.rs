//! The steps of a Prefactor token rotation, shared by `api-tokens rotate` on one token and over
//! a selection: [`create`] the clone (journalled), then, once its secret was handed over,
//! [`retire`] the old token (verify first when asked).

use crate::commands::rotation::{self, Asked, Old};
use crate::context::{Context, Resolved};
use crate::credentials::Secretish;
use crate::journal::{Running, Step};
use crate::output::shell;
use tokenctl_api::vendors::prefactor::{
    Action, CreateDetails, Prefactor, PrefactorToken, PrefactorTokenIssued,
};

/// The tokens that look as `old`'s copy will, before it exists (see `journal::Entry`).
pub(super) fn siblings(all: &[PrefactorToken], old: &PrefactorToken) -> Vec<String> {
    let alike = |t: &PrefactorToken| crate::commands::rotations::prefactor_lookalike(t, old);
    rotation::siblings(all, alike, |t| &t.id)
}

/// Step one: records the rotation in the journal, then creates the copy of `old` (same scope,
/// account, environment, agent and expiry).
pub(super) async fn create(
    ctx: &Context,
    pf: &Prefactor,
    resolved: &Resolved,
    old: &PrefactorToken,
    siblings: Vec<String>,
    asked: &Asked,
) -> anyhow::Result<(PrefactorTokenIssued, Running)> {
    let details = CreateDetails {
        token_scope: old.token_scope.clone().unwrap_or_else(|| "account".into()),
        account_id: old.account_id.clone(),
        environment_id: old.environment_id.clone(),
        agent_id: old.agent_id.clone(),
        expires_at: old.expires_at.clone(),
    };
    let journalled = Old {
        noun: "api-tokens",
        id: &old.id,
        name: &old.id,
        siblings,
        what: format!("creating the new token for {}", old.id),
        check: "tokenctl api-tokens list".to_owned(),
    };
    let create = pf.create(&details);
    rotation::create(ctx, resolved, journalled, asked, create, |i| {
        i.details.id.clone()
    })
    .await
}

/// What an error after the copy was made adds: the old token still works, and which is new.
pub(super) fn untouched(
    old: &PrefactorToken,
    issued: &PrefactorTokenIssued,
) -> impl Fn(anyhow::Error) -> anyhow::Error + use<> {
    crate::commands::old_still_works(old.id.clone(), issued.details.id.clone())
}

/// Step two, once the new secret was handed over: verifies it when asked, then revokes `old`
/// at once (`--grace 0`; with the new credential when it was the profile's own, which now
/// stores it) or records it as due for `rotations finish`.
#[allow(clippy::too_many_arguments)]
pub(super) async fn retire(
    ctx: &Context,
    pf: &Prefactor,
    resolved: &Resolved,
    old: &PrefactorToken,
    issued: &PrefactorTokenIssued,
    mut journal: Running,
    own: bool,
    asked: &Asked,
) -> anyhow::Result<()> {
    let new_id = &issued.details.id;
    journal.step(Step::Delivered, |_| {})?;
    let mut fresh = resolved.clone();
    fresh.credential.secret = Secretish::Token(issued.token.clone());
    let new_client = crate::vendor::prefactor::connect(ctx, &fresh)?;
    if asked.verify {
        let see = format!("tokenctl api-tokens get {}", shell::word(new_id));
        rotation::authenticates(new_client.check().await, new_id, "", &see)
            .map_err(untouched(old, issued))?;
        ctx.ui.status(&format!(
            "Verified: the new token {new_id} authenticates with Prefactor."
        ));
        journal.step(Step::Verified, |_| {})?;
    }
    if !asked.grace.is_zero() {
        return crate::commands::schedule_retirement(ctx, journal, asked.grace);
    }
    let retirer = if own { &new_client } else { pf };
    revoke_old(ctx, retirer, &old.id).await?;
    journal.done()
}

/// Revokes the old token of a rotation (a token already revoked counts as revoked).
pub async fn revoke_old(
    ctx: &Context,
    pf: &Prefactor,
    old_id: &str,
) -> Result<(), tokenctl_api::http::ApiError> {
    crate::commands::send_change(
        ctx,
        &format!("revoking the old token {old_id}"),
        format!("tokenctl api-tokens get {}", shell::word(old_id)),
        pf.action(old_id, Action::Revoke),
    )
    .await?;
    ctx.ui.status(&format!("Revoked the old token {old_id}."));
    Ok(())
}
