//! Tables with comfy-table.

use comfy_table::{Attribute, Color, ContentArrangement, Table, presets};
use jiff::Timestamp;

use super::escape::visible;
use super::time::relative;
use crate::dates::VendorDate;
use crate::ui::Ui;
use tokenctl_api::secret::Secret;

/// A value in a table, typed so the renderer can decide how it looks.
#[derive(Clone, Debug)]
pub enum Cell {
    Text(String),
    /// A status word, coloured on a terminal.
    Status(String),
    /// A point in time: relative plus date on a terminal, RFC 3339 when piped. `None` shows
    /// the given placeholder (`never`, `-`).
    Time(Option<Timestamp>, &'static str),
    /// A list shown comma-separated.
    List(Vec<String>),
    /// A date the vendor sent that is not one: shown as `unparseable (VALUE)`, never as the
    /// placeholder of an absent date.
    Unparseable(String),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }
    pub fn opt(s: Option<&str>) -> Cell {
        Cell::Text(s.unwrap_or("-").to_owned())
    }
    pub fn time(s: Option<&str>, none: &'static str) -> Cell {
        Cell::date(VendorDate::parse(s), none)
    }
    pub fn date(d: VendorDate, none: &'static str) -> Cell {
        match d {
            VendorDate::Absent => Cell::Time(None, none),
            VendorDate::At(ts) => Cell::Time(Some(ts), none),
            VendorDate::Unparseable(raw) => Cell::Unparseable(raw),
        }
    }
}

pub struct TableCtx {
    tty: bool,
    color: bool,
    now: Timestamp,
}

impl TableCtx {
    pub fn new(ui: &Ui) -> Self {
        TableCtx {
            tty: ui.stdout_tty,
            color: ui.color,
            now: Timestamp::now(),
        }
    }

    fn cell(&self, c: &Cell) -> comfy_table::Cell {
        // Server and user data is escaped here; the colours comfy-table adds come after.
        let text = |s: &str| comfy_table::Cell::new(visible(s));
        match c {
            Cell::Text(s) => text(s),
            Cell::List(items) if items.is_empty() => comfy_table::Cell::new("-"),
            Cell::List(items) => text(&items.join(", ")),
            Cell::Unparseable(raw) => text(&format!("unparseable ({})", shorten(raw))),
            Cell::Status(s) => {
                let cell = text(s);
                if !self.color {
                    return cell;
                }
                match s.as_str() {
                    "active" | "enabled" | "ok" => cell.fg(Color::Green),
                    "disabled" | "suspended" | "expiring" => cell.fg(Color::Yellow),
                    "expired" | "revoked" | "error" | "invalid" => cell.fg(Color::Red),
                    _ => cell,
                }
            }
            Cell::Time(None, none) => comfy_table::Cell::new(none),
            Cell::Time(Some(ts), _) => {
                if self.tty {
                    let date = ts.strftime("%Y-%m-%d").to_string();
                    comfy_table::Cell::new(format!("{} ({date})", relative(*ts, self.now)))
                } else {
                    comfy_table::Cell::new(crate::dates::rfc3339(*ts))
                }
            }
        }
    }

    fn table(&self) -> Table {
        let mut t = Table::new();
        // No rules or borders: aligned columns read well on a terminal, and piped output stays
        // easy for awk and cut (nothing is wrapped there).
        t.load_style(presets::NOTHING);
        t.set_content_arrangement(if self.tty {
            ContentArrangement::Dynamic
        } else {
            ContentArrangement::Disabled
        });
        if self.color {
            t.enforce_styling();
        } else {
            t.force_no_tty();
        }
        t
    }
}

pub fn render_list(
    cx: &TableCtx,
    headers: &[&str],
    rows: impl Iterator<Item = Vec<Cell>>,
) -> String {
    let mut t = cx.table();
    t.set_header(headers.iter().map(|h| {
        let c = comfy_table::Cell::new(h);
        if cx.color {
            c.add_attribute(Attribute::Bold)
        } else {
            c
        }
    }));
    for row in rows {
        t.add_row(row.iter().map(|c| cx.cell(c)));
    }
    trim_lines(&t.to_string())
}

pub fn render_details(cx: &TableCtx, fields: &[(&str, Cell)]) -> String {
    let mut t = cx.table();
    for (k, v) in fields {
        let key = comfy_table::Cell::new(k);
        let key = if cx.color {
            key.add_attribute(Attribute::Bold)
        } else {
            key
        };
        t.add_row(vec![key, cx.cell(v)]);
    }
    trim_lines(&t.to_string())
}

/// The marked block a new secret is shown in, once.
pub fn secret_block(cx: &TableCtx, secrets: &[(&str, &Secret)]) -> String {
    let title = "New secret: shown only this once, store it now";
    let mut s = if cx.color {
        format!(
            "{}\n",
            console::style(title).yellow().bold().force_styling(true)
        )
    } else {
        format!("{title}\n")
    };
    for (label, secret) in secrets {
        // A real secret is printable; one that is not cannot drive the terminal either.
        s.push_str(&format!("  {label}: {}\n", visible(secret.expose())));
    }
    s
}

/// A long unparseable value cut to what fits a cell.
fn shorten(raw: &str) -> String {
    const MAX: usize = 40;
    if raw.chars().count() <= MAX {
        raw.to_owned()
    } else {
        let mut s: String = raw.chars().take(MAX).collect();
        s.push('…');
        s
    }
}

fn trim_lines(s: &str) -> String {
    s.lines().map(str::trim_end).collect::<Vec<_>>().join("\n")
}
