//! Bulk verbs (a selection instead of one TOKEN) against the sandbox: refusals before any
//! request, confirmation, exit codes of partial failures, issued secrets that work, the secret
//! file, and no secret on stderr. `bulk/selection.rs` checks every selection flag on every verb.

mod selection;

use jiff::Timestamp;
use predicates::prelude::*;
use serde_json::{Value, json};

use crate::common::{Sandbox, TestEnv, mode, stdout_json, text};

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
type Selects = dyn Fn(&Value) -> bool;

pub fn clear_faults(sb: &Sandbox) {
    ureq::delete(&format!("{}/__sandbox/faults", sb.root))
        .call()
        .expect("clear faults");
}

fn outcomes(items: &[Value]) -> Vec<String> {
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
                cases.push(vec!["--all", "--yes", "-o", "id"]);
            }
            if *verb == "rotate" {
                cases.push(vec!["--all", "--yes", "-o", "id"]);
                cases.push(vec!["--all", "--yes", "--save-as", "other"]);
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

/// One token's request fails: the others are done, the JSON says which, the summary counts
/// them, and the exit code is the failure's.
#[test]
fn a_partial_failure_reports_every_outcome_and_exits_with_its_code() {
    for (noun, verb) in VERBS {
        let b = Bulk::new(noun);
        // Never the profile's own token: acting on it would lock the rest of the run out.
        let soon = Timestamp::now()
            .checked_add(jiff::SignedDuration::from_hours(24 * 60))
            .expect("ts");
        let (mut args, selected): (Vec<&str>, Box<Selects>) = match noun {
            Noun::Tokens => (
                vec![verb, "--name", "ci-*"],
                Box::new(|t: &Value| t["name"].as_str().is_some_and(|n| n.starts_with("ci-"))),
            ),
            Noun::ServiceTokens => (
                vec![verb, "--name", "[a-c]*"],
                Box::new(|t: &Value| t["name"].as_str().is_some_and(|n| n.starts_with('b'))),
            ),
            Noun::Mailtrap => (
                vec![verb, "--name", "[a-s]*-*"],
                Box::new(|t: &Value| {
                    t["name"]
                        .as_str()
                        .is_some_and(|n| n.contains('-') && n < "t")
                }),
            ),
            Noun::Prefactor if verb == "delete" => (
                vec![verb, "--status", "revoked"],
                Box::new(|t: &Value| t["status"] == "revoked"),
            ),
            Noun::Prefactor => (
                vec![verb, "--status", "active", "--expiring-within", "60d"],
                Box::new(move |t: &Value| {
                    t["status"] == "active"
                        && ts(&t["expires_at"]).is_some_and(|e| e > Timestamp::now() && e <= soon)
                }),
            ),
        };
        let before = b.list();
        let victim = before
            .iter()
            .find(|t| selected(t))
            .map(id_of)
            .expect("a victim");
        // 404 is not retried; every other token goes through.
        b.sb.fault(json!({"status": 404, "path_prefix": b.path_of(&victim), "times": 10}));
        if verb == "rotate" {
            args.extend(["--grace", "1h"]);
        }
        let (out, items) = b.run_json(&args, 5);
        let failed: Vec<&Value> = items.iter().filter(|v| v["outcome"] == "failed").collect();
        assert_eq!(failed.len(), 1, "{noun:?} {verb}: {items:?}");
        assert_eq!(id_of(failed[0]), victim);
        assert!(failed[0]["error"].as_str().is_some_and(|e| !e.is_empty()));
        let done = items.iter().filter(|v| v["outcome"] == "done").count();
        let skipped = items.iter().filter(|v| v["outcome"] == "skipped").count();
        assert!(done >= 1, "{noun:?} {verb}: {items:?}");
        let err = text(&out.stderr);
        let past = match verb {
            "delete" => "Deleted",
            "roll" => "Rolled",
            "refresh" => "Refreshed",
            "rotate" => "Rotated",
            "revoke" => "Revoked",
            _ => "Suspended",
        };
        assert!(
            err.contains(&format!("{past} {done}, failed 1, skipped {skipped}.")),
            "{err}"
        );
        assert!(err.contains("failed: ") && err.contains(&victim), "{err}");
        assert!(err.contains("error: "), "{err}");
    }
}

#[test]
fn exit_codes_follow_the_failures() {
    let b = Bulk::new(Noun::ServiceTokens);
    let all = b.list();
    let pick = |prefix: &str| -> Vec<String> {
        all.iter()
            .filter(|t| t["name"].as_str().is_some_and(|n| n.starts_with(prefix)))
            .map(id_of)
            .collect()
    };
    // Two failures with the same code: that code.
    let k8s = pick("k8s-");
    for id in &k8s {
        b.sb.fault(json!({"status": 404, "path_prefix": b.path_of(id), "times": 10}));
    }
    b.run_json(&["refresh", "--name", "k8s-*"], 5);
    clear_faults(&b.sb);
    // Different codes: 1.
    b.sb.fault(json!({"status": 404, "path_prefix": b.path_of(&k8s[0]), "times": 10}));
    b.sb.fault(json!({"status": 422, "path_prefix": b.path_of(&k8s[1]), "times": 10}));
    let (_, items) = b.run_json(&["refresh", "--name", "k8s-*"], 1);
    assert_eq!(outcomes(&items), ["failed", "failed"]);
    clear_faults(&b.sb);
    // A rotation whose answer is lost wins over any other failure: exit 9, with a hint.
    let g = pick("g");
    assert!(g.len() >= 3, "{g:?}");
    b.sb.fault(json!({"kind": "reset_after", "method": "POST", "path_prefix": b.path_of(&g[0]), "times": 10}));
    b.sb.fault(json!({"status": 404, "path_prefix": b.path_of(&g[1]), "times": 10}));
    let (out, items) = b.run_json(&["rotate", "--name", "g*", "--grace", "1h"], 9);
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("tokenctl service-tokens get {}", g[0])) && err.contains("hint: "),
        "{err}"
    );
    let by_id = |id: &str| items.iter().find(|v| id_of(v) == id).expect("item").clone();
    assert_eq!(by_id(&g[0])["outcome"], "failed");
    assert!(
        by_id(&g[0])["hint"]
            .as_str()
            .is_some_and(|h| h.contains("to see whether it happened"))
    );
    assert_eq!(by_id(&g[1])["outcome"], "failed");
    assert_eq!(by_id(&g[2])["outcome"], "done");
    // The lost rotation was sent once, never retried.
    let sent =
        b.sb.request_lines()
            .iter()
            .filter(|l| l.contains(&format!("{}/rotate", g[0])))
            .count();
    assert_eq!(sent, 1);
}

