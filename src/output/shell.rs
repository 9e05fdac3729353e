//! Commands shown in hints ("check with `tokenctl tokens get ID`") must be safe to paste into a
//! shell: a name such as `$(rm -rf ~)` or `a'b` is quoted, never interpreted.

/// `s` in POSIX single quotes: nothing inside is special; a `'` becomes `'\''`.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `s` as one shell word: bare when it holds only characters no shell treats specially (IDs,
/// profile names), else [`quote`]d.
pub fn word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.,:/@%+=".contains(c));
    if plain { s.to_owned() } else { quote(s) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(quote("maybe"), "'maybe'");
        assert_eq!(quote("a'b"), r"'a'\''b'");
        assert_eq!(word("0123abcd-ef"), "0123abcd-ef");
        for v in crate::config::Vendor::ALL {
            let name = crate::context::sandbox_profile_name(v);
            assert_eq!(word(&name), name);
        }
        assert_eq!(word(""), "''");
        assert_eq!(word("$(touch x)"), "'$(touch x)'");
        assert_eq!(word("-p x"), "'-p x'");
    }

    /// What `sh` makes of the quoted word is the original string, and nothing runs.
    #[cfg(unix)]
    #[test]
    fn sh_reads_back_the_exact_string() {
        let dir = tempfile::tempdir().expect("dir");
        let marker = dir.path().join("ran");
        let hostile = [
            format!("$(touch {})", marker.display()),
            format!("`touch {}`", marker.display()),
            format!("a'b; touch {} #", marker.display()),
            "'\\'\"$HOME\"!*?[x]{a,b} \t\n~".to_owned(),
        ];
        for s in &hostile {
            for q in [quote(s), word(s)] {
                let out = std::process::Command::new("sh")
                    .arg("-c")
                    .arg(format!("printf %s {q}"))
                    .output()
                    .expect("sh");
                assert_eq!(String::from_utf8_lossy(&out.stdout), *s, "{q}");
            }
        }
        assert!(!marker.exists(), "a quoted word ran a command");
    }
}
