//! Bulk verbs: one action over a selection of tokens instead of one TOKEN.
//!
//! The flow is the same for every verb: check every input and refuse an unconfirmable run
//! before any request; list the tokens once; filter; show the selection and confirm; act with
//! bounded concurrency (the HTTP client's rate budget and retries do the pacing); report each
//! token's outcome (in selection order, or for new secrets as soon as each arrives); write the
//! secret file; summarise; exit with the failures' code (9 whenever a change's outcome is
//! unknown).

mod journals;
mod secret_file;
pub mod selection;

use std::future::Future;

use futures::{StreamExt, stream};

use crate::commands::hand_over;
use crate::commands::sinks::{Delivered, Issuing, SecretFileArgs};
use crate::context::{Context, Resolved};
use crate::error::{CliError, Exit, classify, message};
use crate::output::bulk::{self as render, BulkRecord, Emitter, Entry, Handed, Outcome};
use crate::output::{Progress, shell};

pub use journals::Journals;
pub use selection::{Facts, Filter, Selectable, SelectionArgs, select, skip_expired, skip_where};

/// The bulk verbs, for wording.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    Delete,
    Roll,
    Rotate,
    Refresh,
    Revoke,
    Suspend,
    Activate,
    Reset,
}

impl Verb {
    fn imperative(self) -> &'static str {
        match self {
            Verb::Delete => "Delete",
            Verb::Roll => "Roll",
            Verb::Rotate => "Rotate",
            Verb::Refresh => "Refresh",
            Verb::Revoke => "Revoke",
            Verb::Suspend => "Suspend",
            Verb::Activate => "Activate",
            Verb::Reset => "Reset",
        }
    }
    fn past(self) -> &'static str {
        match self {
            Verb::Delete => "Deleted",
            Verb::Roll => "Rolled",
            Verb::Rotate => "Rotated",
            Verb::Refresh => "Refreshed",
            Verb::Revoke => "Revoked",
            Verb::Suspend => "Suspended",
            Verb::Activate => "Activated",
            Verb::Reset => "Reset",
        }
    }
    fn gerund(self) -> &'static str {
        match self {
            Verb::Delete => "Deleting",
            Verb::Roll => "Rolling",
            Verb::Rotate => "Rotating",
            Verb::Refresh => "Refreshing",
            Verb::Revoke => "Revoking",
            Verb::Suspend => "Suspending",
            Verb::Activate => "Activating",
            Verb::Reset => "Resetting",
        }
    }
    /// Whether the verb issues a new secret per token.
    fn issues(self) -> bool {
        matches!(self, Verb::Roll | Verb::Rotate | Verb::Reset)
    }
}

/// One bulk run.
pub struct Plan<'a> {
    pub verb: Verb,
    /// The tokens, singular and plural ("service token", "service tokens").
    pub noun: (&'static str, &'static str),
    /// Said with the question, e.g. ": their current secrets stop working at once".
    pub warning: &'a str,
    /// The command that shows whether a change whose answer was lost happened, for an ID
    /// (given quoted for the shell).
    pub check: fn(&str) -> String,
    pub concurrency: usize,
    pub secret_file: Option<&'a SecretFileArgs>,
    /// For verbs that issue a secret: the profile it comes from and its fields, for the
    /// `--deliver` sinks of `secret_file`, written for each token before its secret is shown.
    pub deliver: Option<(&'a Resolved, Issuing)>,
    /// A note shown after the work when something was done.
    pub note: Option<String>,
}

