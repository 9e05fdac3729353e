//! The emitter of bulk results: each token's outcome written as it comes, in the format asked
//! for, with secrets diverted to stderr rather than lost when stdout is gone.

use std::io;

use super::{BulkRecord, Entry, Outcome, SecretBlock, element};
use crate::error::CliError;
use crate::output::escape::visible;
use crate::output::progress::Progress;
use crate::output::table::{self, Cell, TableCtx};
use crate::output::{Format, json_text};
use crate::ui::Ui;
use tokenctl_api::secret::Secret;

/// Writes the results as they come.
pub struct Emitter<'a> {
    ui: &'a Ui,
    format: Format,
    progress: &'a Progress,
    issues: bool,
    total: usize,
    blocks: usize,
    broken: Option<io::Error>,
    diverted: bool,
    /// `-o json`: whether the array was opened, and closed.
    opened: bool,
    closed: bool,
}

impl<'a> Emitter<'a> {
    pub fn new(
        ui: &'a Ui,
        format: Format,
        progress: &'a Progress,
        issues: bool,
        total: usize,
    ) -> Self {
        Emitter {
            ui,
            format,
            progress,
            issues,
            total,
            blocks: 0,
            broken: None,
            diverted: false,
            opened: false,
            closed: false,
        }
    }

    /// Writes to stdout; once stdout is gone, text with a secret goes to stderr instead and the
    /// rest is dropped.
    fn write(&mut self, text: &str, secret: bool) {
        self.emit(text, secret, true);
    }

    /// The same; `line` ends the text with a newline, else it is written as is (a piece of the
    /// streamed JSON array).
    fn emit(&mut self, text: &str, secret: bool, line: bool) {
        if self.broken.is_none() {
            let out = |t: &str| {
                if line {
                    self.ui.out(t)
                } else {
                    self.ui.out_part(t)
                }
            };
            match self.progress.suspend(|| out(text)) {
                Ok(()) => return,
                Err(e) => self.broken = Some(e),
            }
        }
        if secret {
            self.progress.suspend(|| {
                if !self.diverted
                    && let Some(e) = &self.broken
                {
                    self.ui.err_line(&format!(
                        "warning: could not write to stdout ({e}); the new secrets follow on stderr, store them now:"
                    ));
                }
                self.ui.err_line(text);
            });
            self.diverted = true;
        }
    }

    fn carries_secret<R: BulkRecord>(outcome: &Outcome<R>) -> bool {
        outcome.issued().is_some()
    }

    /// A token completed (completion order): `-o ndjson` lines.
    pub fn completed<R: BulkRecord>(&mut self, entry: &Entry, outcome: &Outcome<R>) {
        if self.format != Format::Ndjson {
            return;
        }
        match element(entry, outcome).and_then(|v| json_text(&v, false)) {
            Ok(line) => self.write(&line, Self::carries_secret(outcome)),
            Err(e) => self.ui.err_line(&format!(
                "error: cannot show the result for {}: {e}",
                visible(&entry.label())
            )),
        }
    }

    /// The next token shown, `index` being its position in the output: JSON elements, IDs, and
    /// the secret blocks of tables.
    pub fn in_order<R: BulkRecord>(&mut self, index: usize, entry: &Entry, outcome: &Outcome<R>) {
        let secret = Self::carries_secret(outcome);
        match self.format {
            Format::Json => {
                let text = match element(entry, outcome).and_then(|v| json_text(&v, true)) {
                    Ok(t) => t,
                    Err(e) => {
                        self.ui.err_line(&format!(
                            "error: cannot show the result for {}: {e}",
                            visible(&entry.label())
                        ));
                        "null".to_owned()
                    }
                };
                // The separator goes before an element, so that the array can be closed
                // after any of them (see `close_array`).
                let mut s = String::from(if self.opened { ",\n" } else { "[\n" });
                self.opened = true;
                s.push_str(&indent(&text));
                self.emit(&s, secret, false);
                if index + 1 == self.total {
                    self.close_array();
                }
            }
            // As the single verbs do: the ID, then each new secret, one a line, so that no
            // secret depends on a file written at the end of the run.
            Format::Id => {
                let record = outcome.issued();
                if matches!(outcome, Outcome::Done(_)) || record.is_some() {
                    let issued = record.and_then(|r| r.issued());
                    // Escaped as in the single verbs' `-o id` (output::issued).
                    let mut lines = vec![visible(&entry.id).into_owned()];
                    if let Some(SecretBlock { secrets, .. }) = &issued {
                        lines.extend(
                            secrets
                                .iter()
                                .map(|(_, s)| visible(s.expose()).into_owned()),
                        );
                    }
                    self.write(&lines.join("\n"), issued.is_some());
                }
            }
            Format::Table if self.issues => {
                if let Some(r) = outcome.issued()
                    && let Some(SecretBlock { details, secrets }) = r.issued()
                {
                    let cx = TableCtx::new(self.ui);
                    let pairs: Vec<(&str, &Secret)> =
                        secrets.iter().map(|(k, v)| (*k, v)).collect();
                    let lead = if self.blocks == 0 { "" } else { "\n" };
                    let text = format!(
                        "{lead}{}\n{}",
                        table::render_details(&cx, &details),
                        table::secret_block(&cx, &pairs)
                    );
                    self.blocks += 1;
                    self.write(&text, true);
                }
            }
            Format::Table | Format::Ndjson | Format::Env => {}
        }
    }

    /// Ends the `-o json` array: after the last element, or early when the run is cut short
    /// (Ctrl-C drops the emitter), so that stdout is always one valid JSON array.
    fn close_array(&mut self) {
        if self.format != Format::Json || self.closed {
            return;
        }
        self.closed = true;
        let end = if self.opened { "\n]" } else { "[]" };
        self.write(end, false);
    }

    /// After the last token: the outcome table of changes. Returns what went wrong with stdout.
    pub fn finish<R: BulkRecord>(
        mut self,
        results: &[(&Entry, &Outcome<R>)],
    ) -> Option<anyhow::Error> {
        self.close_array();
        if self.format == Format::Table && !self.issues {
            let cx = TableCtx::new(self.ui);
            let rows = results.iter().map(|(e, o)| {
                let (word, detail) = match o {
                    Outcome::Done(_) => ("done", String::new()),
                    Outcome::Failed { message, .. } => ("failed", message.clone()),
                    Outcome::Skipped(why) => ("skipped", why.clone()),
                };
                vec![
                    Cell::text(&e.id),
                    Cell::opt(e.name.as_deref()),
                    Cell::text(word),
                    Cell::text(detail),
                ]
            });
            let text = table::render_list(&cx, &["ID", "NAME", "OUTCOME", "DETAIL"], rows);
            self.write(&text, false);
        }
        if self.diverted {
            return Some(
                CliError::failure(
                    "stdout was closed while new secrets were being printed; they were written to stderr instead",
                )
                .into(),
            );
        }
        self.broken.take().map(Into::into)
    }
}

impl Drop for Emitter<'_> {
    fn drop(&mut self) {
        self.close_array();
    }
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
