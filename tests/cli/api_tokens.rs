//! `api-tokens` on Mailtrap and Prefactor profiles, through the sandbox's ready-made profiles.

use predicates::prelude::*;
use serde_json::Value;

use crate::common::{Sandbox, TestEnv, mode, stdout_json, text};

const MT: &[&str] = &["--sandbox", "-p", "sandbox-mailtrap", "api-tokens"];
const PF: &[&str] = &["--sandbox", "-p", "sandbox-prefactor", "api-tokens"];

fn json(env: &TestEnv, base: &[&str], args: &[&str]) -> Value {
    let out = env
        .cmd()
        .args(base)
        .args(args)
        .arg("--json")
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{:?} {args:?}: {}",
        base,
        text(&out.stderr)
    );
    stdout_json(&out)
}

#[test]
fn without_a_profile_two_fit() {
    let env = TestEnv::new();
    env.cmd()
        .args(["--sandbox", "api-tokens", "list"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("sandbox-mailtrap")
                .and(predicate::str::contains("sandbox-prefactor")),
        );
}

#[test]
fn mailtrap_list_get_create_delete() {
    let env = TestEnv::new();
    let all = json(&env, MT, &["list"]);
    let all = all.as_array().expect("array");
    assert!(all.len() >= 5);
    assert!(
        all.iter()
            .all(|t| t.get("token").is_none() && t["last_4_digits"].is_string())
    );
    let out = env
        .cmd()
        .args(MT)
        .arg("list")
        .assert()
        .success()
        .get_output()
        .clone();
    let header = text(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    for h in ["NAME", "ID", "LAST 4", "CREATED BY", "EXPIRES"] {
        assert!(header.contains(h), "{header}");
    }
    let first = &all[0];
    let by_id = json(&env, MT, &["get", &first["id"].to_string()]);
    assert_eq!(by_id["name"], first["name"]);
    let by_name = json(&env, MT, &["get", first["name"].as_str().expect("name")]);
    assert_eq!(by_name["id"], first["id"]);
    env.cmd()
        .args(MT)
        .args(["get", "shared-mailtrap"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("2 tokens are named"));
    env.cmd()
        .args(MT)
        .args(["get", "999999999"])
        .assert()
        .code(5);

    let file = env.path("mt.token");
    let created = json(
        &env,
        MT,
        &[
            "create",
            "--name",
            "ci-sender",
            "--resource",
            "account:1234567:viewer",
            "--secret-file",
            file.to_str().expect("path"),
        ],
    );
    let value = created["token"].as_str().expect("token").to_owned();
    assert_eq!(created["name"], "ci-sender");
    assert_eq!(std::fs::read_to_string(&file).expect("file").trim(), value);
    assert_eq!(mode(&file), 0o600);
    assert!(value.ends_with(created["last_4_digits"].as_str().expect("last4")));
    let id = created["id"].to_string();
    env.cmd()
        .args(MT)
        .args(["delete", &id])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));
    env.cmd()
        .args(MT)
        .args(["delete", &id, "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains("Deleted token"));
    env.cmd().args(MT).args(["get", &id]).assert().code(5);
}

#[test]
fn mailtrap_bad_input_and_errors() {
    let env = TestEnv::new();
    for args in [
        vec!["create"],
        vec!["create", "--name", "x", "--resource", "project:12"],
        vec!["create", "--name", "x", "--resource", "galaxy:1:admin"],
        vec!["create", "--name", "x", "--resource", "project:1:owner"],
        vec!["create", "--name", "x", "--scope", "account"],
        vec!["suspend", "1"],
    ] {
        env.cmd().args(MT).args(&args).assert().code(2);
    }
    // Mailtrap's 422 `{"errors": {...}}` becomes one line and exit 6.
    env.cmd()
        .args(MT)
        .args(["create", "--name", "x", "--resource", "project:1:viewer"])
        .assert()
        .code(6)
        .stderr(predicate::str::contains("HTTP 422"));
    env.cmd()
        .args(MT)
        .args(["create", "--name", "   "])
        .assert()
        .code(2);
    // The vendor's own error shapes become one line and the right exit code.
    let mut env = TestEnv::new();
    let sb = Sandbox::start(&[], &[]);
    let mt = &sb.connections["mailtrap"];
    env.set("MAILTRAP_BASE_URL", mt["base_url"].as_str().expect("url"))
        .set(
            "MAILTRAP_ACCOUNT_ID",
            mt["account_id"].as_str().expect("account"),
        )
        .set("MAILTRAP_API_TOKEN", "wrong");
    env.cmd()
        .args(["api-tokens", "list"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("Incorrect API token"));
    env.set("MAILTRAP_API_TOKEN", mt["token"].as_str().expect("token"));
    env.cmd()
        .args(["api-tokens", "list", "-o", "id"])
        .assert()
        .success();
    env.set("MAILTRAP_ACCOUNT_ID", "42");
    env.cmd()
        .args(["api-tokens", "list"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("forbidden"));
}

#[test]
fn prefactor_lifecycle() {
    let env = TestEnv::new();
    let all = json(&env, PF, &["list"]);
    assert!(all.as_array().expect("array").len() > 25, "several pages");
    let created = json(
        &env,
        PF,
        &["create", "--scope", "account", "--expires", "30d"],
    );
    let jwt = created["token"].as_str().expect("token");
    assert!(jwt.contains('.'));
    let id = created["details"]["id"].as_str().expect("id").to_owned();
    let listed = json(&env, PF, &["list"]);
    assert!(
        listed
            .as_array()
            .expect("array")
            .iter()
            .any(|t| t["id"] == id.as_str())
    );

    // delete needs a revoked token; refused without sending.
    env.cmd()
        .args(PF)
        .args(["delete", &id, "--yes"])
        .assert()
        .code(6)
        .stderr(predicate::str::contains("allowed:"));
    env.cmd()
        .args(PF)
        .args(["activate", &id])
        .assert()
        .code(6)
        .stderr(predicate::str::contains("activate is not allowed"));
    assert_eq!(json(&env, PF, &["suspend", &id])["status"], "suspended");
    assert_eq!(json(&env, PF, &["activate", &id])["status"], "active");
    env.cmd()
        .args(PF)
        .args(["revoke", &id])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));
    assert_eq!(
        json(&env, PF, &["revoke", &id, "--yes"])["status"],
        "revoked"
    );
    env.cmd().args(PF).args(["suspend", &id]).assert().code(6);
    env.cmd()
        .args(PF)
        .args(["delete", &id, "--yes"])
        .assert()
        .success();
    env.cmd().args(PF).args(["get", &id]).assert().code(5);
}

#[test]
fn prefactor_bad_input() {
    let env = TestEnv::new();
    for args in [
        vec!["create"],
        vec!["create", "--scope", "environment"],
        vec!["create", "--scope", "galaxy"],
        vec!["create", "--scope", "account", "--expires", "2001-01-01"],
        vec!["create", "--scope", "account", "--account", "NOT-AN-ID"],
        vec!["create", "--scope", "account", "--name", "x"],
        vec!["get", "some-name"],
    ] {
        env.cmd().args(PF).args(&args).assert().code(2);
    }
    env.cmd()
        .args(PF)
        .args(["get", "0123456789abcdefghijklmnopqrstuv"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("not_found").or(predicate::str::contains("not found")));
}

#[test]
fn sandbox_auth_status_shows_every_vendor() {
    let env = TestEnv::new();
    let status = stdout_json(
        &env.cmd()
            .args(["--sandbox", "auth", "status", "--json"])
            .output()
            .expect("run"),
    );
    let names: Vec<&str> = status
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["profile"].as_str())
        .collect();
    for p in [
        "sandbox-cloudflare",
        "sandbox-mailtrap",
        "sandbox-prefactor",
        "sandbox-mosquitto",
    ] {
        assert!(names.contains(&p), "{names:?}");
    }
    assert!(
        status
            .as_array()
            .expect("array")
            .iter()
            .all(|r| r["status"] == "ok"),
        "{status}"
    );
}

#[test]
fn prefactor_lists_every_page_and_maps_its_errors() {
    let mut env = TestEnv::new();
    let sb = Sandbox::start(&[], &[]);
    let pf = &sb.connections["prefactor"];
    env.set("PREFACTOR_BASE_URL", pf["base_url"].as_str().expect("url"))
        .set("PREFACTOR_API_TOKEN", pf["token"].as_str().expect("token"));
    sb.clear_requests();
    let out = env
        .cmd()
        .args(["api-tokens", "list", "--json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let listed = stdout_json(&out).as_array().expect("array").len();
    let pages: Vec<String> = sb
        .requests()
        .iter()
        .filter_map(|r| r["query"].as_str().map(str::to_owned))
        .collect();
    assert!(pages.len() >= 2, "several pages: {pages:?}");
    assert!(
        pages[0].contains("offset%5D=0") || pages[0].contains("offset]=0"),
        "{pages:?}"
    );
    let mut ids: Vec<String> = stdout_json(&out)
        .as_array()
        .expect("array")
        .iter()
        .map(|t| t["id"].to_string())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), listed, "no token twice");
    let out = env
        .cmd()
        .args(["api-tokens", "list"])
        .assert()
        .success()
        .get_output()
        .clone();
    let header = text(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(
        header.contains("SCOPE") && header.contains("STATUS"),
        "{header}"
    );
    // A validation failure (`validation_errors`) is exit 6 with the vendor's message.
    env.cmd()
        .args([
            "api-tokens",
            "create",
            "--scope",
            "environment",
            "--environment",
            "0000000000000000000000000000000a",
        ])
        .assert()
        .code(6)
        .stderr(predicate::str::contains("validation_errors"));
    env.set("PREFACTOR_API_TOKEN", "wrong");
    env.cmd()
        .args(["api-tokens", "list"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("not_authenticated"));
}

mod mailtrap;
mod prefactor;
