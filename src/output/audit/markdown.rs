//! `audit -o markdown`: a heading, a one-line summary and one table, for
//! `$GITHUB_STEP_SUMMARY` or a merge request note. Cells are escaped so that a name cannot end
//! its cell (`|`), start markup or HTML, or break the row (a line break becomes `<br>`).

use super::findings;
use crate::commands::audit::{ProfileAudit, Reason};
use crate::dates::rfc3339;
use crate::output::visible;

/// `s` as the text of one table cell.
pub fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in s.split('\n').map(visible) {
        if !out.is_empty() {
            out.push_str("<br>");
        }
        for c in line.chars() {
            if "\\`*_[]<>|&~#!".contains(c) {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

pub fn text(audits: &[ProfileAudit]) -> String {
    let reasons: Vec<Reason> = findings(audits).map(|(_, f)| f.reason).collect();
    let mut out = String::from("### tokenctl audit\n\n");
    let profiles = match audits.len() {
        1 => "1 profile".to_owned(),
        n => format!("{n} profiles"),
    };
    out.push_str(&match reasons.len() {
        0 => format!("No findings in {profiles}.\n"),
        n => format!(
            "{n} finding{} in {profiles}: {}.\n",
            if n == 1 { "" } else { "s" },
            crate::commands::audit::report::counts(&reasons)
        ),
    });
    for a in audits {
        for p in &a.problems {
            let what = p.noun.map(|n| format!(" ({n})")).unwrap_or_default();
            out.push_str(&format!(
                "\n**Not audited:** {}{what}: {}\n",
                cell(&a.profile),
                cell(&p.message)
            ));
        }
    }
    if reasons.is_empty() {
        return out;
    }
    out.push_str(
        "\n| Profile | Noun | Name | ID | Rule | Severity | Date | Fix |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for (a, f) in findings(audits) {
        let date = f.date().map(rfc3339).unwrap_or_default();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            cell(&a.profile),
            f.noun,
            cell(f.name.as_deref().unwrap_or("")),
            cell(&f.id),
            f.reason.name(),
            f.severity().name(),
            date,
            cell(&a.fix(f)),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table() {
        assert_eq!(cell("a|b"), "a\\|b");
        assert_eq!(cell("two\nlines"), "two<br>lines");
        assert_eq!(cell("<img>"), "\\<img\\>");
        assert_eq!(cell("\u{1b}"), "\\\\e");
    }
}
