//! `tokenctl reconcile` output: the plan, or with `--apply` each step's outcome; a table, or the
//! steps as JSON objects (profile, vendor, noun, id, name, action, rule, reason, command, and
//! after `--apply` outcome and error). What could not be audited goes to stderr.

use super::table::Cell;
use super::{Format, Record, list};
use crate::commands::audit::ProfileAudit;
use crate::commands::reconcile::{Item, Outcome, Status};
use crate::ui::Ui;

impl Record for Item {
    fn id(&self) -> String {
        self.id.clone()
    }
    fn headers() -> &'static [&'static str] {
        &["PROFILE", "NOUN", "NAME", "ID", "ACTION", "RULE", "REASON"]
    }
    fn row(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.profile),
            Cell::text(self.noun),
            Cell::opt(self.name.as_deref()),
            Cell::text(&self.id),
            Cell::Status(self.action.name().to_owned()),
            Cell::text(self.rule.name()),
            Cell::text(&self.reason),
        ]
    }
}

impl Record for Outcome {
    fn id(&self) -> String {
        self.item.id.clone()
    }
    fn headers() -> &'static [&'static str] {
        &[
            "PROFILE", "NOUN", "NAME", "ID", "ACTION", "RULE", "OUTCOME", "DETAIL",
        ]
    }
    fn row(&self) -> Vec<Cell> {
        let mut row = self.item.row();
        row.pop();
        row.push(Cell::Status(status(self.outcome).to_owned()));
        row.push(Cell::text(
            self.error.as_deref().unwrap_or(self.item.reason.as_str()),
        ));
        row
    }
}

fn status(s: Status) -> &'static str {
    match s {
        Status::Done => "done",
        Status::Failed => "failed",
        Status::Skipped => "skipped",
    }
}

/// The plan, then (on a table) a line on stderr counting its steps.
pub fn plan(ui: &Ui, format: Format, items: &[Item]) -> anyhow::Result<()> {
    list(ui, format, items, "steps")?;
    if format == Format::Table {
        let steps = items.iter().filter(|i| i.acts()).count();
        let skipped = items.len() - steps;
        ui.status(&match steps {
            0 => format!("Nothing to do ({skipped} skipped)."),
            n => format!(
                "{n} step{} to take, {skipped} skipped; --apply carries them out.",
                plural(n)
            ),
        });
    }
    Ok(())
}

/// Each step's outcome, then (on a table) a line on stderr counting them.
pub fn outcomes(ui: &Ui, format: Format, outcomes: &[Outcome]) -> anyhow::Result<()> {
    list(ui, format, outcomes, "steps")?;
    if format == Format::Table {
        let count = |s| outcomes.iter().filter(|o| o.outcome == s).count();
        ui.status(&format!(
            "{} done, {} failed, {} skipped.",
            count(Status::Done),
            count(Status::Failed),
            count(Status::Skipped)
        ));
    }
    Ok(())
}

/// A profile, or one of its nouns, that could not be audited: a warning, so the plan is not
/// taken for complete.
pub fn problems(ui: &Ui, a: &ProfileAudit) {
    for p in &a.problems {
        let what = p.noun.map(|n| format!(" ({n})")).unwrap_or_default();
        ui.warn(&format!(
            "profile '{}'{what} could not be audited: {}",
            a.profile, p.message
        ));
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
