//! Bulk verbs (a selection instead of one TOKEN) against the sandbox: refusals before any
//! request, confirmation, empty selections and output formats. `bulk/selection.rs` checks every
//! selection flag on every verb, `bulk/failures.rs` partial failures and exit codes,
//! `bulk/secrets.rs` the secrets roll and rotate hand over.

mod failures;
mod secrets;
mod selection;

use jiff::Timestamp;
use predicates::prelude::*;
use serde_json::Value;

use crate::common::{Sandbox, TestEnv, stdout_json, text};

/// The vendors behind the bulk verbs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Noun {
    Tokens,
    ServiceTokens,
    Mailtrap,
    Prefactor,
}

/// Every bulk verb.
pub const VERBS: [(Noun, &str); 9] = [
    (Noun::Tokens, "delete"),
    (Noun::Tokens, "roll"),
    (Noun::ServiceTokens, "refresh"),
    (Noun::ServiceTokens, "rotate"),
    (Noun::ServiceTokens, "delete"),
    (Noun::Mailtrap, "delete"),
    (Noun::Prefactor, "delete"),
    (Noun::Prefactor, "revoke"),
    (Noun::Prefactor, "suspend"),
];

/// A sandbox and an environment pointed at one vendor.
pub struct Bulk {
    pub noun: Noun,
    pub env: TestEnv,
    pub sb: Sandbox,
}

impl Bulk {
    pub fn new(noun: Noun) -> Bulk {
        let mut env = TestEnv::new();
        let sb = env.sandbox();
        let conn = |v: &str, k: &str| sb.connections[v][k].as_str().unwrap_or("").to_owned();
        match noun {
            Noun::Mailtrap => {
                env.set("MAILTRAP_BASE_URL", &conn("mailtrap", "base_url"))
                    .set("MAILTRAP_ACCOUNT_ID", &conn("mailtrap", "account_id"))
                    .set("MAILTRAP_API_TOKEN", &conn("mailtrap", "token"));
            }
            Noun::Prefactor => {
                env.set("PREFACTOR_BASE_URL", &conn("prefactor", "base_url"))
                    .set("PREFACTOR_API_TOKEN", &conn("prefactor", "token"));
            }
            Noun::Tokens | Noun::ServiceTokens => {}
        }
        Bulk { noun, env, sb }
    }

    pub fn base(&self) -> &'static str {
        match self.noun {
            Noun::Tokens => "tokens",
            Noun::ServiceTokens => "service-tokens",
            Noun::Mailtrap | Noun::Prefactor => "api-tokens",
        }
    }

    /// The tool, piped, with the noun first.
    pub fn cmd(&self, args: &[&str]) -> assert_cmd::Command {
        let mut c = self.env.cmd();
        c.arg(self.base()).args(args);
        c
    }

    /// Every token, in the order the API lists them (expired account tokens included).
    pub fn list(&self) -> Vec<Value> {
        let mut args = vec!["list", "--json"];
        if self.noun == Noun::Tokens {
            args.push("--include-expired");
        }
        let out = self.cmd(&args).output().expect("run");
        assert!(out.status.success(), "{}", text(&out.stderr));
        stdout_json(&out).as_array().expect("array").clone()
    }

    /// The API path of one token, for faults aimed at it alone.
    pub fn path_of(&self, id: &str) -> String {
        let conn = |v: &str, k: &str| self.sb.connections[v][k].as_str().unwrap_or("").to_owned();
        match self.noun {
            Noun::Tokens => format!("/client/v4/accounts/{}/tokens/{id}", self.sb.account_id),
            Noun::ServiceTokens => format!(
                "/client/v4/accounts/{}/access/service_tokens/{id}",
                self.sb.account_id
            ),
            Noun::Mailtrap => format!(
                "/mailtrap/api/accounts/{}/api_tokens/{id}",
                conn("mailtrap", "account_id")
            ),
            Noun::Prefactor => format!("/prefactor/api/v1/api_token/{id}"),
        }
    }

    /// Runs a bulk command that must end with `code`; returns its output and JSON array.
    pub fn run_json(&self, args: &[&str], code: i32) -> (std::process::Output, Vec<Value>) {
        let out = self
            .cmd(args)
            .args(["--yes", "-o", "json"])
            .output()
            .expect("run");
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}\nstdout: {}\nstderr: {}",
            text(&out.stdout),
            text(&out.stderr)
        );
        let v = stdout_json(&out)
            .as_array()
            .expect("one JSON array")
            .clone();
        (out, v)
    }
}

