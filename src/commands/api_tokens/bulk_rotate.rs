//! `api-tokens rotate` over a selection: each token rotated as the single verb does it, through
//! the same steps (`reset.rs` for Mailtrap, `rotation.rs` for Prefactor). A token whose delivery
//! or verify fails keeps its old token and is reported failed; the others go on. The profile's
//! own token is skipped (see `bulk.rs`), and so are Prefactor tokens that cannot be revoked.

use super::bulk::{MAILTRAP, NOUN, PREFACTOR, check, select_mailtrap, select_prefactor};
use super::reset::{after_hand_over, send_reset};
use super::rotation;
use crate::commands::bulk::{self, Filter, Journals, Plan, Selectable, Verb};
use crate::commands::rotation::Asked;
use crate::commands::sinks::{Issuing, SinkArgs, TOKEN_FIELDS};
use crate::context::{Context, Resolved};
use tokenctl_api::vendors::mailtrap::{Mailtrap, MailtrapToken, MailtrapTokenIssued};
use tokenctl_api::vendors::prefactor::{Action, Prefactor, PrefactorToken, PrefactorTokenIssued};

const ISSUING: Issuing = Issuing {
    vendor: None,
    fields: TOKEN_FIELDS,
};

/// What is refused before any request: a selection the vendor's tokens cannot take, the
/// output format, the sinks, a run that cannot be confirmed.
fn refuse_early(
    ctx: &Context,
    filter: &Filter,
    vendor: &Selectable,
    sinks: &SinkArgs,
    verb: Verb,
) -> anyhow::Result<()> {
    filter.check(vendor)?;
    let (file, save_as) = (Some((&sinks.file, ISSUING)), sinks.save_as.as_deref());
    bulk::precheck(ctx, verb, NOUN.1, file, save_as)
}

/// Mailtrap: each token reset (Mailtrap keeps the old one for 12 hours), handed over, and
/// verified when asked; `verb` is `Rotate` or `Reset`, the same thing on Mailtrap.
#[allow(clippy::too_many_arguments)]
pub(super) async fn mailtrap(
    ctx: &Context,
    mt: &Mailtrap,
    resolved: &Resolved,
    filter: Filter,
    concurrency: usize,
    sinks: &SinkArgs,
    verify: bool,
    verb: Verb,
) -> anyhow::Result<()> {
    refuse_early(ctx, &filter, &MAILTRAP, sinks, verb)?;
    let items = select_mailtrap(mt, resolved, &filter, "rotate").await?;
    let warning =
        ": each old token keeps working for Mailtrap's grace period (12 hours), then stops";
    let plan = Plan {
        note: Some(
            "The old tokens keep working for Mailtrap's grace period (12 hours), then stop."
                .to_owned(),
        ),
        verb,
        ..Plan::rotate(
            NOUN,
            warning,
            check,
            concurrency,
            &sinks.file,
            (resolved, ISSUING),
        )
    };
    let journals = Journals::default();
    let journals = &journals;
    let act = move |t: &MailtrapToken| {
        let t = t.clone();
        async move {
            let id = t.id.to_string();
            let flags = sinks.file.token_flags(&id, Some(&t.name));
            let (issued, journal) = send_reset(ctx, mt, resolved, &t, Some(flags), verify).await?;
            if let Some(journal) = journal {
                journals.keep(&id, journal);
            }
            Ok(issued)
        }
    };
    let then = move |t: &MailtrapToken, issued: &MailtrapTokenIssued, delivered: bool| {
        let new_id = issued.details.id;
        let journal = journals.handed_over(&t.id.to_string(), delivered, |e| {
            e.context(format!(
                "the old token still works for Mailtrap's grace period (12 hours); the new token is {new_id}"
            ))
        });
        let issued = issued.clone();
        async move { after_hand_over(ctx, resolved, &issued, Some(journal?), verify).await }
    };
    bulk::run_then(ctx, plan, items, act, Some(then)).await
}

/// Prefactor: each token cloned, handed over, verified when asked, then revoked at once
/// (`--grace 0`) or recorded as due for `rotations finish`.
pub(super) async fn prefactor(
    ctx: &Context,
    pf: &Prefactor,
    resolved: &Resolved,
    filter: Filter,
    concurrency: usize,
    sinks: &SinkArgs,
    asked: Asked,
) -> anyhow::Result<()> {
    refuse_early(ctx, &filter, &PREFACTOR, sinks, Verb::Rotate)?;
    crate::commands::rotation::refuse_unheld_retirement(&asked, &sinks.file)?;
    let mut items = select_prefactor(pf, resolved, &filter, Action::Revoke, "rotate").await?;
    let kind = crate::vendor::prefactor::Tokens {
        client: pf,
        account: resolved.profile.account_id.as_deref(),
    };
    bulk::skip_expired(&kind, &mut items);
    // Every token, to know each copy's look-alikes before any copy exists (see the journal).
    let all = match items.iter().any(|i| i.skip.is_none()) {
        true => pf.list(None).await?,
        false => Vec::new(),
    };
    let warning = match asked.grace.is_zero() {
        true => ": each old token is revoked once its new one is handed over".to_owned(),
        false => format!(
            ": each old token is revoked {} after its new one is handed over (`tokenctl rotations finish`)",
            asked.grace
        ),
    };
    let plan = Plan::rotate(
        NOUN,
        &warning,
        check,
        concurrency,
        &sinks.file,
        (resolved, ISSUING),
    );
    let journals = Journals::default();
    let (asked, all, journals) = (&asked, &all, &journals);
    let act = move |old: &PrefactorToken| {
        let old = old.clone();
        async move {
            let asked = asked.for_token(&sinks.file, &old.id, None);
            let siblings = rotation::siblings(all, &old);
            let (issued, journal) =
                rotation::create(ctx, pf, resolved, &old, siblings, &asked).await?;
            journals.keep(&old.id, journal);
            Ok(issued)
        }
    };
    let then = move |old: &PrefactorToken, issued: &PrefactorTokenIssued, delivered: bool| {
        let untouched = rotation::untouched(old, issued);
        let journal = journals.handed_over(&old.id, delivered, untouched);
        let (old, issued) = (old.clone(), issued.clone());
        async move { rotation::retire(ctx, pf, resolved, &old, &issued, journal?, false, asked).await }
    };
    bulk::run_then(ctx, plan, items, act, Some(then)).await
}
