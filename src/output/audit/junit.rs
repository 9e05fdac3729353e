//! `audit -o junit`: JUnit XML as GitLab and Jenkins read it. One testsuite per profile; one
//! testcase per token and rule (a `failure` when the rule found something, the fix command in
//! its text); a profile, or a noun of it, that could not be audited one testcase with an
//! `error`. Text goes through [`visible`] (XML 1.0 cannot carry most control characters), then
//! XML escaping.

use std::fmt::Write as _;

use crate::commands::audit::{ProfileAudit, Reason};
use crate::output::visible;

/// `s` as XML character data or an attribute value.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in visible(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

struct Suite {
    tests: usize,
    failures: usize,
    errors: usize,
    body: String,
}

fn suite(a: &ProfileAudit, rules: &[Reason]) -> Suite {
    let mut s = Suite {
        tests: 0,
        failures: 0,
        errors: 0,
        body: String::new(),
    };
    for p in &a.problems {
        let noun = p.noun.unwrap_or("profile");
        s.tests += 1;
        s.errors += 1;
        let _ = write!(
            s.body,
            "    <testcase classname=\"{}.{}\" name=\"audit\">\n      <error message=\"{}\" type=\"error\">{}</error>\n    </testcase>\n",
            xml(&a.profile),
            xml(noun),
            xml(&p.message),
            xml(p.hint.as_deref().unwrap_or("")),
        );
    }
    for t in &a.tokens {
        let who = match &t.name {
            Some(n) => format!("{n} ({})", t.id),
            None => t.id.clone(),
        };
        for rule in rules {
            s.tests += 1;
            let _ = write!(
                s.body,
                "    <testcase classname=\"{}.{}\" name=\"{}: {}\"",
                xml(&a.profile),
                xml(t.noun),
                rule.name(),
                xml(&who),
            );
            let found = a
                .findings
                .iter()
                .find(|f| f.reason == *rule && f.noun == t.noun && f.id == t.id);
            match found {
                None => s.body.push_str("/>\n"),
                Some(f) => {
                    s.failures += 1;
                    let _ = write!(
                        s.body,
                        ">\n      <failure message=\"{}\" type=\"{}\">severity: {}\nfix: {}</failure>\n    </testcase>\n",
                        xml(rule.describe()),
                        rule.name(),
                        f.severity().name(),
                        xml(&a.fix(f)),
                    );
                }
            }
        }
    }
    s
}

pub fn text(audits: &[ProfileAudit], rules: &[Reason]) -> String {
    let suites: Vec<(&ProfileAudit, Suite)> = audits.iter().map(|a| (a, suite(a, rules))).collect();
    let total = |f: fn(&Suite) -> usize| suites.iter().map(|(_, s)| f(s)).sum::<usize>();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"tokenctl audit\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n",
        total(|s| s.tests),
        total(|s| s.failures),
        total(|s| s.errors),
    );
    for (a, s) in &suites {
        let _ = write!(
            out,
            "  <testsuite name=\"{} ({})\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n{}  </testsuite>\n",
            xml(&a.profile),
            a.vendor,
            s.tests,
            s.failures,
            s.errors,
            s.body
        );
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_controls_are_escaped() {
        assert_eq!(xml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(xml("x\u{1b}\n"), "x\\e\\n");
    }
}
