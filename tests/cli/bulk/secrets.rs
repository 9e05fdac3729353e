//! Bulk roll and rotate: new secrets that work while the old ones do not, the secret file, a
//! closed stdout, and no secret on stderr.

use predicates::prelude::*;
use serde_json::Value;

use super::{Bulk, Noun, id_of, outcomes};
use crate::common::{mode, stdout_json, text};

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
    // The file lists them in selection order; stdout as they arrived.
    for d in doc {
        let item = items
            .iter()
            .find(|i| i["id"] == d["id"])
            .expect("the file and stdout name the same tokens");
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
    let cids: Vec<&str> = s
        .lines()
        .filter_map(|l| l.trim().strip_prefix("client id: "))
        .collect();
    let secrets: Vec<&str> = s
        .lines()
        .filter_map(|l| l.trim().strip_prefix("client secret: "))
        .collect();
    assert_eq!(secrets.len(), 3);
    assert_eq!(cids.len(), 3, "{s}");
    // Blocks come as the new secrets arrive; each names its client ID.
    for (cid, new) in cids.iter().zip(&secrets) {
        let item = items
            .iter()
            .find(|i| i["client_id"] == *cid)
            .expect("a rotated client ID");
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
    for d in doc {
        let r = rolled
            .iter()
            .find(|r| r["id"] == d["id"])
            .expect("the file and stdout name the same tokens");
        assert_eq!(d["value"], r["value"]);
    }
    // -o id: each ID followed by its new value, as the single verb prints them, so no secret
    // depends on the file written at the end.
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
    // In the order the new values arrived; each value is the one the file got.
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2 * rolled.len(), "{stdout}");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
    let mut printed = Vec::new();
    for pair in lines.chunks(2) {
        let d = doc
            .as_array()
            .expect("array")
            .iter()
            .find(|d| d["id"] == pair[0])
            .expect("an ID of the file");
        assert_eq!(d["value"], pair[1]);
        assert_eq!(verify(pair[1]), 200, "the printed value works");
        printed.push(pair[0].to_owned());
    }
    let mut want: Vec<String> = rolled.iter().map(|r| id_of(r)).collect();
    printed.sort();
    want.sort();
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
