//! What the user already typed on the line being completed: the profile, `--sandbox` and
//! `--project`, so candidates come from the same place the finished command will use.

use std::ffi::OsString;

/// The settings read from the words of the command line being completed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Typed {
    pub profile: Option<String>,
    pub sandbox: bool,
    pub project: Option<String>,
}

/// Short flags of tokenctl that take a value (`-p NAME`, `-o FORMAT`): in a cluster such as
/// `-qp prod` the rest of the word, or the next word, is their value.
const SHORT_WITH_VALUE: &[char] = &['p', 'o'];

impl Typed {
    /// Reads the words the shell passed after `--` (the program name first). The last value
    /// given wins, as when clap parses the finished line; `--` ends the options.
    pub fn from_words<I, S>(words: I) -> Typed
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        let words: Vec<String> = words
            .into_iter()
            .map(|w| w.into().to_string_lossy().into_owned())
            .collect();
        let mut typed = Typed::default();
        let mut i = 1;
        while i < words.len() {
            let w = words[i].as_str();
            let next = words.get(i + 1).cloned();
            i += 1;
            if w == "--" {
                break;
            }
            if let Some(long) = w.strip_prefix("--") {
                let (name, inline) = match long.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_owned())),
                    None => (long, None),
                };
                let slot = match name {
                    "sandbox" => {
                        typed.sandbox = true;
                        continue;
                    }
                    "profile" => &mut typed.profile,
                    "project" => &mut typed.project,
                    _ => continue,
                };
                *slot = match inline {
                    Some(v) => Some(v),
                    None => {
                        i += 1;
                        next
                    }
                };
            } else if let Some(cluster) = w.strip_prefix('-') {
                for (at, c) in cluster.char_indices() {
                    if !SHORT_WITH_VALUE.contains(&c) {
                        continue;
                    }
                    let rest = &cluster[at + c.len_utf8()..];
                    let value = if rest.is_empty() {
                        i += 1;
                        next.clone()
                    } else {
                        Some(rest.trim_start_matches('=').to_owned())
                    };
                    if c == 'p' {
                        typed.profile = value;
                    }
                    break;
                }
            }
        }
        typed.profile = typed.profile.filter(|p| !p.trim().is_empty());
        typed.project = typed.project.filter(|p| !p.trim().is_empty());
        typed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(line: &str) -> Typed {
        Typed::from_words(line.split(' '))
    }

    #[test]
    fn reads_profile_sandbox_and_project() {
        assert_eq!(typed("tokenctl tokens get ").profile, None);
        assert_eq!(
            typed("tokenctl -p prod tokens get ").profile.as_deref(),
            Some("prod")
        );
        assert_eq!(
            typed("tokenctl --profile=eu tokens get x")
                .profile
                .as_deref(),
            Some("eu")
        );
        assert_eq!(
            typed("tokenctl tokens get --profile us x")
                .profile
                .as_deref(),
            Some("us")
        );
        assert_eq!(
            typed("tokenctl -qpstaging tokens get").profile.as_deref(),
            Some("staging")
        );
        assert_eq!(
            typed("tokenctl -qp staging tokens get").profile.as_deref(),
            Some("staging")
        );
        assert_eq!(
            typed("tokenctl -p a -p b tokens get").profile.as_deref(),
            Some("b")
        );
        assert!(typed("tokenctl --sandbox service-tokens rotate ").sandbox);
        assert!(!typed("tokenctl service-tokens rotate ").sandbox);
        assert_eq!(
            typed("tokenctl project-tokens delete --project factory ").project,
            Some("factory".into())
        );
    }

    #[test]
    fn a_value_is_not_read_as_a_flag() {
        // `-o p`: `p` is the format, not a profile flag.
        let t = typed("tokenctl -o p --sandbox tokens get");
        assert_eq!(t.profile, None);
        assert!(t.sandbox);
        // After `--` everything is positional.
        let t = typed("tokenctl tokens get -- --sandbox");
        assert!(!t.sandbox);
        // An empty value (the word being completed) is no profile.
        assert_eq!(typed("tokenctl -p ").profile, None);
    }
}
