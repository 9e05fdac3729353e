//! Text from servers and users made safe for a terminal. A leaf module with no dependencies,
//! so that the HTTP layer (error text, traces) and `output/` escape alike.
//!
//! Token names, vendor error messages and the like may carry control characters: ESC starts
//! sequences that retitle the window, clear the screen or move the cursor; CR and BS overwrite
//! what was printed; bidi overrides (U+202E) reorder what is seen. Every human-facing path shows
//! them escaped (`\e`, `\r`, `\u{202e}`) so that what the terminal shows is what was sent.
//! JSON keeps the exact values: [`json`] only spells the same characters as `\uXXXX`.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must not reach a terminal as is.
fn risky(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        // Bidi marks, embeddings, overrides and isolates.
        | '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        // Invisible characters that make two names look alike or hide text: zero-width space,
        // line and paragraph separators, word joiner and invisible operators, deprecated format
        // characters, BOM, interlinear annotation, tags.
        | '\u{200b}' | '\u{2028}' | '\u{2029}' | '\u{2060}'..='\u{2064}' | '\u{206a}'..='\u{206f}'
        | '\u{feff}' | '\u{fff9}'..='\u{fffb}' | '\u{e0000}'..='\u{e007f}')
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\0' => out.push_str("\\0"),
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\u{b}' => out.push_str("\\v"),
        '\u{c}' => out.push_str("\\f"),
        '\r' => out.push_str("\\r"),
        '\u{1b}' => out.push_str("\\e"),
        c if (c as u32) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

fn escape_where(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| risky(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if risky(c) && !keep(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One value (a name, an ID, a vendor's message) as it may be shown: every control, bidi and
/// invisible format character escaped, newlines included.
pub fn visible(s: &str) -> Cow<'_, str> {
    escape_where(s, |_| false)
}

/// A whole message tokenctl composed, possibly of several lines: the same, but its line breaks
/// stay line breaks. The values inside should have gone through [`visible`] already; this is
/// the last guard before stderr.
pub fn visible_lines(s: &str) -> Cow<'_, str> {
    escape_where(s, |c| c == '\n')
}

/// JSON text made safe for a terminal without changing what it means: the characters
/// [`visible`] escapes can only stand inside JSON strings, where `\uXXXX` is the same value.
/// (serde_json already escapes C0 controls; this adds DEL, C1, bidi and invisible characters.)
pub fn json(text: String) -> String {
    // C0 characters left in serde_json's output are its own line breaks and indentation.
    let in_strings = |c: char| risky(c) && c >= '\u{7f}';
    if !text.chars().any(in_strings) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if in_strings(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{u:04x}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_shown_escaped() {
        assert_eq!(
            visible("a\u{1b}]0;t\u{7}\u{1b}[2J\r\u{8}\0\u{202e}z\u{7f}\u{9b}\n\t\u{1}"),
            "a\\e]0;t\\a\\e[2J\\r\\b\\0\\u{202e}z\\x7f\\u{9b}\\n\\t\\x01"
        );
        assert_eq!(
            visible("\u{2066}x\u{2069}\u{200f}\u{61c}\u{feff}\u{e0041}"),
            "\\u{2066}x\\u{2069}\\u{200f}\\u{61c}\\u{feff}\\u{e0041}"
        );
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        for s in ["ci-dns (0123abcd)", "Zürich ✓ 東京 👩‍💻", "a\\eb", ""] {
            assert!(matches!(visible(s), Cow::Borrowed(t) if t == s), "{s}");
        }
    }

    #[test]
    fn lines_keep_their_breaks_only() {
        assert_eq!(visible_lines("one\ntwo\r\u{1b}"), "one\ntwo\\r\\e");
    }

    #[test]
    fn escaping_twice_changes_nothing_more() {
        let once = visible("x\u{1b}[31m\u{202e}").into_owned();
        assert_eq!(visible(&once), once);
    }

    #[test]
    fn json_keeps_the_exact_value() {
        let v = serde_json::json!({"name": "a\u{1b}\u{202e}\u{7f}\u{85}\u{e0041}b\"\\", "n": 1});
        let text = json(serde_json::to_string_pretty(&v).expect("json"));
        assert!(text.is_ascii(), "{text}");
        assert!(
            text.contains("\\u202e") && text.contains("\\udb40\\udc41"),
            "{text}"
        );
        let back: serde_json::Value = serde_json::from_str(&text).expect("valid");
        assert_eq!(back, v);
    }
}