/// A token's ID as a string (Mailtrap's are numbers).
pub fn id_of(v: &Value) -> String {
    match &v["id"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn ids(items: &[Value]) -> Vec<String> {
    items.iter().map(id_of).collect()
}

pub fn ts(v: &Value) -> Option<Timestamp> {
    v.as_str().and_then(|s| s.parse().ok())
}

/// Whether a listed token is one a command's selection takes.
pub type Selects = dyn Fn(&Value) -> bool;

pub fn clear_faults(sb: &Sandbox) {
    ureq::delete(&format!("{}/__sandbox/faults", sb.root))
        .call()
        .expect("clear faults");
}

pub fn outcomes(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|v| v["outcome"].as_str().unwrap_or("?").to_owned())
        .collect()
}

#[test]
fn bad_input_and_unconfirmable_runs_send_nothing() {
    for noun in [
        Noun::Tokens,
        Noun::ServiceTokens,
        Noun::Mailtrap,
        Noun::Prefactor,
    ] {
        let b = Bulk::new(noun);
        b.sb.clear_requests();
        for (_, verb) in VERBS.iter().filter(|(n, _)| *n == noun) {
            let mut cases: Vec<Vec<&str>> = vec![
                vec![],
                vec!["--all"],
                vec!["--all", "--concurrency", "0", "--yes"],
                vec!["--all", "--concurrency", "65", "--yes"],
                vec!["--all", "--concurrency", "eight", "--yes"],
                vec!["some-token", "--all", "--yes"],
                vec!["some-token", "--concurrency", "4", "--yes"],
                vec!["--all", "--expired", "--yes"],
                vec!["--expiring-within", "soon", "--yes"],
                vec!["--expired", "--expiring-within", "7d", "--yes"],
                vec!["--status", "bogus", "--yes"],
                vec!["--name", "", "--yes"],
                vec!["--all", "--yes", "-o", "env"],
            ];
            match noun {
                Noun::Prefactor => cases.push(vec!["--name", "x*", "--yes"]),
                Noun::Mailtrap => cases.push(vec!["--status", "active", "--yes"]),
                _ => {}
            }
            if *verb == "roll" {
                cases.push(vec!["--all", "--yes", "--save-as", "other"]);
                cases.push(vec!["--all", "--yes", "-o", "env"]);
            }
            if *verb == "rotate" {
                cases.push(vec!["--all", "--yes", "--save-as", "other"]);
                cases.push(vec!["--all", "--yes", "-o", "env"]);
            }
            for args in cases {
                let out = b.cmd(&[verb]).args(&args).output().expect("run");
                let err = text(&out.stderr);
                assert_eq!(out.status.code(), Some(2), "{verb} {args:?}: {err}");
                assert!(err.starts_with("error"), "{verb} {args:?}: {err}");
            }
            // Neither a token nor a selection: one clear line.
            b.cmd(&[verb])
                .assert()
                .code(2)
                .stderr(predicate::str::contains(
                    "name a TOKEN, or select tokens with --all",
                ));
            // Off a terminal a bulk run needs --yes, for every verb.
            b.cmd(&[verb, "--all"])
                .assert()
                .code(2)
                .stderr(predicate::str::contains("needs confirmation"));
        }
        assert!(
            b.sb.requests().is_empty(),
            "{noun:?}: {:?}",
            b.sb.request_lines()
        );
    }
}

#[test]
fn mailtrap_profiles_have_no_revoke_or_suspend() {
    let b = Bulk::new(Noun::Mailtrap);
    b.sb.clear_requests();
    for verb in ["revoke", "suspend"] {
        b.cmd(&[verb, "--all", "--yes"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("is a prefactor verb"));
    }
    assert!(b.sb.requests().is_empty());
}

#[test]
fn a_terminal_asks_once_and_no_means_nothing_changes() {
    let b = Bulk::new(Noun::ServiceTokens);
    let before = b.list();
    b.sb.clear_requests();
    let out = b
        .env
        .tty_cmd()
        .args(["service-tokens", "delete", "--name", "k8s-*"])
        .write_stdin("n\n")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("Selected 2 service tokens"), "{err}");
    assert!(
        err.contains("k8s-ingress-prod") && err.contains("k8s-ingress-staging"),
        "{err}"
    );
    assert!(err.contains("Delete 2 service tokens"), "{err}");
    assert!(
        b.sb.request_lines().iter().all(|l| l.starts_with("GET ")),
        "{:?}",
        b.sb.request_lines()
    );
    assert_eq!(b.list().len(), before.len());

    // "y" goes ahead, with a progress bar on the (forced) terminal.
    let out = b
        .env
        .tty_cmd()
        .args(["service-tokens", "refresh", "--name", "k8s-*"])
        .write_stdin("y\n")
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("Refreshing [") && err.contains("/2"), "{err}");
    assert!(err.contains("Refreshed 2, failed 0, skipped 0."), "{err}");
    // Piped, and under --quiet, there is no bar.
    let out = b
        .cmd(&["refresh", "--name", "k8s-*", "--yes"])
        .output()
        .expect("run");
    assert!(!text(&out.stderr).contains("Refreshing ["));
    let out = b
        .env
        .tty_cmd()
        .args([
            "-q",
            "service-tokens",
            "refresh",
            "--name",
            "k8s-*",
            "--yes",
        ])
        .output()
        .expect("run");
    assert!(out.status.success());
    assert!(text(&out.stderr).is_empty(), "{}", text(&out.stderr));
}

