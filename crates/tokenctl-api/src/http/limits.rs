//! How much of a server's answer is read and printed. A hostile or broken server can send an
//! endless body, a gzip bomb or a page of error text; these caps bound what tokenctl holds in
//! memory and what reaches the terminal.

/// The most bytes of a successful response body that are read, counted after decompression.
/// The largest real answer (a page of 1,000 Cloudflare service tokens) is about 0.5 MB; past
/// this cap reading stops and the request fails.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// The most bytes of an error (or redirect) body that are read, after decompression. Vendor
/// error bodies are a few hundred bytes; the rest of a longer one is not read.
pub const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

/// The most characters of one vendor error message that are printed.
pub const MAX_MESSAGE_CHARS: usize = 200;

/// The most characters of one vendor error code that are printed.
pub const MAX_CODE_CHARS: usize = 40;

/// The most vendor messages printed for one error; the others are counted ("(3 more)").
pub const MAX_MESSAGES: usize = 5;

/// The most characters of the whole vendor part of an error line: the messages shown and their
/// codes together (the "(N more)" note follows). Five full messages with codes fit.
pub const MAX_VENDOR_TEXT_CHARS: usize = 1200;

/// The most characters of a transport detail (a redirect's target, a connection error) or of a
/// request ID taken from a response header.
pub const MAX_DETAIL_CHARS: usize = 300;

/// The most characters of a redirect's `Location` that are printed.
pub const MAX_LOCATION_CHARS: usize = 120;

/// Server text made safe for one terminal line: control characters (newlines, escape
/// sequences) and invisible direction overrides are shown escaped (`\e`, `\n`, `\u{202e}`, see
/// [`crate::escape`]), and text past `max` characters is cut, ending in `…`.
pub fn clip(text: &str, max: usize) -> String {
    let clean = crate::escape::visible(text.trim());
    if clean.chars().count() <= max {
        return clean.into_owned();
    }
    let mut cut: String = clean.chars().take(max.saturating_sub(1)).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_keeps_short_text() {
        assert_eq!(clip("token not found", 20), "token not found");
        assert_eq!(clip("", 20), "");
    }

    #[test]
    fn clip_cuts_long_text_with_an_ellipsis() {
        let long = "é".repeat(500);
        let cut = clip(&long, 200);
        assert_eq!(cut.chars().count(), 200);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn clip_escapes_control_and_direction_characters() {
        let s = clip("bad\n\u{1b}[31mred\u{202e}txt\r", 100);
        assert_eq!(s, "bad\\n\\e[31mred\\u{202e}txt");
    }
}
