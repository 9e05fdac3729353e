//! `audit -o csv`: RFC 4180. A header line, then one row per problem and per finding (as the
//! JSON objects), lines ended by CRLF. A field holding a comma, a double quote, CR or LF is
//! quoted, its quotes doubled. Line breaks inside a name are kept (quoted); other control
//! characters are escaped as everywhere on a terminal (`\e`), so that a CSV printed to one
//! cannot drive it.

use super::{Row, rows};
use crate::commands::audit::ProfileAudit;
use crate::output::visible_lines;

const HEADER: [&str; 12] = [
    "profile",
    "vendor",
    "noun",
    "id",
    "name",
    "rule",
    "severity",
    "expires_on",
    "last_used_on",
    "created_on",
    "error",
    "fix",
];

/// One field as RFC 4180 wants it.
pub fn field(s: &str) -> String {
    let s = visible_lines(s);
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

fn line(fields: &[Option<&str>]) -> String {
    let mut l: String = fields
        .iter()
        .map(|f| field(f.unwrap_or("")))
        .collect::<Vec<_>>()
        .join(",");
    l.push_str("\r\n");
    l
}

pub fn text(audits: &[ProfileAudit]) -> String {
    let mut s = line(&HEADER.map(Some));
    for r in rows(audits) {
        let Row {
            profile,
            vendor,
            noun,
            id,
            name,
            reason,
            expires_on,
            last_used_on,
            created_on,
            error,
            severity,
            fix,
        } = &r;
        s.push_str(&line(&[
            Some(profile),
            Some(vendor.name()),
            *noun,
            *id,
            *name,
            Some(reason),
            *severity,
            expires_on.as_deref(),
            last_used_on.as_deref(),
            created_on.as_deref(),
            error.as_deref(),
            fix.as_deref(),
        ]));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_when_they_must_be() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("cr\r"), "cr\\r");
        assert_eq!(field("\u{1b}[2J"), "\\e[2J");
    }
}
