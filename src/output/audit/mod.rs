//! `tokenctl audit` output: a table grouped by profile, or one flat list of finding objects, or
//! one of the formats other tools read (one file each: SARIF, JUnit, Markdown, CSV, Prometheus).
//!
//! Every JSON object has the same keys, so scripts need no special cases: profile, vendor, noun,
//! id, name, reason, expires_on, last_used_on, created_on, error, severity, fix. A profile (or
//! one noun of it) that could not be audited is an object with `"reason": "error"` and the
//! message in `error`.

mod csv;
mod junit;
mod markdown;
mod prometheus;
mod sarif;

use serde::Serialize;

use super::escape::visible;
use super::table::{self, Cell, TableCtx};
use super::{AuditFormat, Format, env_unsupported, json_text};
use crate::commands::audit::{Finding, Problem, ProfileAudit, Reason};
use crate::config::Vendor;
use crate::dates::rfc3339;
use crate::ui::Ui;

const HEADERS: &[&str] = &["NOUN", "NAME", "ID", "REASON", "DATE"];

#[derive(Serialize)]
struct Row<'a> {
    profile: &'a str,
    vendor: Vendor,
    noun: Option<&'a str>,
    id: Option<&'a str>,
    name: Option<&'a str>,
    reason: &'static str,
    expires_on: Option<String>,
    last_used_on: Option<String>,
    created_on: Option<String>,
    /// A problem's message; for an `unparseable-date` finding, which field held what.
    error: Option<String>,
    /// The finding's severity (`error`, `warning`, `note`); null for a problem.
    severity: Option<&'static str>,
    /// The tokenctl command that fixes the finding; for a problem, its hint.
    fix: Option<String>,
}

impl<'a> Row<'a> {
    fn finding(a: &'a ProfileAudit, f: &'a Finding) -> Self {
        Row {
            profile: &a.profile,
            vendor: a.vendor,
            noun: Some(f.noun),
            id: Some(&f.id),
            name: f.name.as_deref(),
            reason: f.reason.name(),
            expires_on: f.expires_on.map(rfc3339),
            last_used_on: f.last_used_on.map(rfc3339),
            created_on: f.created_on.map(rfc3339),
            error: f
                .unparseable
                .as_ref()
                .map(|(field, raw)| format!("{field} is not a date: {raw}")),
            severity: Some(f.severity().name()),
            fix: Some(a.fix(f)),
        }
    }

    fn problem(a: &'a ProfileAudit, p: &'a Problem) -> Self {
        Row {
            profile: &a.profile,
            vendor: a.vendor,
            noun: p.noun,
            id: None,
            name: None,
            reason: "error",
            expires_on: None,
            last_used_on: None,
            created_on: None,
            error: Some(p.message.clone()),
            severity: None,
            fix: p.hint.clone(),
        }
    }
}

/// Problems first (so they are not missed), then findings, profile by profile.
fn rows(audits: &[ProfileAudit]) -> Vec<Row<'_>> {
    audits
        .iter()
        .flat_map(|a| {
            a.problems
                .iter()
                .map(move |p| Row::problem(a, p))
                .chain(a.findings.iter().map(move |f| Row::finding(a, f)))
        })
        .collect()
}

/// Every finding with its profile, in report order.
fn findings(audits: &[ProfileAudit]) -> impl Iterator<Item = (&ProfileAudit, &Finding)> {
    audits
        .iter()
        .flat_map(|a| a.findings.iter().map(move |f| (a, f)))
}

/// Writes the report: in `own` (one of audit's own formats) when given, else in `format`.
/// `rules` are the rules the audit reports on (all, or those of `--reason`), for the formats
/// that list rules or a testcase per token and rule.
pub fn render(
    ui: &Ui,
    format: Format,
    own: Option<AuditFormat>,
    audits: &[ProfileAudit],
    rules: &[Reason],
) -> anyhow::Result<()> {
    if let Some(own) = own {
        let text = match own {
            AuditFormat::Sarif => sarif::text(audits, rules)?,
            AuditFormat::Junit => junit::text(audits, rules),
            AuditFormat::Markdown => markdown::text(audits),
            AuditFormat::Csv => csv::text(audits),
            AuditFormat::Prometheus => prometheus::text(audits),
        };
        ui.out(&text)?;
        return Ok(());
    }
    match format {
        Format::Env => return Err(env_unsupported()),
        Format::Json => ui.out(&json_text(&rows(audits), true)?)?,
        Format::Ndjson => {
            let mut s = String::new();
            for row in rows(audits) {
                s.push_str(&json_text(&row, false)?);
                s.push('\n');
            }
            if !s.is_empty() {
                ui.out(&s)?;
            }
        }
        Format::Id => {
            let mut ids: Vec<&str> = Vec::new();
            for f in audits.iter().flat_map(|a| &a.findings) {
                if !ids.contains(&f.id.as_str()) {
                    ids.push(&f.id);
                }
            }
            if !ids.is_empty() {
                let ids: Vec<_> = ids.into_iter().map(visible).collect();
                ui.out(&ids.join("\n"))?;
            }
        }
        Format::Table => {
            ui.out(&tables(ui, audits))?;
            ui.status(&summary(audits));
        }
    }
    Ok(())
}

fn tables(ui: &Ui, audits: &[ProfileAudit]) -> String {
    let cx = TableCtx::new(ui);
    let mut groups = Vec::new();
    for a in audits {
        let title = format!("{} ({})", visible(&a.profile), a.vendor);
        let mut g = if ui.color {
            console::style(title).bold().force_styling(true).to_string()
        } else {
            title
        };
        for p in &a.problems {
            let what = p.noun.map(|n| format!("{n}: ")).unwrap_or_default();
            g.push_str(&format!("\n  error: {what}{}", visible(&p.message)));
            if let Some(h) = &p.hint {
                g.push_str(&format!("\n  hint: {}", visible(h)));
            }
        }
        if a.findings.is_empty() {
            if a.problems.is_empty() {
                g.push_str("\n  no findings");
            }
        } else {
            g.push('\n');
            g.push_str(&table::render_list(
                &cx,
                HEADERS,
                a.findings.iter().map(row),
            ));
        }
        groups.push(g);
    }
    groups.join("\n\n")
}

fn row(f: &Finding) -> Vec<Cell> {
    let none = match f.reason {
        Reason::Unused | Reason::NeverExpires => "never",
        _ => "-",
    };
    vec![
        Cell::text(f.noun),
        Cell::opt(f.name.as_deref()),
        Cell::text(&f.id),
        Cell::Status(f.reason.name().to_owned()),
        match &f.unparseable {
            Some((_, raw)) => Cell::Unparseable(raw.clone()),
            None => Cell::Time(f.date(), none),
        },
    ]
}

/// The line on stderr after the table: how many findings of each kind, in how many profiles.
fn summary(audits: &[ProfileAudit]) -> String {
    let reasons: Vec<Reason> = audits
        .iter()
        .flat_map(|a| a.findings.iter().map(|f| f.reason))
        .collect();
    let profiles = match audits.len() {
        1 => "1 profile".to_owned(),
        n => format!("{n} profiles"),
    };
    let mut s = match reasons.len() {
        0 => format!("No findings in {profiles}"),
        1 => format!("1 finding in {profiles}: "),
        n => format!("{n} findings in {profiles}: "),
    };
    s.push_str(&crate::commands::audit::report::counts(&reasons));
    let failed = audits.iter().filter(|a| !a.problems.is_empty()).count();
    if failed > 0 {
        s.push_str(&format!("; {failed} could not be audited completely"));
    }
    s
}