#[test]
fn an_empty_selection_does_nothing_and_says_so() {
    for (noun, verb) in VERBS {
        let b = Bulk::new(noun);
        b.sb.clear_requests();
        let sel: &[&str] = match noun {
            Noun::Prefactor => &["--status", "active", "--expiring-within", "1s"],
            _ => &["--name", "no-such-token-*"],
        };
        let (out, items) = b.run_json(&[&[verb][..], sel].concat(), 0);
        assert!(items.is_empty(), "{verb}");
        assert!(
            text(&out.stderr).contains("nothing was done"),
            "{verb}: {}",
            text(&out.stderr)
        );
        assert!(
            b.sb.request_lines().iter().all(|l| l.starts_with("GET ")),
            "{noun:?} {verb}: {:?}",
            b.sb.request_lines()
        );
        let out = b
            .cmd(&[&[verb][..], sel, &["--yes"]].concat())
            .output()
            .expect("run");
        assert!(out.status.success() && out.stdout.is_empty());
    }
}

#[test]
fn outputs_other_than_json() {
    let b = Bulk::new(Noun::ServiceTokens);
    let expected: Vec<String> = b
        .list()
        .iter()
        .filter(|t| t["name"].as_str().is_some_and(|n| n.starts_with("k8s-")))
        .map(id_of)
        .collect();
    let out = b
        .cmd(&["refresh", "--name", "k8s-*", "--yes", "-o", "id"])
        .output()
        .expect("run");
    assert_eq!(text(&out.stdout).lines().collect::<Vec<_>>(), expected);
    let out = b
        .cmd(&["refresh", "--name", "k8s-*", "--yes", "-o", "ndjson"])
        .output()
        .expect("run");
    let mut got: Vec<String> = text(&out.stdout)
        .lines()
        .map(|l| id_of(&serde_json::from_str::<Value>(l).expect("line")))
        .collect();
    got.sort();
    let mut want = expected.clone();
    want.sort();
    assert_eq!(got, want);
    let out = b
        .cmd(&["delete", "--name", "k8s-*", "--yes"])
        .output()
        .expect("run");
    let s = text(&out.stdout);
    let header = s.lines().next().expect("header");
    for h in ["ID", "NAME", "OUTCOME", "DETAIL"] {
        assert!(header.contains(h), "{header}");
    }
    assert_eq!(s.lines().filter(|l| l.contains(" done")).count(), 2, "{s}");
}
