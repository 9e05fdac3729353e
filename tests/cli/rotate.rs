//! `rotate`: a new token handed over and verified before the old one is retired
//! (`tokens rotate`, `api-tokens rotate` on Mailtrap, `service-tokens rotate --verify`).

use jiff::{SignedDuration, Timestamp};
use predicates::prelude::*;
use serde_json::{Value, json};

use crate::common::{Sandbox, TestEnv, stdout_json, text};
use crate::support::keyring::KeyringSession;

const NAME: &str = "ci-deploy-prod";

/// A token as the API shows it (with the sandbox's admin token).
pub fn token(sb: &Sandbox, id: &str) -> (u16, Value) {
    let (status, v) = sb.api(
        "GET",
        &format!("/accounts/{}/tokens/{id}", sb.account_id),
        &sb.token,
        None,
    );
    (status, v["result"].clone())
}

/// Policies without the IDs the API gives each one.
fn policies(t: &Value) -> Value {
    let mut p = t["policies"].clone();
    for one in p.as_array_mut().expect("policies") {
        one.as_object_mut().expect("policy").remove("id");
    }
    p
}

fn rotate(env: &TestEnv, extra: &[&str]) -> std::process::Output {
    env.cmd()
        .args(["tokens", "rotate", NAME, "--yes", "--json"])
        .args(extra)
        .output()
        .expect("run")
}

/// True when Cloudflare's verify endpoint accepts `secret` as an active token.
pub fn verifies(sb: &Sandbox, secret: &str) -> bool {
    let (status, v) = sb.api(
        "GET",
        &format!("/accounts/{}/tokens/verify", sb.account_id),
        secret,
        None,
    );
    status == 200 && v["result"]["status"] == "active"
}

/// Changes the sandbox saw to token `id` (anything but a GET).
fn changes_to(sb: &Sandbox, id: &str) -> Vec<String> {
    sb.request_lines()
        .into_iter()
        .filter(|l| !l.starts_with("GET ") && l.contains(id))
        .collect()
}

