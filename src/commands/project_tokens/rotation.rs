//! The steps of a Mosquitto project-token rotation, shared by `project-tokens rotate` on one
//! token and over a selection: [`create`] the clone (journalled), then, once its secret was
//! handed over, [`retire`] the old token (verify first when asked).

use crate::commands::rotation::{self, Asked, Old};
use crate::context::{Context, Resolved};
use crate::credentials::Secretish;
use crate::dates::rfc3339;
use crate::error::CliError;
use crate::journal::{Running, Step};
use tokenctl_api::http::ApiErrorKind;
use tokenctl_api::vendors::mosquitto::{
    CreateBody, Deleted, Mosquitto, MosquittoToken, MosquittoTokenIssued, unix_time,
};

/// `name (id)`, as messages name a token.
pub(super) fn label(t: &MosquittoToken) -> String {
    format!("{} ({})", t.name, t.id)
}

/// The IDs of the tokens named as `old` is, before its copy exists (see `journal::Entry`).
pub(super) fn siblings(all: &[MosquittoToken], old: &MosquittoToken) -> Vec<String> {
    rotation::siblings(all, |t| t.name == old.name, |t| &t.id)
}

/// The roles the platform's create takes (VENDORS.md).
const CREATABLE_ROLES: [&str; 3] = ["admin", "editor", "viewer"];

/// `old`'s role, if a copy can carry it; else why no copy can be made. A copy with another
/// role would change what its consumers may do, so none is made: the project's own `root`
/// token, and a token whose role the platform did not give, are not rotated.
pub(super) fn clone_role(old: &MosquittoToken) -> Result<&str, String> {
    creatable(old.role_id.as_deref())
}

/// `role`, if the platform creates tokens with it; else why not.
pub fn creatable(role: Option<&str>) -> Result<&str, String> {
    match role {
        Some(r) if CREATABLE_ROLES.contains(&r) => Ok(r),
        Some(r) => Err(format!(
            "its role '{r}' is not one the platform creates tokens with (admin, editor, viewer)"
        )),
        None => Err("the platform did not give its role".to_owned()),
    }
}

/// Refuses, before anything is sent, a token whose copy could not carry its role.
pub(super) fn refuse_uncloneable(old: &MosquittoToken) -> anyhow::Result<()> {
    clone_role(old).map(|_| ()).map_err(|why| {
        CliError::failure(format!(
            "token {} cannot be rotated: {why}, so a copy cannot be made; nothing was changed",
            label(old)
        ))
        .with_hint("replace it by hand in the platform's console, or create a new token with `tokenctl project-tokens create`")
        .into()
    })
}

/// Marks the selected tokens whose copy could not carry their role as skipped.
pub(super) fn skip_uncloneable(items: &mut [crate::commands::bulk::Item<MosquittoToken>]) {
    crate::commands::bulk::skip_where(items, |t| {
        clone_role(t)
            .err()
            .map(|why| format!("{why}: a copy cannot be made"))
    });
}

/// Step one: records the rotation in the journal, then creates the copy of `old` (same name,
/// role, brokers, type and validity). `check` lists the project's tokens.
pub(super) async fn create(
    ctx: &Context,
    mq: &Mosquitto,
    resolved: &Resolved,
    (old, siblings): (&MosquittoToken, Vec<String>),
    asked: &Asked,
    check: &str,
) -> anyhow::Result<(MosquittoTokenIssued, Running)> {
    refuse_uncloneable(old)?;
    let body = CreateBody {
        name: old.name.clone(),
        role: clone_role(old).unwrap_or_default().to_owned(),
        brokers: old.brokers.clone().unwrap_or_default(),
        kind: old.kind.clone().unwrap_or_else(|| "unrestricted".into()),
        valid_date: old.valid_date.and_then(unix_time).map(rfc3339),
    };
    let journalled = Old {
        noun: "project-tokens",
        id: &old.id,
        name: &old.name,
        siblings,
        what: format!("creating the new token for {}", label(old)),
        check: check.to_owned(),
    };
    let create = mq.create(&body);
    rotation::create(ctx, resolved, journalled, asked, create, |i| {
        i.details.id.clone()
    })
    .await
}

/// What an error after the copy was made adds: the old token still works, and which is new.
pub(super) fn untouched(
    old: &MosquittoToken,
    issued: &MosquittoTokenIssued,
) -> impl Fn(anyhow::Error) -> anyhow::Error + use<> {
    crate::commands::old_still_works(label(old), issued.details.id.clone())
}

/// Step two, once the new secret was handed over: verifies it when asked, then deletes `old`
/// at once (`--grace 0`) or records it as due for `rotations finish`. Returns whether the old
/// token was the profile's own (its credential stopped working once it was deleted; the stored
/// credential then follows).
#[allow(clippy::too_many_arguments)]
pub(super) async fn retire(
    ctx: &Context,
    mq: &Mosquitto,
    resolved: &Resolved,
    old: &MosquittoToken,
    issued: &MosquittoTokenIssued,
    mut journal: Running,
    asked: &Asked,
    check: &str,
) -> anyhow::Result<bool> {
    let new_id = &issued.details.id;
    journal.step(Step::Delivered, |_| {})?;
    if asked.verify {
        let mut fresh = resolved.clone();
        fresh.credential.secret = Secretish::Token(issued.token.clone());
        let read = crate::vendor::mosquitto::connect(ctx, &fresh)?.list().await;
        rotation::authenticates(read, new_id, "", check).map_err(untouched(old, issued))?;
        ctx.ui.status(&format!(
            "Verified: the new token {new_id} authenticates with the platform."
        ));
        journal.step(Step::Verified, |_| {})?;
    }
    if !asked.grace.is_zero() {
        crate::commands::schedule_retirement(ctx, journal, asked.grace)?;
        return Ok(false);
    }
    delete_old(ctx, mq, &old.id, &label(old), check).await?;
    journal.done()?;
    // Only now can anyone tell whether it was the profile's own: its credential stops working.
    let own = mq
        .list()
        .await
        .is_err_and(|e| e.kind == ApiErrorKind::Unauthorized);
    if own {
        ctx.replace_own_secret(resolved, &issued.token)?;
    }
    Ok(own)
}

/// Deletes the old token of a rotation.
pub async fn delete_old(
    ctx: &Context,
    mq: &Mosquitto,
    id: &str,
    label: &str,
    check: &str,
) -> anyhow::Result<()> {
    let deleted = crate::commands::send_change(
        ctx,
        &format!("deleting the old token {label}"),
        check.to_owned(),
        mq.delete(id),
    )
    .await?;
    if let Deleted::No(message) = deleted {
        let why = message.map(|m| format!(": {m}")).unwrap_or_default();
        return Err(CliError::failure(format!(
            "the platform did not delete the old token {label}{why}; it still works"
        ))
        .with_hint(format!("see `{check}`"))
        .into());
    }
    ctx.ui.status(&format!("Deleted the old token {label}."));
    Ok(())
}
