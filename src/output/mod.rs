//! Rendering: commands hand data to these functions and never format output themselves.
//!
//! Formats: `table` (comfy-table; relative times and colour on a terminal, plain columns and
//! RFC 3339 when piped), `json` (the API's objects, a list as one array), `ndjson` (one object a
//! line), `id` (one ID a line).

pub mod audit;
pub mod bulk;
mod choice;
pub mod dry_run;
pub use tokenctl_api::escape;
mod progress;
pub mod reconcile;
mod records;
pub mod shell;
mod summary;
mod table;
mod time;

use serde::Serialize;

pub use choice::{AuditFormat, FormatArg, check_audit_format};
pub use escape::{visible, visible_lines};
pub use progress::Progress;
pub use summary::summary;
pub use table::{Cell, TableCtx};
pub use time::relative;

use crate::ui::Ui;
use tokenctl_api::secret::Secret;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Ndjson,
    Id,
    /// `NAME=value` lines for an env file; only for commands that issue a secret with a client
    /// ID (`service-tokens create|rotate`).
    Env,
}

/// A resource that can be shown as a table row, a detail view, JSON and an ID.
pub trait Record: Serialize {
    fn id(&self) -> String;
    fn headers() -> &'static [&'static str];
    fn row(&self) -> Vec<Cell>;
    /// The detail view of one record; by default the list columns.
    fn details(&self) -> Vec<(&'static str, Cell)> {
        Self::headers().iter().copied().zip(self.row()).collect()
    }
    /// `NAME=value` pairs for `-o env`, for records that carry credentials to hand to a client.
    fn env(&self) -> Option<Vec<(&'static str, String)>> {
        None
    }
}

/// A record that carries a newly issued secret: it names its secret fields and what a secret file
/// holds of it, so that every verb that issues one hands it over the same way
/// (`commands::hand_over`).
pub trait Issued {
    /// The one token a profile could authenticate with: what `--save-as` stores and what replaces
    /// the profile's own credential. `None` for a client ID and secret pair.
    fn token(&self) -> Option<&Secret>;

    /// The token's name, where the record has one: what a delivery sink is told it receives.
    fn name(&self) -> Option<&str> {
        None
    }

    /// The secret fields, labelled as the secret block shows them; by default the one token.
    fn secrets(&self) -> Vec<(&'static str, Secret)> {
        self.token()
            .map(|t| vec![("token", t.clone())])
            .unwrap_or_default()
    }

    /// What `--secret-file` holds; by default the token and a newline.
    fn secret_file(&self) -> String {
        self.token()
            .map(|t| format!("{}\n", t.expose()))
            .unwrap_or_default()
    }
}

/// JSON text of a value, pretty or on one line, safe for a terminal and exact once parsed.
pub(crate) fn json_text<T: Serialize + ?Sized>(v: &T, pretty: bool) -> serde_json::Result<String> {
    let text = if pretty {
        serde_json::to_string_pretty(v)?
    } else {
        serde_json::to_string(v)?
    };
    Ok(escape::json(text))
}

/// A line of `-o id` (or `-o env`) output. Line-based formats cannot carry a newline or a
/// control character faithfully, and `-o id` is read by people as well as by `xargs`: such a
/// value is escaped (a newline in an ID would otherwise forge a second ID). No vendor issues
/// IDs or secrets with control characters; JSON carries any value exactly.
fn line(s: &str) -> String {
    visible(s).into_owned()
}

fn env_unsupported() -> anyhow::Error {
    crate::error::CliError::usage("-o env is only for commands that issue a client ID and secret (service-tokens create, rotate)").into()
}