impl<'a> Plan<'a> {
    /// A bulk `rotate`: each new secret goes to the `--deliver` sinks of `file` (its `{id}` and
    /// `{name}` filled in) as `from` issues it, and all of them to the secret file.
    pub fn rotate(
        noun: (&'static str, &'static str),
        warning: &'a str,
        check: fn(&str) -> String,
        concurrency: usize,
        file: &'a SecretFileArgs,
        from: (&'a Resolved, Issuing),
    ) -> Self {
        Plan {
            verb: Verb::Rotate,
            noun,
            warning,
            check,
            concurrency,
            secret_file: Some(file),
            deliver: Some(from),
            note: None,
        }
    }
}

/// A selected token: who it is, the API's object, and why it is left alone (if it is).
pub struct Item<T> {
    pub entry: Entry,
    pub token: T,
    pub skip: Option<String>,
}

/// Everything that can be refused before a request: the output format, `--save-as`, the secret
/// file, and a run that cannot be confirmed. Bulk runs always confirm, even for verbs that do
/// not when naming one token.
pub fn precheck(
    ctx: &Context,
    verb: Verb,
    noun: &str,
    secret_file: Option<(&SecretFileArgs, Issuing)>,
    save_as: Option<&str>,
) -> anyhow::Result<()> {
    if save_as.is_some() {
        return Err(CliError::usage(
            "--save-as stores one secret as a profile; it cannot be used with a selection",
        )
        .with_hint("name the token alone to save its new secret as a profile")
        .into());
    }
    render::check_format(ctx.format())?;
    if verb.issues() {
        let sinks = match secret_file {
            Some((args, issuing)) => args.bulk_sinks(issuing)?,
            None => Vec::new(),
        };
        hand_over::precheck(ctx, &sinks)?;
    }
    ctx.ui.refuse_unconfirmable(
        &format!("{} {noun} in bulk", verb.gerund().to_lowercase()),
        ctx.globals.yes,
    )
}

/// Shows the selection, confirms, acts on every token not skipped and reports.
pub async fn run<T, R, F, Fut>(
    ctx: &Context,
    plan: Plan<'_>,
    items: Vec<Item<T>>,
    act: F,
) -> anyhow::Result<()>
where
    R: BulkRecord,
    F: Fn(&T) -> Fut,
    Fut: Future<Output = anyhow::Result<R>>,
{
    type Nothing<T, R> = fn(&T, &R, bool) -> std::future::Ready<anyhow::Result<()>>;
    run_then(ctx, plan, items, act, None::<Nothing<T, R>>).await
}

/// [`run`] with a step after each token's hand-over: a rotation's verify and retirement of the
/// old token. `then` is told whether every `--deliver` sink of the token was written; its error
/// makes the token failed, with its new secret still shown (and in the secret file), since the
/// vendor's answer is the only copy.
pub async fn run_then<T, R, F, Fut, G, GFut>(
    ctx: &Context,
    plan: Plan<'_>,
    items: Vec<Item<T>>,
    act: F,
    then: Option<G>,
) -> anyhow::Result<()>
where
    R: BulkRecord,
    F: Fn(&T) -> Fut,
    Fut: Future<Output = anyhow::Result<R>>,
    G: Fn(&T, &R, bool) -> GFut,
    GFut: Future<Output = anyhow::Result<()>>,
{
    let ui = &ctx.ui;
    ctx.report_notices();
    let items = distinct(items, plan.noun.0)?;
    if items.is_empty() {
        return render::nothing_selected(ui, ctx.format(), plan.noun.1);
    }
    let listing: Vec<(&Entry, Option<&str>)> = items
        .iter()
        .map(|i| (&i.entry, i.skip.as_deref()))
        .collect();
    render::selection(ui, plan.noun.1, &listing);
    let actionable = items.iter().filter(|i| i.skip.is_none()).count();
    if actionable > 0 {
        let noun = if actionable == 1 {
            plan.noun.0
        } else {
            plan.noun.1
        };
        ctx.ui.confirm_destructive(
            &format!(
                "{} {actionable} {noun}{}",
                plan.verb.imperative(),
                plan.warning
            ),
            ctx.globals.yes,
        )?;
    }

    if ctx.dry_run().is_some() {
        return dry_run(&plan, &items, act).await;
    }

    let progress = Progress::new(
        ui,
        ctx.globals.quiet,
        ctx.globals.verbose > 0,
        actionable,
        plan.verb.gerund(),
    );
    let mut emitter = Emitter::new(ui, ctx.format(), &progress, plan.verb.issues(), items.len());
    let mut outcomes: Vec<Option<Outcome<Handed<R>>>> = items
        .iter()
        .map(|i| i.skip.clone().map(Outcome::Skipped))
        .collect();
    // Changes are shown in selection order. New secrets are shown the moment they arrive
    // instead, so that none waits in memory behind a slower token: a run interrupted midway
    // has printed every secret it received.
    let in_selection_order = !plan.verb.issues();
    let mut next = 0;
    let mut drain = |outcomes: &[Option<Outcome<Handed<R>>>], emitter: &mut Emitter| {
        while let Some(Some(o)) = outcomes.get(next) {
            emitter.in_order(next, &items[next].entry, o);
            next += 1;
        }
    };
    let mut shown = 0;
    if in_selection_order {
        drain(&outcomes, &mut emitter);
    } else {
        for (item, o) in items.iter().zip(&outcomes) {
            if let Some(o) = o {
                emitter.in_order(shown, &item.entry, o);
                shown += 1;
            }
        }
    }
    let (plan_ref, then) = (&plan, then.as_ref());
    let mut work = stream::iter(items.iter().enumerate().filter(|(_, i)| i.skip.is_none()))
        .map(|(index, item)| {
            let fut = act(&item.token);
            let what = format!(
                "{} {}",
                plan.verb.gerund().to_lowercase(),
                item.entry.label()
            );
            let check =
                crate::commands::same_target(ctx, &(plan.check)(&shell::word(&item.entry.id)));
            async move {
                ctx.sent(&what, check);
                let result = fut.await;
                ctx.answered(&what);
                let record = match result {
                    Ok(record) => record,
                    Err(e) => return (index, Err(e)),
                };
                let (ok, deliveries) = deliver(ctx, plan_ref, &item.entry, &record);
                let after = match then {
                    Some(then) => then(&item.token, &record, ok).await,
                    None => Ok(()),
                };
                (index, Ok((Handed { record, deliveries }, ok, after)))
            }
        })
        .buffer_unordered(plan.concurrency);
    let mut undelivered = 0;
    while let Some((index, result)) = work.next().await {
        progress.inc();
        let outcome = match result {
            Ok((handed, ok, Ok(()))) => {
                undelivered += usize::from(!ok);
                Outcome::Done(handed)
            }
            Ok((handed, _, Err(e))) => failed(&e, Some(handed)),
            Err(e) => failed(&e, None),
        };
        emitter.completed(&items[index].entry, &outcome);
        if !in_selection_order {
            emitter.in_order(shown, &items[index].entry, &outcome);
            shown += 1;
        }
        outcomes[index] = Some(outcome);
        if in_selection_order {
            drain(&outcomes, &mut emitter);
        }
    }
    drop(work);
    progress.finish();

    let results: Vec<(&Entry, &Outcome<Handed<R>>)> = items
        .iter()
        .zip(&outcomes)
        .filter_map(|(i, o)| o.as_ref().map(|o| (&i.entry, o)))
        .collect();
    let file_error = match plan.secret_file {
        Some(f) => secret_file::write(ctx, f, &results),
        None => None,
    };
    let stdout_error = emitter.finish(&results);
    let done = results
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Done(_)))
        .count();
    if done > 0
        && let Some(note) = &plan.note
    {
        ui.status(note);
    }
    render::summary(ui, plan.verb.past(), &results);
    let undelivered = (undelivered > 0).then(|| {
        CliError::failure(format!(
            "the new secrets were printed, but {undelivered} of {done} did not reach every --deliver sink (see above)"
        ))
    });
    if let Some(e) = failures(ctx, &plan, &results) {
        if let Some(u) = &undelivered {
            ui.err_line(&format!("error: {}", u.message));
        }
        if let Some(f) = file_error {
            ui.err_line(&format!("error: {}", crate::output::visible(&message(&f))));
        }
        return Err(e);
    }
    if let Some(f) = file_error {
        if let Some(u) = &undelivered {
            ui.err_line(&format!("error: {}", u.message));
        }
        return Err(
            f.context("the new secrets were printed above, but the secret file did not get them")
        );
    }
    if let Some(u) = undelivered {
        return Err(u.into());
    }
    match stdout_error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// A token's failure as reported, with the new secret it got first, if any.
