//! The one path a newly issued secret takes, for every verb that issues one (create, roll,
//! rotate, reset; single and bulk): [`precheck`] before the request, [`hand_over`] after it.
//!
//! The order is the promise: every sink is written before anything is printed, so a secret on
//! the screen is already wherever else the user asked for it; a failing sink never stops the
//! print, because the vendor's answer is the only copy; the failures come last, as the
//! command's error. Which fields a record carries and what a secret file holds of it is the
//! record's business ([`Issued`]); where it goes is the sinks' ([`Sink`]).

use crate::commands::sinks::{Delivered, OwnCredential, Sink};
use crate::context::{Context, Resolved};
use crate::output::{self, Issued, Record};

/// Everything about the sinks that can be refused before the request that issues the secret:
/// a secret nothing would keep (stdout discarded and no sink), then each sink's own check.
pub fn precheck(ctx: &Context, sinks: &[Box<dyn Sink>]) -> anyhow::Result<()> {
    ctx.ui.refuse_lost_secret(!sinks.is_empty())?;
    sinks.iter().try_for_each(|s| s.check(ctx))
}

/// How a secret is handed over besides the sinks the user named.
pub struct HandOver<'a> {
    /// The profile that issued it.
    pub from: &'a Resolved,
    /// The sinks, in the order they are written.
    pub sinks: &'a [Box<dyn Sink>],
    /// The command replaced the very secret `from` authenticates with: its stored credential
    /// follows first, so tokenctl keeps working.
    pub own: bool,
    /// A status line said after the sinks, just before the print.
    pub note: Option<String>,
    /// Print the secret only when a sink failed: the sinks hold it otherwise, and the caller
    /// reports the outcome (`reconcile`).
    pub quiet: bool,
}

impl<'a> HandOver<'a> {
    pub fn to(from: &'a Resolved, sinks: &'a [Box<dyn Sink>]) -> Self {
        HandOver {
            from,
            sinks,
            own: false,
            note: None,
            quiet: false,
        }
    }
}

/// Hands a newly issued secret over, after the request: the profile's own credential when
/// asked, then every sink; then the one print; then the sinks' failures as the command's error.
pub fn hand_over<T: Record + Issued>(
    ctx: &Context,
    how: HandOver<'_>,
    issued: &T,
) -> anyhow::Result<()> {
    let own = how.own.then_some(&OwnCredential as &dyn Sink);
    let sinks = own.into_iter().chain(how.sinks.iter().map(|s| s.as_ref()));
    let id = issued.id();
    let it = Delivered {
        id: &id,
        name: issued.name(),
        issued,
    };
    let outcomes = std::cell::RefCell::new(Vec::new());
    let failed = std::cell::Cell::new(false);
    let writes = sinks.map(|s| {
        let written = write_one(ctx, how.from, s, &it, &outcomes);
        failed.set(failed.get() || written.is_err());
        written
    });
    deliver(writes, || {
        if let Some(note) = &how.note {
            ctx.ui.status(note);
        }
        if how.quiet && !how.sinks.is_empty() && !failed.get() {
            return Ok(());
        }
        output::issued_with(&ctx.ui, ctx.format(), issued, deliveries(outcomes.take()))
    })
    .and_then(|failures| finish(failures, |line| ctx.ui.err_line(line)))
}

/// Writes one sink, noting its outcome for JSON output when it is a `--deliver` sink.
fn write_one(
    ctx: &Context,
    from: &Resolved,
    sink: &dyn Sink,
    it: &Delivered<'_>,
    outcomes: &std::cell::RefCell<Vec<serde_json::Value>>,
) -> anyhow::Result<()> {
    let result = sink.write(ctx, from, it);
    if let Some((kind, target)) = sink.describe() {
        outcomes.borrow_mut().push(outcome(kind, &target, &result));
    }
    result
}

/// The `deliveries` array JSON output shows, when any `--deliver` sink ran.
fn deliveries(outcomes: Vec<serde_json::Value>) -> Option<serde_json::Value> {
    (!outcomes.is_empty()).then(|| serde_json::Value::Array(outcomes))
}

/// A `--deliver` sink's outcome as JSON output reports it: kind, target, ok, and the error
/// (which never holds the secret).
fn outcome(kind: &str, target: &str, result: &anyhow::Result<()>) -> serde_json::Value {
    match result {
        Ok(()) => serde_json::json!({ "kind": kind, "target": target, "ok": true }),
        Err(e) => serde_json::json!({
            "kind": kind,
            "target": target,
            "ok": false,
            "error": crate::error::message(e),
        }),
    }
}

