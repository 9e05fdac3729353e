//! The summary a create flow shows before it asks to go on.

use super::visible;

/// `title`, then each row as `label: value`, a row of several values as one indented line
/// each. Values come from the user and the server, so each is escaped; an empty row says
/// `none`.
pub fn summary(title: &str, rows: &[(&str, Vec<String>)]) -> String {
    let width = rows.iter().map(|(l, _)| l.len()).max().unwrap_or(0) + 1;
    let mut out = format!("{}\n", visible(title));
    for (label, values) in rows {
        let head = format!("  {:<width$} ", format!("{label}:"));
        match values.as_slice() {
            [] => out.push_str(&format!("{head}none\n")),
            [one] => out.push_str(&format!("{head}{}\n", visible(one))),
            many => {
                out.push_str(&format!("{}\n", head.trim_end()));
                for v in many {
                    out.push_str(&format!("    - {}\n", visible(v)));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_aligned_and_escaped() {
        let s = summary(
            "About to create:",
            &[
                ("name", vec!["ci\u{1b}[2J".into()]),
                ("groups", vec!["DNS Read".into(), "Zone Read".into()]),
                ("expires", vec![]),
            ],
        );
        assert_eq!(
            s,
            "About to create:\n  name:    ci\\e[2J\n  groups:\n    - DNS Read\n    - Zone Read\n  expires: none\n"
        );
    }
}
