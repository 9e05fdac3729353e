//! Bulk results: the selection shown before confirming, each token's outcome as it completes,
//! and the summary.
//!
//! `-o json` is one array in selection order, streamed element by element so that secrets
//! already issued reach stdout even if the run is cut short; `-o ndjson` is one element a line
//! as each token completes; `-o id` the IDs of the tokens done. Tables: an outcome table for
//! changes, and for roll/rotate each new secret in the single verb's block. A secret that cannot
//! go to stdout goes to stderr rather than being lost.

mod emitter;

use serde::Serialize;
use serde_json::{Map, Value};

use super::escape::visible;
use super::table::Cell;
use super::{Format, Issued, Record, env_unsupported};
use crate::ui::Ui;
use tokenctl_api::secret::Secret;

pub use emitter::Emitter;

/// One selected token, as the user knows it.
#[derive(Clone, Debug)]
pub struct Entry {
    pub id: String,
    pub name: Option<String>,
}

impl Entry {
    /// `name (id)`, as the data says; escape it before it is shown.
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("{n} ({})", self.id),
            None => self.id.clone(),
        }
    }
}

/// What happened to one selected token.
pub enum Outcome<R> {
    /// Done; the API's answer.
    Done(R),
    /// The one-line error the single verb would print, its hint and its exit code; and the
    /// API's answer when a new secret was issued before the failure (a rotation whose delivery
    /// or verify failed), which is still shown, since it is the only copy.
    Failed {
        message: String,
        hint: Option<String>,
        exit: crate::error::Exit,
        issued: Option<R>,
    },
    /// Left alone, for this reason.
    Skipped(String),
}

impl<R: BulkRecord> Outcome<R> {
    /// The API's answer that carries a new secret: a done token's, or a failed one's that got
    /// its secret before it failed.
    pub fn issued(&self) -> Option<&R> {
        match self {
            Outcome::Done(r)
            | Outcome::Failed {
                issued: Some(r), ..
            } if r.issued().is_some() => Some(r),
            _ => None,
        }
    }
}

/// A newly issued secret as the single verb shows it: the detail view, then the secrets.
pub struct SecretBlock {
    pub details: Vec<(&'static str, Cell)>,
    pub secrets: Vec<(&'static str, Secret)>,
}

impl SecretBlock {
    pub fn of<T: Record + Issued>(record: &T) -> Self {
        SecretBlock {
            details: record.details(),
            secrets: record.secrets(),
        }
    }
}

/// The API's answer for one token done in bulk.
pub trait BulkRecord: Serialize {
    /// For verbs that issue a secret, what the table shows of it; `None` for the others.
    fn issued(&self) -> Option<SecretBlock> {
        None
    }
    /// For verbs that issue a secret, the record as the delivery sinks take it.
    fn secret(&self) -> Option<&dyn crate::output::Issued> {
        None
    }
}

impl BulkRecord for Value {}

/// One token's answer with the outcome of each of its `--deliver` sinks, which JSON output
/// shows as `deliveries` (kind, target, ok, error; never the secret), as the single verbs do.
pub struct Handed<R> {
    pub record: R,
    pub deliveries: Option<Value>,
}

impl<R: Serialize> Serialize for Handed<R> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut v = serde_json::to_value(&self.record).map_err(serde::ser::Error::custom)?;
        if let (Value::Object(m), Some(d)) = (&mut v, &self.deliveries) {
            m.insert("deliveries".into(), d.clone());
        }
        v.serialize(s)
    }
}

impl<R: BulkRecord> BulkRecord for Handed<R> {
    fn issued(&self) -> Option<SecretBlock> {
        self.record.issued()
    }
    fn secret(&self) -> Option<&dyn Issued> {
        self.record.secret()
    }
}

/// Refuses, before anything is sent, the formats bulk work cannot honour.
pub fn check_format(format: Format) -> anyhow::Result<()> {
    match format {
        Format::Env => Err(env_unsupported()),
        _ => Ok(()),
    }
}

/// The JSON element of one token: `id`, `name`, `outcome`, then `error` (and `hint`) or
/// `reason`, or every field of the API's answer.
pub fn element<R: Serialize>(entry: &Entry, outcome: &Outcome<R>) -> serde_json::Result<Value> {
    let mut m = Map::new();
    m.insert("id".into(), Value::from(entry.id.clone()));
    m.insert(
        "name".into(),
        entry.name.clone().map_or(Value::Null, Value::from),
    );
    match outcome {
        Outcome::Done(r) => {
            m.insert("outcome".into(), "done".into());
            answer(&mut m, r, &["id", "outcome"])?;
        }
        Outcome::Failed {
            message,
            hint,
            issued,
            ..
        } => {
            m.insert("outcome".into(), "failed".into());
            m.insert("error".into(), message.clone().into());
            if let Some(h) = hint {
                m.insert("hint".into(), h.clone().into());
            }
            if let Some(r) = issued {
                answer(&mut m, r, &["id", "outcome", "error", "hint"])?;
            }
        }
        Outcome::Skipped(reason) => {
            m.insert("outcome".into(), "skipped".into());
            m.insert("reason".into(), reason.clone().into());
        }
    }
    Ok(Value::Object(m))
}