/// Writes one token's sinks, each whatever the others did, before its secret is shown (the
/// first half of [`hand_over`], for bulk runs, which print through their own emitter).
/// Returns the failures, and the `deliveries` JSON output shows for the token.
pub fn write_sinks(
    ctx: &Context,
    from: &Resolved,
    sinks: &[Box<dyn Sink>],
    it: &Delivered<'_>,
) -> (Vec<anyhow::Error>, Option<serde_json::Value>) {
    let outcomes = std::cell::RefCell::new(Vec::new());
    let writes = sinks
        .iter()
        .map(|s| write_one(ctx, from, s.as_ref(), it, &outcomes));
    let failures = deliver(writes, || Ok(())).unwrap_or_default();
    (failures, deliveries(outcomes.take()))
}

/// The order of a hand-over: every write (each runs, whatever the others did), then the print,
/// then the failures. `writes` is lazy: each sink is written as it is drawn.
/// Returns the sinks' failures, or the print's error.
fn deliver(
    writes: impl Iterator<Item = anyhow::Result<()>>,
    print: impl FnOnce() -> anyhow::Result<()>,
) -> anyhow::Result<Vec<anyhow::Error>> {
    let failures: Vec<anyhow::Error> = writes.filter_map(Result::err).collect();
    print()?;
    Ok(failures)
}

/// Turns sink failures into the command's error, after the secret was printed: the first is the
/// error (and sets the exit code), the others are said (on stderr) before it.
fn finish(failures: Vec<anyhow::Error>, say: impl Fn(&str)) -> anyhow::Result<()> {
    let mut iter = failures.into_iter();
    match iter.next() {
        None => Ok(()),
        Some(first) => {
            for other in iter {
                say(&format!(
                    "error: {}",
                    crate::output::visible(&crate::error::message(&other))
                ));
            }
            Err(first.context(
                "the new secret was printed above, but a place you asked for did not get it",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;
    use crate::error::{CliError, Exit, classify};

    /// Runs `deliver` and `finish` over sinks that log their writes (`fail` ones fail with exit
    /// 4, unauthorized), with a print that logs itself; lines said on stderr are logged as
    /// `said: ...`.
    fn run(sinks: &[(&'static str, bool)]) -> (Vec<String>, anyhow::Result<()>) {
        let log: RefCell<Vec<String>> = RefCell::new(Vec::new());
        let writes = sinks.iter().map(|&(name, fail)| {
            log.borrow_mut().push(name.to_owned());
            if fail {
                Err(CliError::new(Exit::Unauthorized, format!("{name} refused")).into())
            } else {
                Ok(())
            }
        });
        let result = deliver(writes, || {
            log.borrow_mut().push("print".to_owned());
            Ok(())
        })
        .and_then(|failures| {
            finish(failures, |line| {
                log.borrow_mut().push(format!("said: {line}"))
            })
        });
        (log.into_inner(), result)
    }

    #[test]
    fn every_sink_is_written_before_the_print() {
        let (log, result) = run(&[("file", false), ("profile", false)]);
        assert_eq!(log, ["file", "profile", "print"]);
        assert!(result.is_ok());
    }

    #[test]
    fn a_failing_sink_still_prints_and_yields_its_error() {
        let (log, result) = run(&[("file", true), ("profile", false), ("keyring", true)]);
        assert_eq!(
            log,
            [
                "file",
                "profile",
                "keyring",
                "print",
                "said: error: keyring refused"
            ],
            "all run, then the print, then the failures after the first"
        );
        let err = result.expect_err("the failure is the command's error");
        assert_eq!(
            classify(&err).0,
            Exit::Unauthorized,
            "the sink's own exit code"
        );
        let text = format!("{err:#}");
        assert!(text.contains("file refused"), "{text}");
        assert!(text.contains("printed above"), "{text}");
    }

    #[test]
    fn a_failed_print_is_the_error() {
        let log = RefCell::new(Vec::new());
        let writes = std::iter::once(()).map(|()| {
            log.borrow_mut().push("file");
            Ok(())
        });
        let result = deliver(writes, || {
            log.borrow_mut().push("print");
            Err(CliError::failure("stdout closed").into())
        });
        assert_eq!(log.into_inner(), ["file", "print"]);
        assert!(result.is_err());
    }
}
