//! `audit -o prometheus`: the text exposition format, for node_exporter's textfile collector.
//! Every token audited gets its expiry (or that it never expires) and its last use, where the
//! vendor says; every finding a `tokenctl_audit_findings` sample of 1 with its rule and
//! severity; every profile its count of what could not be audited. Each family has its HELP and
//! TYPE lines even when empty.

use std::fmt::Write as _;

use crate::commands::audit::{Observed, ProfileAudit};
use crate::kinds::{Expiry, Usage};
use crate::output::visible;

/// `s` as a label value: backslash, double quote and newline escaped as the format says; other
/// control characters spelled out (`\e` becomes the text `\\e`), never sent as they are.
pub fn label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => {
                let mut buf = [0; 4];
                let one: &str = c.encode_utf8(&mut buf);
                out.push_str(&visible(one).replace('\\', "\\\\"));
            }
        }
    }
    out
}

fn labels(a: &ProfileAudit, noun: &str, id: &str, name: Option<&str>) -> String {
    format!(
        "profile=\"{}\",vendor=\"{}\",noun=\"{}\",id=\"{}\",name=\"{}\"",
        label(&a.profile),
        a.vendor,
        noun,
        label(id),
        label(name.unwrap_or(""))
    )
}

fn family(out: &mut String, name: &str, help: &str, samples: &[(String, i64)]) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
    for (labels, value) in samples {
        let _ = writeln!(out, "{name}{{{labels}}} {value}");
    }
}

fn per_token(
    audits: &[ProfileAudit],
    value: impl Fn(&Observed) -> Option<i64>,
) -> Vec<(String, i64)> {
    audits
        .iter()
        .flat_map(|a| {
            a.tokens.iter().filter_map({
                let value = &value;
                move |t| value(t).map(|v| (labels(a, t.noun, &t.id, t.name.as_deref()), v))
            })
        })
        .collect()
}

pub fn text(audits: &[ProfileAudit]) -> String {
    let mut out = String::new();
    family(
        &mut out,
        "tokenctl_token_expiry_timestamp_seconds",
        "When the token expires, in seconds since the Unix epoch (tokens with an expiry).",
        &per_token(audits, |t| match t.facts.expiry {
            Expiry::At(at) => Some(at.as_second()),
            Expiry::Never | Expiry::Unknown => None,
        }),
    );
    family(
        &mut out,
        "tokenctl_token_never_expires",
        "1 when the token has no expiry, 0 when it has one.",
        &per_token(audits, |t| match t.facts.expiry {
            Expiry::Never => Some(1),
            Expiry::At(_) => Some(0),
            Expiry::Unknown => None,
        }),
    );
    family(
        &mut out,
        "tokenctl_token_last_used_timestamp_seconds",
        "When the token was last used, in seconds since the Unix epoch (where the vendor reports use).",
        &per_token(audits, |t| match t.facts.usage {
            Usage::At(at) => Some(at.as_second()),
            Usage::Never | Usage::NotReported => None,
        }),
    );
    let findings: Vec<(String, i64)> = audits
        .iter()
        .flat_map(|a| {
            a.findings.iter().map(move |f| {
                (
                    format!(
                        "{},rule=\"{}\",severity=\"{}\"",
                        labels(a, f.noun, &f.id, f.name.as_deref()),
                        f.reason.name(),
                        f.severity().name()
                    ),
                    1,
                )
            })
        })
        .collect();
    family(
        &mut out,
        "tokenctl_audit_findings",
        "1 for each finding: the token, the rule that found it and its severity.",
        &findings,
    );
    let problems: Vec<(String, i64)> = audits
        .iter()
        .map(|a| {
            (
                format!("profile=\"{}\",vendor=\"{}\"", label(&a.profile), a.vendor),
                a.problems.len() as i64,
            )
        })
        .collect();
    family(
        &mut out,
        "tokenctl_audit_errors",
        "How many of the profile's listings could not be audited (0 when all were).",
        &problems,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(label("x\ny"), "x\\ny");
        assert_eq!(label("\u{1b}"), "\\\\e");
    }
}
