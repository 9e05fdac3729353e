//! `--deliver dotenv:PATH[#KEY,...]`: set or replace keys in an env file, keeping every other
//! line, comment and the order.
//!
//! The file is replaced in one step (a temporary file beside it, fsync, rename) under a lock
//! that serialises tokenctl runs. A new file is 0600; an existing one keeps its mode. Values are
//! single-quoted, which bash, docker compose and python-dotenv all read literally; a value they
//! would not read back exactly (a quote, a backslash, a control character) is refused.

use std::path::PathBuf;

use anyhow::Context as _;

use super::spec::field_key;
use super::{Delivered, Sink};
use crate::context::{Context, Resolved};
use crate::error::CliError;
use crate::files;

/// The largest env file read; a bigger one is not an env file.
const CAP: u64 = 1024 * 1024;

pub(super) struct Dotenv {
    pub path: PathBuf,
    pub keys: Option<Vec<String>>,
}

impl Dotenv {
    /// The keys for these fields: the ones named, or the fields' own names (`TOKEN`,
    /// `CLIENT_ID` and `CLIENT_SECRET`). A count that differs is a usage error.
    pub fn keys_for(&self, fields: &[&str]) -> anyhow::Result<Vec<String>> {
        match &self.keys {
            None => Ok(fields.iter().map(|f| field_key(f)).collect()),
            Some(keys) if keys.len() == fields.len() => Ok(keys.clone()),
            Some(keys) => Err(CliError::usage(format!(
                "dotenv:{}: {} key(s) named, and the secret has {} field(s) ({})",
                self.path.display(),
                keys.len(),
                fields.len(),
                fields.join(", ")
            ))
            .into()),
        }
    }
}

impl Sink for Dotenv {
    fn check(&self, _: &Context) -> anyhow::Result<()> {
        let dir = files::parent_of(&self.path);
        if !dir.is_dir() {
            return Err(CliError::usage(format!(
                "dotenv:{}: the directory {} does not exist",
                self.path.display(),
                dir.display()
            ))
            .into());
        }
        if let Ok(meta) = std::fs::metadata(&self.path)
            && !meta.is_file()
        {
            return Err(CliError::usage(format!(
                "dotenv:{}: not a regular file",
                self.path.display()
            ))
            .into());
        }
        Ok(())
    }

    fn write(&self, ctx: &Context, _: &Resolved, it: &Delivered<'_>) -> anyhow::Result<()> {
        let fields = it.issued.secrets();
        let labels: Vec<&str> = fields.iter().map(|(k, _)| *k).collect();
        let keys = self.keys_for(&labels)?;
        self.check(ctx)?;
        let mut pairs = Vec::new();
        for (key, (label, value)) in keys.iter().zip(&fields) {
            pairs.push((key.as_str(), quote(value.expose()).ok_or_else(|| {
                CliError::failure(format!(
                    "the {label} has a character an env file cannot hold exactly (a quote, backslash or control character)"
                ))
            })?));
        }
        let target = files::resolve_links(&self.path);
        let _lock = files::lock(&target).context("locking the file")?;
        let old = files::read_file_capped(&target, CAP).context("reading the file")?;
        let mode = std::fs::metadata(&target).ok().map(|m| mode_of(&m));
        let text = old.map(|b| String::from_utf8_lossy(&b).into_owned());
        let new = edit(text.as_deref().unwrap_or(""), &pairs);
        files::replace_with_mode(&target, new.as_bytes(), mode.unwrap_or(0o600))
            .context("writing the file")?;
        ctx.ui.note_secret_kept();
        ctx.ui.status(&format!(
            "Set {} in {}.",
            keys.join(", "),
            self.path.display()
        ));
        Ok(())
    }
}

#[cfg(unix)]
fn mode_of(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode_of(_: &std::fs::Metadata) -> u32 {
    0o600
}

/// `'value'`, or `None` for a value that single quotes do not carry exactly everywhere
/// (python-dotenv reads `\\` and `\'` inside them as escapes; bash does not).
fn quote(value: &str) -> Option<String> {
    let exact = !value
        .chars()
        .any(|c| c == '\'' || c == '\\' || c.is_control());
    exact.then(|| format!("'{value}'"))
}

/// The key a line assigns (`KEY=...` or `export KEY=...`), if it is an assignment.
fn assigned(line: &str) -> Option<(&str, &str)> {
    let t = line.trim_start();
    let (export, rest) = match t.strip_prefix("export ") {
        Some(rest) => ("export ", rest.trim_start()),
        None => ("", t),
    };
    let (key, _) = rest.split_once('=')?;
    let key = key.trim_end();
    super::spec::is_env_name(key).then_some((export, key))
}

/// `text` with each key's assignment replaced in place (every one of them, keeping an
/// `export`), keys not yet there appended; every other line as it was.
fn edit(text: &str, pairs: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut done = vec![false; pairs.len()];
    for line in text.split_inclusive('\n') {
        let hit = assigned(line).and_then(|(export, key)| {
            pairs
                .iter()
                .position(|(k, _)| *k == key)
                .map(|i| (export, i))
        });
        match hit {
            Some((export, i)) => {
                let (k, v) = &pairs[i];
                out.push_str(&format!("{export}{k}={v}\n"));
                done[i] = true;
            }
            None => out.push_str(line),
        }
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    for ((k, v), done) in pairs.iter().zip(done) {
        if !done {
            out.push_str(&format!("{k}={v}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_replaced_in_place_and_everything_else_is_kept() {
        let old = "# app\nA=1\nexport TOKEN=\"old\"\n\nB='x' # note\nTOKEN=again";
        let new = edit(old, &[("TOKEN", "'n'".into()), ("NEW", "'v'".into())]);
        assert_eq!(
            new,
            "# app\nA=1\nexport TOKEN='n'\n\nB='x' # note\nTOKEN='n'\nNEW='v'\n"
        );
        assert_eq!(edit("", &[("K", "'v'".into())]), "K='v'\n");
    }

    #[test]
    fn values_that_cannot_be_read_back_exactly_are_refused() {
        assert_eq!(quote("ab$c-_=+/"), Some("'ab$c-_=+/'".into()));
        for bad in ["a'b", "a\\b", "a\nb"] {
            assert_eq!(quote(bad), None, "{bad:?}");
        }
    }
}