/// Every field of the API's answer but `keep` (which `element` sets). An answer about another
/// token than the one selected (a rotation's new token) has its ID as `new_id`.
fn answer<R: Serialize>(
    m: &mut Map<String, Value>,
    r: &R,
    keep: &[&str],
) -> serde_json::Result<()> {
    match serde_json::to_value(r)? {
        Value::Object(fields) => {
            for (k, v) in fields {
                if k == "id" && m.get("id") != Some(&v) && !v.is_null() {
                    let v = match v {
                        Value::Number(n) => Value::from(n.to_string()),
                        other => other,
                    };
                    if m.get("id") != Some(&v) {
                        m.insert("new_id".into(), v);
                    }
                } else if !keep.contains(&k.as_str()) {
                    m.insert(k, v);
                }
            }
        }
        Value::Null => {}
        other => {
            m.insert("result".into(), other);
        }
    }
    Ok(())
}

/// An empty selection: a note, and `[]` for JSON.
pub fn nothing_selected(ui: &Ui, format: Format, noun: &str) -> anyhow::Result<()> {
    ui.status(&format!("No {noun} match the selection; nothing was done."));
    if format == Format::Json {
        ui.out("[]")?;
    }
    Ok(())
}

/// The selection, on stderr, before the question: name and ID a line, with why a token will
/// be skipped.
pub fn selection(ui: &Ui, noun: &str, items: &[(&Entry, Option<&str>)]) {
    // Names as shown (escaped), so the padding matches what the terminal draws.
    let name = |e: &Entry| visible(e.name.as_deref().unwrap_or("-")).into_owned();
    let width = items
        .iter()
        .map(|(e, _)| name(e).chars().count())
        .max()
        .unwrap_or(0);
    let named = items.iter().any(|(e, _)| e.name.is_some());
    let mut s = format!("Selected {} {noun}:", items.len());
    for (e, skip) in items {
        s.push_str("\n  ");
        if named {
            let name = name(e);
            let pad = width - name.chars().count();
            s.push_str(&format!("{name}{}  ", " ".repeat(pad)));
        }
        s.push_str(&visible(&e.id));
        if let Some(why) = skip {
            s.push_str(&format!("  (skipped: {})", visible(why)));
        }
    }
    ui.status_lines(&s);
}

/// The summary on stderr: `Rotated 18, failed 1, skipped 1.`, then a line per failure (always,
/// like any error) and per skip (not under `--quiet`).
pub fn summary<R>(ui: &Ui, past: &str, results: &[(&Entry, &Outcome<R>)]) {
    let count = |f: fn(&Outcome<R>) -> bool| results.iter().filter(|(_, o)| f(o)).count();
    let done = count(|o| matches!(o, Outcome::Done(_)));
    let failed = count(|o| matches!(o, Outcome::Failed { .. }));
    let skipped = count(|o| matches!(o, Outcome::Skipped(_)));
    ui.status(&format!(
        "{past} {done}, failed {failed}, skipped {skipped}."
    ));
    for (e, o) in results {
        match o {
            Outcome::Failed {
                message,
                hint,
                exit,
                ..
            } => {
                ui.err_line(&format!(
                    "  failed: {}: {}",
                    visible(&e.label()),
                    visible(message)
                ));
                if *exit == crate::error::Exit::OutcomeUnknown
                    && let Some(h) = hint
                {
                    ui.err_line(&format!("    hint: {}", visible(h)));
                }
            }
            Outcome::Skipped(why) => ui.status(&format!(
                "  skipped: {}: {}",
                visible(&e.label()),
                visible(why)
            )),
            Outcome::Done(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_carry_the_outcome_and_the_api_fields() {
        let e = Entry {
            id: "abc".into(),
            name: Some("ci".into()),
        };
        let done: Outcome<Value> =
            Outcome::Done(serde_json::json!({"id": "abc", "client_secret": "s", "outcome": "x"}));
        let v = element(&e, &done).expect("json");
        assert_eq!(
            v,
            serde_json::json!({"id": "abc", "name": "ci", "outcome": "done", "client_secret": "s"})
        );
        let failed: Outcome<Value> = Outcome::Failed {
            message: "boom".into(),
            hint: None,
            exit: crate::error::Exit::Failure,
            issued: None,
        };
        let v = element(
            &Entry {
                name: None,
                ..e.clone()
            },
            &failed,
        )
        .expect("json");
        assert_eq!(
            v,
            serde_json::json!({"id": "abc", "name": null, "outcome": "failed", "error": "boom"})
        );
        let v = element(&e, &Outcome::<Value>::Skipped("why".into())).expect("json");
        assert_eq!(v["outcome"], "skipped");
        assert_eq!(v["reason"], "why");
    }

    #[test]
    fn only_env_output_is_refused() {
        assert!(check_format(Format::Env).is_err());
        for f in [Format::Id, Format::Json, Format::Ndjson, Format::Table] {
            assert!(check_format(f).is_ok());
        }
    }
}