#[test]
fn tokens_rotate_copies_the_token_and_expires_the_old_one_after_the_grace() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let old_id = sb.token_id(NAME);
    let (_, old) = token(&sb, &old_id);
    let before = Timestamp::now();
    let out = rotate(&env, &["--grace", "2h", "--verify"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = stdout_json(&out);
    let new_id = v["id"].as_str().expect("id");
    assert_ne!(new_id, old_id);
    assert_eq!(v["replaces"], old_id.as_str());
    assert_eq!(v["name"], NAME);
    let (_, new) = token(&sb, new_id);
    assert_eq!(new["name"], NAME);
    assert_eq!(policies(&new), policies(&old));
    assert_eq!(new["condition"], old["condition"]);
    assert_eq!(new["not_before"], old["not_before"]);
    assert_eq!(new["expires_on"], old["expires_on"]);
    assert!(verifies(&sb, v["value"].as_str().expect("value")));

    let (status, old_after) = token(&sb, &old_id);
    assert_eq!(status, 200, "the old token still exists during the grace");
    let until: Timestamp = old_after["expires_on"]
        .as_str()
        .expect("the old token now expires")
        .parse()
        .expect("timestamp");
    let want = before + SignedDuration::from_hours(2);
    assert!(
        until.duration_since(want).abs() < SignedDuration::from_secs(120),
        "expires {until}, want about {want}"
    );
    assert!(text(&out.stderr).contains("keeps working until"));
}

#[test]
fn tokens_rotate_with_grace_0_deletes_the_old_token() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let old_id = sb.token_id(NAME);
    let out = rotate(&env, &["--grace", "0"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (status, _) = token(&sb, &old_id);
    assert_eq!(status, 404, "the old token is gone");
    let new_id = stdout_json(&out)["id"].as_str().expect("id").to_owned();
    assert_eq!(token(&sb, &new_id).0, 200);
}

#[test]
fn a_failed_verify_leaves_the_old_token_untouched() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let old_id = sb.token_id(NAME);
    let (_, old) = token(&sb, &old_id);
    sb.fault(json!({
        "status": 403,
        "method": "GET",
        "path_prefix": format!("/client/v4/accounts/{}/tokens/verify", sb.account_id),
        "times": 2,
    }));
    sb.clear_requests();
    let out = rotate(&env, &["--verify"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("still works"), "{err}");
    let v = stdout_json(&out);
    assert!(
        v["value"].as_str().is_some(),
        "the new secret is still printed"
    );
    assert!(
        changes_to(&sb, &old_id).is_empty(),
        "{:?}",
        sb.request_lines()
    );
    let (status, after) = token(&sb, &old_id);
    assert_eq!(status, 200);
    assert_eq!(after["expires_on"], old["expires_on"]);
    assert_eq!(after["status"], "active");
}

#[test]
fn a_failed_delivery_leaves_the_old_token_untouched() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let old_id = sb.token_id(NAME);
    let (_, old) = token(&sb, &old_id);
    sb.clear_requests();
    let out = rotate(&env, &["--deliver", "exec:false"]);
    assert!(!out.status.success());
    assert!(stdout_json(&out)["value"].as_str().is_some());
    assert!(
        changes_to(&sb, &old_id).is_empty(),
        "{:?}",
        sb.request_lines()
    );
    let (_, after) = token(&sb, &old_id);
    assert_eq!(after["expires_on"], old["expires_on"]);
}

#[test]
fn rotating_the_profiles_own_token_updates_the_keyring() {
    let keyring = KeyringSession::start();
    let mut env = TestEnv::new();
    env.set_all(&keyring.env());
    let sb = Sandbox::start(&[], &[]);
    env.cmd()
        .args([
            "profile",
            "add",
            "prod",
            "--vendor",
            "cloudflare",
            "--account",
            &sb.account_id,
            "--base-url",
            &sb.base_url,
        ])
        .assert()
        .success();
    env.cmd()
        .args(["auth", "login", "-p", "prod", "--with-token"])
        .write_stdin(sb.token.clone())
        .assert()
        .success();
    let out = env
        .cmd()
        .args([
            "-p",
            "prod",
            "tokens",
            "rotate",
            "tokenctl-sandbox-admin",
            "--grace",
            "0",
            "--verify",
            "--yes",
            "--json",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("Updated the stored credential"))
        .get_output()
        .clone();
    let new = stdout_json(&out)["value"]
        .as_str()
        .expect("value")
        .to_owned();
    assert_eq!(
        keyring.lookup("tokenctl", "prod").as_deref(),
        Some(new.as_str())
    );
    assert!(!verifies(&sb, &sb.token), "the old token was deleted");
    env.cmd()
        .args(["-p", "prod", "tokens", "verify"])
        .assert()
        .success();
}

#[test]
fn tokens_rotate_bad_input_is_exit_2_with_no_request() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    sb.clear_requests();
    let cases: [(&[&str], &str); 6] = [
        (&[NAME, "--yes", "--grace", "5x"], "unknown unit"),
        (&[NAME, "--yes", "--grace=-1h"], "--grace"),
        (&["--yes"], "<TOKEN>"),
        (&[NAME, "--yes", "--deliver", "nope:x"], "nope"),
        (&[NAME, "--yes", "--all"], "'--all'"),
        // Off a terminal, without --yes: nobody to confirm.
        (&[NAME], "rotating token"),
    ];
    for (args, says) in cases {
        env.cmd()
            .args(["tokens", "rotate"])
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says));
    }
    assert!(sb.request_lines().is_empty(), "{:?}", sb.request_lines());
}

#[test]
fn mailtrap_rotate_resets_delivers_and_verifies() {
    let env = TestEnv::new();
    let mt = ["--sandbox", "-p", "sandbox-mailtrap", "api-tokens"];
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("new.token");
    let created = env
        .cmd()
        .args(mt)
        .args(["create", "--name", "to-rotate", "--resource"])
        .args(["account:1234567:viewer", "--json"])
        .output()
        .expect("create");
    let old_id = stdout_json(&created)["id"].to_string();
    let out = env
        .cmd()
        .args(mt)
        .args(["rotate", &old_id, "--verify", "--yes", "--json"])
        .args(["--deliver", &format!("file:{}", file.display())])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = stdout_json(&out);
    let secret = v["token"].as_str().expect("token");
    assert!(
        std::fs::read_to_string(&file)
            .expect("delivered")
            .contains(secret)
    );
    let err = text(&out.stderr);
    assert!(err.contains("Verified"), "{err}");
    assert!(err.contains("12 hours"), "{err}");
    assert_ne!(v["id"].to_string(), old_id);
    // The old token is in its grace period: still there.
    env.cmd().args(mt).args(["get", &old_id]).assert().success();
}

#[test]
fn service_tokens_rotate_verify_says_it_cannot() {
    let mut env = TestEnv::new();
    let _sb = env.sandbox();
    let out = env
        .cmd()
        .args(["service-tokens", "list", "--json"])
        .output()
        .expect("list");
    let first = stdout_json(&out)[0]["id"]
        .as_str()
        .expect("a seeded service token")
        .to_owned();
    let out = env
        .cmd()
        .args([
            "service-tokens",
            "rotate",
            &first,
            "--grace",
            "1h",
            "--verify",
            "--json",
        ])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert_eq!(
        err.matches("cannot verify a service token").count(),
        1,
        "{err}"
    );
}