#[test]
fn bulk_rotate_hands_over_working_secrets_and_kills_the_old_ones() {
    let b = Bulk::new(Noun::ServiceTokens);
    let mut old = Vec::new();
    for i in 0..3 {
        let out = b
            .cmd(&["create", "--name", &format!("fleet-{i}"), "--json"])
            .output()
            .expect("run");
        let t = stdout_json(&out);
        old.push((
            t["client_id"].as_str().expect("cid").to_owned(),
            t["client_secret"].as_str().expect("secret").to_owned(),
        ));
    }
    let file = b.env.path("fleet.json");
    let f = file.to_str().expect("path");
    let (out, items) = b.run_json(&["rotate", "--name", "fleet-*", "--secret-file", f], 0);
    assert_eq!(items.len(), 3);
    assert!(text(&out.stderr).contains("Rotated 3, failed 0, skipped 0."));
    assert!(text(&out.stderr).contains("no longer work"));
    for item in &items {
        assert_eq!(item["outcome"], "done");
        let (cid, old_secret) = old
            .iter()
            .find(|(cid, _)| item["client_id"] == cid.as_str())
            .expect("the same client ID");
        let new = item["client_secret"].as_str().expect("new secret");
        assert_ne!(new, old_secret);
        assert!(b.sb.access_check(cid, new), "the new secret works");
        assert!(!b.sb.access_check(cid, old_secret), "the old one is dead");
    }
    // The secret file: one JSON array of the issued objects, 0600.
    assert_eq!(mode(&file), 0o600);
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
    let doc = doc.as_array().expect("array");
    assert_eq!(doc.len(), 3);
    for (d, item) in doc.iter().zip(&items) {
        assert_eq!(d["client_secret"], item["client_secret"]);
        assert_eq!(d["client_id"], item["client_id"]);
        assert_eq!(d["id"], item["id"]);
    }
    // An existing file is refused before anything is sent.
    b.sb.clear_requests();
    b.cmd(&["rotate", "--name", "fleet-*", "--secret-file", f, "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    assert!(b.sb.requests().is_empty());

    // With --grace both secrets work for now; the table shows each new secret in its block.
    let out = b
        .cmd(&["rotate", "--name", "fleet-*", "--grace", "1h", "--yes"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert_eq!(
        s.matches("New secret: shown only this once").count(),
        3,
        "{s}"
    );
    let secrets: Vec<&str> = s
        .lines()
        .filter_map(|l| l.trim().strip_prefix("client secret: "))
        .collect();
    assert_eq!(secrets.len(), 3);
    // Blocks come in selection order, as the JSON elements did.
    for (item, new) in items.iter().zip(&secrets) {
        let cid = item["client_id"].as_str().expect("cid");
        assert!(b.sb.access_check(cid, new));
        let previous = item["client_secret"].as_str().expect("secret");
        assert!(
            b.sb.access_check(cid, previous),
            "kept during the grace period"
        );
    }
}

#[test]
fn bulk_roll_hands_over_working_values_and_skips_the_own_token() {
    let b = Bulk::new(Noun::Tokens);
    let mut old = Vec::new();
    for i in 0..2 {
        let out = b
            .cmd(&[
                "create",
                "--name",
                &format!("fleet-{i}"),
                "--permission",
                "DNS Read",
                "--json",
            ])
            .output()
            .expect("run");
        old.push(
            stdout_json(&out)["value"]
                .as_str()
                .expect("value")
                .to_owned(),
        );
    }
    let verify = |value: &str| {
        b.sb.api(
            "GET",
            &format!("/accounts/{}/tokens/verify", b.sb.account_id),
            value,
            None,
        )
        .0
    };
    assert!(old.iter().all(|v| verify(v) == 200));
    let file = b.env.path("rolled.json");
    let f = file.to_str().expect("path");
    b.sb.clear_requests();
    let (out, items) = b.run_json(
        &[
            "roll",
            "--name",
            "{fleet-*,tokenctl-sandbox-admin}",
            "--secret-file",
            f,
        ],
        0,
    );
    // One verify for the own token, no per-token read: the list, a verify, two rolls.
    let lines = b.sb.request_lines();
    let mut got = outcomes(&items);
    got.sort();
    assert_eq!(got, ["done", "done", "skipped"]);
    let own = items
        .iter()
        .find(|v| v["name"] == "tokenctl-sandbox-admin")
        .expect("own token selected");
    assert_eq!(own["outcome"], "skipped");
    assert_eq!(
        own["reason"],
        "the profile authenticates with it; name it alone to roll it"
    );
    let rolled: Vec<&Value> = items.iter().filter(|v| v["outcome"] == "done").collect();
    assert_eq!(rolled.len(), 2);
    for r in &rolled {
        let value = r["value"].as_str().expect("value");
        assert_eq!(verify(value), 200, "the new value works");
    }
    assert!(
        old.iter().all(|v| verify(v) != 200),
        "the old values are dead"
    );
    assert_eq!(
        verify(&b.sb.token),
        200,
        "the profile's own token still works"
    );
    assert!(text(&out.stderr).contains("Rolled 2, failed 0, skipped 1."));
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.ends_with("/tokens/verify"))
            .count(),
        1,
        "{lines:?}"
    );
    assert_eq!(
        lines.iter().filter(|l| l.ends_with("/value")).count(),
        2,
        "{lines:?}"
    );
    assert!(
        !lines
            .iter()
            .any(|l| l.starts_with("GET ") && l.contains("/tokens/") && !l.ends_with("/verify")),
        "{lines:?}"
    );
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
    assert_eq!(mode(&file), 0o600);
    let doc = doc.as_array().expect("array");
    assert_eq!(doc.len(), 2);
    for (d, r) in doc.iter().zip(&rolled) {
        assert_eq!(d["id"], r["id"]);
        assert_eq!(d["value"], r["value"]);
    }
    // -o id with a secret file: the IDs alone on stdout.
    let out = b
        .cmd(&[
            "roll",
            "--name",
            "fleet-*",
            "--yes",
            "-o",
            "id",
            "--secret-file",
            f,
            "--force",
        ])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
    let want: Vec<String> = rolled.iter().map(|r| id_of(r)).collect();
    assert_eq!(printed, want);
}

#[test]
fn bulk_output_never_leaks_a_secret_to_stderr() {
    let b = Bulk::new(Noun::ServiceTokens);
    for format in ["json", "ndjson", "table"] {
        let out = b
            .cmd(&[
                "-vvv", "rotate", "--name", "k8s-*", "--grace", "1h", "--yes", "-o", format,
            ])
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", text(&out.stderr));
        let (stdout, err) = (text(&out.stdout), text(&out.stderr));
        let secrets: Vec<String> = match format {
            "table" => stdout
                .lines()
                .filter_map(|l| l.trim().strip_prefix("client secret: ").map(str::to_owned))
                .collect(),
            "json" => stdout_json(&out)
                .as_array()
                .expect("array")
                .iter()
                .map(|v| v["client_secret"].as_str().expect("secret").to_owned())
                .collect(),
            _ => stdout
                .lines()
                .map(|l| {
                    serde_json::from_str::<Value>(l).expect("line")["client_secret"]
                        .as_str()
                        .expect("secret")
                        .to_owned()
                })
                .collect(),
        };
        assert_eq!(secrets.len(), 2, "{format}: {stdout}");
        assert!(err.contains("> POST"), "the trace is on: {err}");
        for s in &secrets {
            assert!(!err.contains(s.as_str()), "{format}: a secret on stderr");
        }
        assert!(!err.contains(&b.sb.token));
    }
    let t = Bulk::new(Noun::Tokens);
    let out = t
        .cmd(&["-vvv", "roll", "--name", "ci-*", "--yes", "-o", "ndjson"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    for l in text(&out.stdout).lines() {
        let v: Value = serde_json::from_str(l).expect("line");
        let value = v["value"].as_str().expect("value");
        assert!(value.starts_with("cfat_") && !err.contains(value));
    }
    assert!(!err.contains(&t.sb.token));
}

#[test]
fn a_closed_stdout_moves_the_new_secrets_to_stderr() {
    use std::process::{Command, Stdio};
    let b = Bulk::new(Noun::ServiceTokens);
    let mut child = Command::new(crate::common::BIN)
        .env_clear()
        .envs(b.env.vars().iter().cloned())
        .args([
            "service-tokens",
            "rotate",
            "--name",
            "k8s-*",
            "--grace",
            "1h",
            "--yes",
            "--json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("the new secrets follow on stderr"), "{err}");
    assert_eq!(err.matches("\"client_secret\": \"").count(), 2, "{err}");
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
