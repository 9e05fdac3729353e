//! `api-tokens` on a Mailtrap profile: what changed since the seed (VENDORS.md) — a create needs
//! a resource, a reset names the new token `<old name> <new id>` and leaves the old one, which
//! keeps its name, in its grace period.

use predicates::prelude::*;
use serde_json::Value;

use crate::common::{Sandbox, TestEnv, stdout_json, text};

const MT: &[&str] = &["--sandbox", "-p", "sandbox-mailtrap", "api-tokens"];
const PF: &[&str] = &["--sandbox", "-p", "sandbox-prefactor", "api-tokens"];

fn json(env: &TestEnv, args: &[&str]) -> Value {
    let out = env
        .cmd()
        .args(MT)
        .args(args)
        .arg("--json")
        .output()
        .expect("run");
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    stdout_json(&out)
}

#[test]
fn mailtrap_create_without_a_resource_is_a_usage_error_and_sends_nothing() {
    let mut env = TestEnv::new();
    let sb = Sandbox::start(&[], &[]);
    let mt = &sb.connections["mailtrap"];
    env.set("MAILTRAP_BASE_URL", mt["base_url"].as_str().expect("url"))
        .set(
            "MAILTRAP_ACCOUNT_ID",
            mt["account_id"].as_str().expect("account"),
        )
        .set("MAILTRAP_API_TOKEN", mt["token"].as_str().expect("token"));
    sb.clear_requests();
    env.cmd()
        .args(["api-tokens", "create", "--name", "no-permissions"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("error: a Mailtrap token needs at least one --resource").and(
                predicate::str::contains("hint: add --resource TYPE:ID:LEVEL"),
            ),
        );
    assert_eq!(sb.request_lines(), Vec::<String>::new(), "nothing was sent");
}

#[test]
fn mailtrap_a_name_shared_after_a_reset_lists_each_match_with_its_expiry() {
    let env = TestEnv::new();
    let resource = "account:1234567:viewer";
    let first = json(&env, &["create", "--name", "dup", "--resource", resource]);
    let reset = json(&env, &["reset", &first["id"].to_string(), "--yes"]);
    assert_eq!(reset["name"], format!("dup {}", reset["id"]).as_str());
    // A new token under the old name: now "dup" is the old one (in its grace period) and this.
    let second = json(&env, &["create", "--name", "dup", "--resource", resource]);
    let listed = json(&env, &["list"]);
    let expiry = |id: &Value| {
        listed
            .as_array()
            .expect("array")
            .iter()
            .find(|t| &t["id"] == id)
            .and_then(|t| t["expires_at"].as_str())
            .expect("an expiry")
            .to_owned()
    };
    let runs: [&[&str]; 2] = [&["get", "dup"], &["reset", "dup", "--yes"]];
    for args in runs {
        let out = env
            .cmd()
            .args(MT)
            .args(args)
            .assert()
            .code(2)
            .get_output()
            .clone();
        let stderr = text(&out.stderr);
        assert!(stderr.contains("2 tokens are named 'dup'"), "{stderr}");
        for t in [&first, &second] {
            let want = format!("{} (expires {})", t["id"], expiry(&t["id"]));
            assert!(stderr.contains(&want), "{want} in {stderr}");
        }
        assert!(
            stderr.contains("hint: name the token by its ID"),
            "{stderr}"
        );
    }
}

#[test]
fn mailtrap_reset_and_its_rules() {
    let env = TestEnv::new();
    let created = json(
        &env,
        &[
            "create",
            "--name",
            "to-reset",
            "--resource",
            "account:1234567:viewer",
        ],
    );
    // Since 2026-08 a new token has an expiry (365 days); it can still be reset.
    assert!(created["expires_at"].is_string(), "{created}");
    let id = created["id"].to_string();
    let out = env
        .cmd()
        .args(MT)
        .args(["reset", &id, "--yes", "--json"])
        .assert()
        .success()
        .stderr(predicate::str::contains("grace period"))
        .get_output()
        .clone();
    let reset = stdout_json(&out);
    let new = reset["token"].as_str().expect("token");
    assert_ne!(new, created["token"].as_str().expect("old"));
    // Mailtrap names the new token `<old name> <new id>`; the output names it and its ID.
    let new_id = reset["id"].to_string();
    let new_name = format!("to-reset {new_id}");
    assert_eq!(reset["name"], new_name.as_str());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("'{new_name}' (ID {new_id})")),
        "{stderr}"
    );
    // The old token, now in its grace period, is refused by Mailtrap: its reason, a hint, exit 6.
    let out = env
        .cmd()
        .args(MT)
        .args(["reset", &id, "--yes"])
        .assert()
        .code(6)
        .get_output()
        .clone();
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].starts_with("error: ") && lines[0].contains("already been reset"),
        "{stderr}"
    );
    assert!(
        lines[1].starts_with("hint: ") && lines[1].contains("'to-reset <ID>'"),
        "{stderr}"
    );
    // Prefactor has no reset.
    env.cmd()
        .args(PF)
        .args(["reset", "0123456789abcdefghijklmnopqrstuv", "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a mailtrap verb"));
}
