//! `--deliver SINK`: the syntax of a delivery sink, checked when the arguments are parsed (a bad
//! one is a usage error, exit 2, before anything is sent), and the flags that go with it.
//!
//! `exec:COMMAND`, `dotenv:PATH[#KEY,...]`, `keyring:PROFILE` (as `--save-as`) and `file:PATH`
//! (as `--secret-file`). In a bulk run, `{id}` and `{name}` in a sink's argument stand for each
//! token's (see [`DeliverSpec::for_token`]).

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::Args;

use crate::config::validate_profile_name;
use crate::output::shell;

/// The delivery flags every verb that issues a secret takes.
#[derive(Debug, Args, Clone, Default)]
pub struct DeliverArgs {
    /// Also deliver the new secret to SINK (repeatable): exec:COMMAND (secret on stdin),
    /// dotenv:PATH[#KEY,...], keyring:PROFILE or file:PATH
    #[arg(long = "deliver", value_name = "SINK")]
    pub deliver: Vec<DeliverSpec>,

    /// How long an exec: sink may run before it is killed and counts as failed
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_timeout)]
    pub deliver_timeout: Duration,

    /// What an exec: sink reads on stdin: env (FIELD=value lines), json (one object) or raw
    /// (the value alone; one-part secrets only). Default: raw for one field, env for two
    #[arg(long, value_name = "FORMAT")]
    pub deliver_format: Option<DeliverFormat>,
}

/// What an `exec:` sink reads on stdin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DeliverFormat {
    Env,
    Json,
    Raw,
}

/// One `--deliver` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliverSpec {
    Exec(String),
    Dotenv {
        path: PathBuf,
        keys: Option<Vec<String>>,
    },
    Keyring(String),
    File(PathBuf),
}

const KINDS: &str = "exec:COMMAND, dotenv:PATH[#KEY,...], keyring:PROFILE or file:PATH";

impl FromStr for DeliverSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let Some((kind, arg)) = s.split_once(':') else {
            return Err(format!("expected {KINDS}"));
        };
        if arg.trim().is_empty() {
            return Err(format!("{kind}: needs an argument; expected {KINDS}"));
        }
        match kind {
            "exec" => Ok(DeliverSpec::Exec(arg.to_owned())),
            "file" => Ok(DeliverSpec::File(arg.into())),
            "keyring" => {
                validate_profile_name(arg).map_err(|e| format!("keyring:{arg}: {e}"))?;
                Ok(DeliverSpec::Keyring(arg.to_owned()))
            }
            "dotenv" => parse_dotenv(arg),
            other => Err(format!("unknown sink kind '{other}'; expected {KINDS}")),
        }
    }
}

fn parse_dotenv(arg: &str) -> Result<DeliverSpec, String> {
    let (path, keys) = match arg.rsplit_once('#') {
        Some((path, keys)) => (path, Some(keys)),
        None => (arg, None),
    };
    if path.is_empty() {
        return Err("dotenv: needs a file path".into());
    }
    let keys = match keys {
        None => None,
        Some(list) => {
            let keys: Vec<String> = list.split(',').map(str::to_owned).collect();
            if let Some(bad) = keys.iter().find(|k| !is_env_name(k)) {
                return Err(format!(
                    "dotenv:{arg}: '{bad}' is not a variable name (letters, digits and _, not starting with a digit)"
                ));
            }
            let mut seen = std::collections::HashSet::new();
            if let Some(dup) = keys.iter().find(|k| !seen.insert(k.as_str())) {
                return Err(format!("dotenv:{arg}: the key {dup} is named twice"));
            }
            Some(keys)
        }
    };
    Ok(DeliverSpec::Dotenv {
        path: path.into(),
        keys,
    })
}

/// A name bash, docker compose and python-dotenv all accept as a variable.
pub fn is_env_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The variable name of a secret field's label: `client id` is `CLIENT_ID`.
pub fn field_key(label: &str) -> String {
    label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

fn parse_timeout(s: &str) -> Result<Duration, String> {
    let d = crate::dates::parse_duration(s)?;
    let d = Duration::try_from(d).map_err(|_| "the timeout must be positive".to_owned())?;
    if d.is_zero() {
        return Err("the timeout must be positive".into());
    }
    Ok(d)
}

impl DeliverSpec {
    /// The sink with `{id}` and `{name}` replaced by one token's: shell-quoted in an exec
    /// command, as they are in a path or profile name.
    pub fn for_token(&self, id: &str, name: Option<&str>) -> DeliverSpec {
        let name = name.unwrap_or(id);
        let plain = |s: &str| s.replace("{id}", id).replace("{name}", name);
        match self {
            DeliverSpec::Exec(c) => DeliverSpec::Exec(
                c.replace("{id}", &shell::word(id))
                    .replace("{name}", &shell::word(name)),
            ),
            DeliverSpec::File(p) => DeliverSpec::File(plain(&p.to_string_lossy()).into()),
            DeliverSpec::Keyring(p) => DeliverSpec::Keyring(plain(p)),
            DeliverSpec::Dotenv { path, keys } => DeliverSpec::Dotenv {
                path: plain(&path.to_string_lossy()).into(),
                keys: keys.clone(),
            },
        }
    }

    /// How the sink is named in messages and JSON: its kind and its target.
    pub fn describe(&self) -> (&'static str, String) {
        match self {
            DeliverSpec::Exec(c) => ("exec", c.clone()),
            DeliverSpec::Dotenv { path, .. } => ("dotenv", path.display().to_string()),
            DeliverSpec::Keyring(p) => ("keyring", p.clone()),
            DeliverSpec::File(p) => ("file", p.display().to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sinks_parse_and_bad_ones_are_refused() {
        assert_eq!(
            "exec:gh secret set X".parse(),
            Ok(DeliverSpec::Exec("gh secret set X".into()))
        );
        assert_eq!(
            "dotenv:.env#A,B_2".parse(),
            Ok(DeliverSpec::Dotenv {
                path: ".env".into(),
                keys: Some(vec!["A".into(), "B_2".into()])
            })
        );
        assert_eq!(
            "dotenv:app.env".parse(),
            Ok(DeliverSpec::Dotenv {
                path: "app.env".into(),
                keys: None
            })
        );
        for bad in [
            "exec:",
            "nope:x",
            "plain",
            "dotenv:#A",
            "dotenv:f#1A",
            "dotenv:f#A,A",
            "dotenv:f#",
            "keyring:a b",
        ] {
            assert!(bad.parse::<DeliverSpec>().is_err(), "{bad}");
        }
    }

    #[test]
    fn placeholders_are_quoted_in_commands() {
        let spec = DeliverSpec::Exec("store {name} {id}".into());
        assert_eq!(
            spec.for_token("abc", Some("a b;rm")),
            DeliverSpec::Exec("store 'a b;rm' abc".into())
        );
        assert_eq!(field_key("client secret"), "CLIENT_SECRET");
    }
}