#[test]
fn prefactor_rotate_with_grace_0_clones_verifies_and_revokes_the_old_token() {
    let env = TestEnv::new();
    let pf = ["--sandbox", "-p", "sandbox-prefactor", "api-tokens"];
    let created = env
        .cmd()
        .args(pf)
        .args(["create", "--scope", "account", "--expires", "90d", "--json"])
        .output()
        .expect("create");
    assert!(created.status.success(), "{}", text(&created.stderr));
    let old = stdout_json(&created)["details"].clone();
    let old_id = old["id"].as_str().expect("id");
    let out = env
        .cmd()
        .args(pf)
        .args([
            "rotate", old_id, "--grace", "0", "--verify", "--yes", "--json",
        ])
        .output()
        .expect("rotate");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let new = stdout_json(&out)["details"].clone();
    assert_ne!(new["id"], old["id"]);
    for field in ["token_scope", "account_id", "expires_at"] {
        assert_eq!(new[field], old[field], "{field}");
    }
    assert!(text(&out.stderr).contains("Verified"));
    let after = env
        .cmd()
        .args(pf)
        .args(["get", old_id, "--json"])
        .output()
        .expect("get");
    assert_eq!(stdout_json(&after)["status"], "revoked");
}

#[test]
fn a_mailtrap_grace_is_refused_before_any_request() {
    let sb = Sandbox::start(&[], &[]);
    let mailtrap = sb.vendor_env("mailtrap");
    sb.clear_requests();
    mailtrap
        .cmd()
        .args(["api-tokens", "rotate", "x", "--grace", "1h", "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("12 hours"));
    assert!(sb.request_lines().is_empty(), "{:?}", sb.request_lines());
}

#[test]
fn mosquitto_rotate_with_grace_0_clones_verifies_and_deletes_the_old_token() {
    let env = TestEnv::new();
    let mq = ["--sandbox", "-p", "sandbox-mosquitto", "project-tokens"];
    let created = env
        .cmd()
        .args(mq)
        .args([
            "create", "--name", "rot-me", "--role", "viewer", "--broker", "b1",
        ])
        .args(["--valid-until", "90d", "--json"])
        .output()
        .expect("create");
    assert!(created.status.success(), "{}", text(&created.stderr));
    let old = stdout_json(&created);
    let out = env
        .cmd()
        .args(mq)
        .args([
            "rotate", "rot-me", "--grace", "0", "--verify", "--yes", "--json",
        ])
        .output()
        .expect("rotate");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let new = stdout_json(&out);
    assert_ne!(new["id"], old["id"]);
    for field in ["name", "role_id", "brokers", "type", "valid_date"] {
        assert_eq!(new[field], old[field], "{field}");
    }
    assert!(text(&out.stderr).contains("Verified"));
    let list = env
        .cmd()
        .args(mq)
        .args(["list", "--json"])
        .output()
        .expect("list");
    let ids: Vec<Value> = stdout_json(&list)
        .as_array()
        .expect("array")
        .iter()
        .map(|t| t["id"].clone())
        .collect();
    assert!(ids.contains(&new["id"]));
    assert!(!ids.contains(&old["id"]), "the old token is deleted");
}

#[test]
fn mosquitto_rotate_of_the_profiles_own_token_says_its_credential_changed() {
    let sb = Sandbox::start(&[], &[]);
    let project = sb.connections["mosquitto"]["project_id"]
        .as_str()
        .expect("project");
    let mut env = sb.vendor_env("mosquitto");
    let created = env
        .cmd()
        .args(["project-tokens", "create", "--project", project])
        .args(["--name", "me", "--role", "admin", "--json"])
        .output()
        .expect("create");
    assert!(created.status.success(), "{}", text(&created.stderr));
    let mine = stdout_json(&created)["token"]
        .as_str()
        .expect("token")
        .to_owned();
    env.set("MOSQUITTO_API_TOKEN", &mine);
    let out = env
        .cmd()
        .args(["project-tokens", "rotate", "me", "--project", project])
        .args(["--grace", "0", "--yes", "--json"])
        .output()
        .expect("rotate");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("MOSQUITTO_API_TOKEN was replaced"),
        "the profile's own token was rotated: {err}"
    );
}

#[test]
fn an_expired_token_is_not_rotated_into_a_dead_copy() {
    let mut env = TestEnv::new();
    let _sb = env.sandbox();
    let all = stdout_json(
        &env.cmd()
            .args(["tokens", "list", "--include-expired", "--json"])
            .output()
            .expect("run"),
    );
    let all = all.as_array().expect("array").clone();
    let now = Timestamp::now();
    let expired = all
        .iter()
        .find(|t| {
            t["expires_on"]
                .as_str()
                .and_then(|s| s.parse::<Timestamp>().ok())
                .is_some_and(|at| at <= now)
        })
        .expect("the sandbox seeds an expired token");
    let id = expired["id"].as_str().expect("id");
    env.cmd()
        .args(["tokens", "rotate", id, "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("a copy would be expired too"));
    let after = stdout_json(
        &env.cmd()
            .args(["tokens", "list", "--include-expired", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(
        after.as_array().expect("array").len(),
        all.len(),
        "nothing was created"
    );
}

/// The subject of a JWT (a Prefactor token's ID).
fn jwt_subject(jwt: &str) -> String {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import base64, json, sys; p = sys.argv[1].split('.')[1]; print(json.loads(base64.urlsafe_b64decode(p + '=' * (-len(p) % 4)))['sub'], end='')",
            jwt,
        ])
        .output()
        .expect("python3");
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn rotating_a_sandbox_profiles_own_prefactor_or_mailtrap_token_keeps_it_signed_in() {
    let env = TestEnv::new();
    let token = |profile: &str| {
        let out = env
            .cmd()
            .args(["--sandbox", "auth", "token", "-p", profile])
            .output()
            .expect("auth token");
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout).trim().to_owned()
    };
    let old_pf = token("sandbox-prefactor");
    let own = jwt_subject(&old_pf);
    let pf = ["--sandbox", "-p", "sandbox-prefactor", "api-tokens"];
    env.cmd()
        .args(pf)
        .args([
            "rotate", &own, "--grace", "0", "--verify", "--yes", "--json",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("signs in with the new token"));
    assert_ne!(token("sandbox-prefactor"), old_pf, "the new token is kept");
    env.cmd().args(pf).arg("list").assert().success();
    let got = env
        .cmd()
        .args(pf)
        .args(["get", &own, "--json"])
        .output()
        .expect("get");
    assert_eq!(
        stdout_json(&got)["status"],
        "revoked",
        "the old one was revoked"
    );

    let old_mt = token("sandbox-mailtrap");
    let mt = ["--sandbox", "-p", "sandbox-mailtrap", "api-tokens"];
    env.cmd()
        .args(mt)
        .args([
            "rotate",
            "tokenctl-sandbox-admin",
            "--verify",
            "--yes",
            "--json",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("signs in with the new token"));
    assert_ne!(token("sandbox-mailtrap"), old_mt, "the new token is kept");
    env.cmd().args(mt).arg("list").assert().success();
}

#[test]
fn tokens_rotate_copies_a_condition_a_not_before_and_an_expiry() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let out = env
        .cmd()
        .args([
            "tokens",
            "create",
            "--name",
            "fenced",
            "--permission",
            "DNS Read",
        ])
        .args(["--resource", "zones", "--allow-ip", "192.0.2.0/24"])
        .args(["--deny-ip", "192.0.2.7/32", "--not-before", "2026-01-01"])
        .args(["--expires", "30d", "--json"])
        .output()
        .expect("create");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let old_id = stdout_json(&out)["id"].as_str().expect("id").to_owned();
    let (_, old) = token(&sb, &old_id);
    assert!(old["condition"]["request_ip"]["in"].is_array(), "{old}");
    assert!(
        old["not_before"].is_string() && old["expires_on"].is_string(),
        "{old}"
    );
    let out = env
        .cmd()
        .args(["tokens", "rotate", &old_id, "--yes", "--json"])
        .output()
        .expect("rotate");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (_, new) = token(&sb, stdout_json(&out)["id"].as_str().expect("id"));
    for field in ["condition", "not_before", "expires_on", "name"] {
        assert_eq!(new[field], old[field], "{field}");
    }
    assert_eq!(policies(&new), policies(&old));
}

#[test]
fn prefactor_rotate_clones_an_agent_deployment_token_whole() {
    let env = TestEnv::new();
    let pf = ["--sandbox", "-p", "sandbox-prefactor", "api-tokens"];
    let listed = env
        .cmd()
        .args(pf)
        .args(["list", "--json"])
        .output()
        .expect("list");
    let old = stdout_json(&listed)
        .as_array()
        .expect("array")
        .iter()
        .find(|t| t["token_scope"] == "agent_deployment" && t["status"] == "active")
        .expect("the sandbox seeds an active agent deployment token")
        .clone();
    let old_id = old["id"].as_str().expect("id");
    let out = env
        .cmd()
        .args(pf)
        .args(["rotate", old_id, "--grace", "1h", "--yes", "--json"])
        .output()
        .expect("rotate");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let new = stdout_json(&out)["details"].clone();
    assert_ne!(new["id"], old["id"]);
    for field in [
        "token_scope",
        "account_id",
        "environment_id",
        "agent_id",
        "expires_at",
    ] {
        assert!(
            !old[field].is_null() || field == "expires_at",
            "{field}: {old}"
        );
        assert_eq!(new[field], old[field], "{field}");
    }
}