fn failed<R>(e: &anyhow::Error, issued: Option<R>) -> Outcome<R> {
    let (exit, hint) = classify(e);
    Outcome::Failed {
        message: message(e),
        hint,
        exit,
        issued,
    }
}

/// `--dry-run` over a selection: every token's act runs, one after another so the report is in
/// selection order, and stops at the change it would send, which the HTTP layer writes down; the
/// top level reports them all. A token whose act fails otherwise (a read that resolves it)
/// fails the run, as it would have without `--dry-run`.
async fn dry_run<T, R, F, Fut>(plan: &Plan<'_>, items: &[Item<T>], act: F) -> anyhow::Result<()>
where
    F: Fn(&T) -> Fut,
    Fut: Future<Output = anyhow::Result<R>>,
{
    let mut stopped = None;
    for item in items.iter().filter(|i| i.skip.is_none()) {
        match act(&item.token).await {
            Ok(_) => {}
            Err(e) if crate::error::is_dry_run(&e) => {
                stopped.get_or_insert(e);
            }
            Err(e) => {
                return Err(e.context(format!(
                    "{} {}",
                    plan.verb.gerund().to_lowercase(),
                    item.entry.label()
                )));
            }
        }
    }
    stopped.map_or(Ok(()), Err)
}

/// Writes one token's `--deliver` sinks (its `{id}` and `{name}` filled in), before its secret
/// is shown; says each failure on stderr, naming the token. Returns whether all were written,
/// and each sink's outcome for JSON output.
fn deliver<R: BulkRecord>(
    ctx: &Context,
    plan: &Plan,
    entry: &Entry,
    r: &R,
) -> (bool, Option<serde_json::Value>) {
    let (Some(args), Some((from, issuing)), Some(issued)) =
        (plan.secret_file, plan.deliver, r.secret())
    else {
        return (true, None);
    };
    let token = (entry.id.as_str(), entry.name.as_deref());
    let (failures, deliveries) = match args.delivered(issuing, Some(token)) {
        Ok(sinks) => {
            let it = Delivered {
                id: &entry.id,
                name: entry.name.as_deref(),
                issued,
            };
            let checked: Vec<anyhow::Error> =
                sinks.iter().filter_map(|s| s.check(ctx).err()).collect();
            if checked.is_empty() {
                hand_over::write_sinks(ctx, from, &sinks, &it)
            } else {
                (checked, None)
            }
        }
        Err(e) => (vec![e], None),
    };
    for f in &failures {
        ctx.ui.err_line(&format!(
            "error: {}: {}",
            crate::output::visible(&entry.label()),
            crate::output::visible(&message(f))
        ));
    }
    (failures.is_empty(), deliveries)
}

/// The selection with each ID once, the first of each kept: a bulk verb never acts twice on one
/// token. An ID that cannot go in a request path (`..`, `a/b`, empty) refuses the whole run
/// before any change: the listing it came from cannot be trusted.
fn distinct<T>(items: Vec<Item<T>>, noun: &str) -> anyhow::Result<Vec<Item<T>>> {
    if let Some((id, why)) = items
        .iter()
        .find_map(|i| tokenctl_api::http::unsafe_segment(&i.entry.id).map(|why| (&i.entry.id, why)))
    {
        return Err(CliError::usage(format!(
            "the API listed a {noun} with the ID {id:?}: {why}, so it cannot go in a request path; nothing was changed"
        ))
        .with_hint("no real ID is '.', '..', empty or contains a slash: check the profile's base URL, or name the tokens one by one")
        .into());
    }
    let mut seen = std::collections::HashSet::new();
    Ok(items
        .into_iter()
        .filter(|i| seen.insert(i.entry.id.clone()))
        .collect())
}

/// The error a run with failures ends with: exit 9 when any change's outcome is unknown, else
/// the failures' code when they share one, else 1.
fn failures<R>(
    ctx: &Context,
    plan: &Plan,
    results: &[(&Entry, &Outcome<R>)],
) -> Option<anyhow::Error> {
    let failed: Vec<(&Entry, Exit)> = results
        .iter()
        .filter_map(|(e, o)| match o {
            Outcome::Failed { exit, .. } => Some((*e, *exit)),
            _ => None,
        })
        .collect();
    let first = failed.first()?.1;
    let unknown: Vec<&Entry> = failed
        .iter()
        .filter(|(_, x)| *x == Exit::OutcomeUnknown)
        .map(|(e, _)| *e)
        .collect();
    let exit = if !unknown.is_empty() {
        Exit::OutcomeUnknown
    } else if failed.iter().all(|(_, x)| *x == first) {
        first
    } else {
        Exit::Failure
    };
    let noun = if results.len() == 1 {
        plan.noun.0
    } else {
        plan.noun.1
    };
    let mut err = CliError::new(
        exit,
        format!(
            "{} failed for {} of {} {noun}",
            plan.verb.gerund(),
            failed.len(),
            results.len()
        ),
    );
    if !unknown.is_empty() {
        let cmds: Vec<String> = unknown
            .iter()
            .take(3)
            .map(|e| {
                let check = (plan.check)(&shell::word(&e.id));
                format!("`{}`", crate::commands::same_target(ctx, &check))
            })
            .collect();
        let more = match unknown.len() {
            n if n > 3 => format!(" (and likewise for the {} others listed above)", n - 3),
            _ => String::new(),
        };
        err = err.with_hint(format!(
            "the outcome is unknown for {} of them: run {}{more} to see whether it happened before trying again",
            unknown.len(),
            cmds.join(", ")
        ));
    }
    Some(err.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, token: u32) -> Item<u32> {
        Item {
            entry: Entry {
                id: id.into(),
                name: None,
            },
            token,
            skip: None,
        }
    }

    #[test]
    fn a_selection_acts_once_per_id_and_refuses_ids_that_are_not_path_segments() {
        let kept =
            distinct(vec![item("a", 1), item("b", 2), item("a", 3)], "token").expect("distinct");
        let tokens: Vec<u32> = kept.iter().map(|i| i.token).collect();
        assert_eq!(tokens, [1, 2], "the first of each ID");
        for bad in ["..", ".", "a/b", ""] {
            match distinct(vec![item("a", 1), item(bad, 2)], "token") {
                Ok(_) => panic!("{bad:?} was accepted"),
                Err(e) => assert_eq!(classify(&e).0, Exit::Usage, "{bad:?}"),
            }
        }
    }
}