/// Shows a list. An empty list is success: `[]` in JSON, a note on a terminal.
pub fn list<T: Record>(ui: &Ui, format: Format, items: &[T], noun: &str) -> anyhow::Result<()> {
    match format {
        Format::Env => return Err(env_unsupported()),
        Format::Json => ui.out(&json_text(items, true)?)?,
        Format::Ndjson => {
            let mut s = String::new();
            for item in items {
                s.push_str(&json_text(item, false)?);
                s.push('\n');
            }
            if !s.is_empty() {
                ui.out(&s)?;
            }
        }
        Format::Id => {
            if !items.is_empty() {
                ui.out(
                    &items
                        .iter()
                        .map(|i| line(&i.id()))
                        .collect::<Vec<_>>()
                        .join("\n"),
                )?;
            }
        }
        Format::Table => {
            if items.is_empty() {
                if ui.stderr_tty {
                    ui.status(&format!("No {noun} found"));
                }
                return Ok(());
            }
            let cx = TableCtx::new(ui);
            ui.out(&table::render_list(
                &cx,
                T::headers(),
                items.iter().map(Record::row),
            ))?;
        }
    }
    Ok(())
}

/// Shows one record.
pub fn one<T: Record>(ui: &Ui, format: Format, item: &T) -> anyhow::Result<()> {
    match format {
        Format::Env => return Err(env_unsupported()),
        Format::Json => ui.out(&json_text(item, true)?)?,
        Format::Ndjson => ui.out(&json_text(item, false)?)?,
        Format::Id => ui.out(&line(&item.id()))?,
        Format::Table => ui.out(&table::render_details(&TableCtx::new(ui), &item.details()))?,
    }
    Ok(())
}

/// Shows a record that carries a newly issued secret, exactly once. In a table the secret comes
/// in a marked block after the details; in JSON it is the vendor's own field of the object.
pub fn issued<T: Record + Issued>(ui: &Ui, format: Format, item: &T) -> anyhow::Result<()> {
    issued_with(ui, format, item, None)
}

/// [`issued`], with `deliveries` (each `--deliver` sink's outcome, never a secret) added to
/// the JSON object under that key when given.
pub fn issued_with<T: Record + Issued>(
    ui: &Ui,
    format: Format,
    item: &T,
    deliveries: Option<serde_json::Value>,
) -> anyhow::Result<()> {
    if let (Some(d), Format::Json | Format::Ndjson) = (deliveries, format) {
        let mut v = serde_json::to_value(item)?;
        if let serde_json::Value::Object(map) = &mut v {
            map.insert("deliveries".to_owned(), d);
        }
        return ui.out_secret(&json_text(&v, format == Format::Json)?);
    }
    let owned = item.secrets();
    let secrets: Vec<(&str, &Secret)> = owned.iter().map(|(k, v)| (*k, v)).collect();
    let text = match format {
        // Commands check `-o env` before sending anything; should one slip through, the secret
        // is still shown (as JSON) rather than lost.
        Format::Env => match item.env() {
            Some(pairs) => pairs
                .iter()
                .map(|(k, v)| format!("{k}={}", line(v)))
                .collect::<Vec<_>>()
                .join("\n"),
            None => json_text(item, true)?,
        },
        Format::Json => json_text(item, true)?,
        Format::Ndjson => json_text(item, false)?,
        // `-o id` would lose the secret: print the ID and the secret, one a line.
        Format::Id => {
            let mut lines = vec![line(&item.id())];
            lines.extend(secrets.iter().map(|(_, s)| line(s.expose())));
            lines.join("\n")
        }
        Format::Table => {
            let cx = TableCtx::new(ui);
            format!(
                "{}\n{}",
                table::render_details(&cx, &item.details()),
                table::secret_block(&cx, &secrets)
            )
        }
    };
    ui.out_secret(&text)
}

/// Reports a deletion: the API's result in JSON, the ID with `-o id`, a note otherwise.
pub fn deleted(
    ui: &Ui,
    format: Format,
    id: &str,
    result: &impl Serialize,
    what: &str,
) -> anyhow::Result<()> {
    match format {
        Format::Json => ui.out(&json_text(result, true)?)?,
        Format::Ndjson => ui.out(&json_text(result, false)?)?,
        Format::Id => ui.out(&line(id))?,
        Format::Table | Format::Env => ui.status(&format!("Deleted {what}.")),
    }
    Ok(())
}

/// `-o env` is refused up front by every command but those that issue a client ID and secret.
pub fn check_env_format(format: Format, allowed: bool) -> anyhow::Result<()> {
    if format == Format::Env && !allowed {
        Err(env_unsupported())
    } else {
        Ok(())
    }
}
