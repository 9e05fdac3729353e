//! `service-tokens`: every verb against the sandbox, table and JSON, secrets handed off safely.

use predicates::prelude::*;
use serde_json::Value;

use crate::common::{TestEnv, mode, stdout_json, text};

fn list(env: &TestEnv, extra: &[&str]) -> Vec<Value> {
    let out = env
        .cmd()
        .args(["service-tokens", "list", "--json"])
        .args(extra)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    stdout_json(&out).as_array().expect("array").clone()
}

fn ts(v: &Value) -> jiff::Timestamp {
    v.as_str().expect("timestamp").parse().expect("rfc3339")
}

#[test]
fn list_table_json_and_filters() {
    let mut env = TestEnv::new();
    let _sb = env.sandbox();
    let all = list(&env, &[]);
    assert!(all.len() >= 20);
    assert!(all.iter().all(|t| t.get("client_secret").is_none()));
    let now = jiff::Timestamp::now();
    let week = now
        .checked_add(jiff::SignedDuration::from_hours(24 * 7))
        .expect("ts");
    let expiring = list(&env, &["--expiring-within", "7d"]);
    assert!(!expiring.is_empty());
    assert!(
        expiring
            .iter()
            .all(|t| ts(&t["expires_at"]) > now && ts(&t["expires_at"]) <= week)
    );
    let expired = list(&env, &["--expired"]);
    assert!(!expired.is_empty() && expired.iter().all(|t| ts(&t["expires_at"]) <= now));
    let named = list(&env, &["--name", "deploy-bot"]);
    assert_eq!(named.len(), 1);
    let searched = list(&env, &["--search", "deploy"]);
    assert!(
        !searched.is_empty()
            && searched
                .iter()
                .all(|t| t["name"].as_str().expect("name").contains("deploy"))
    );

    let out = env
        .cmd()
        .args(["service-tokens", "list"])
        .assert()
        .success()
        .get_output()
        .clone();
    let s = text(&out.stdout);
    let header = s.lines().next().expect("header");
    for h in ["NAME", "ID", "CLIENT ID", "EXPIRES", "LAST SEEN"] {
        assert!(header.contains(h), "{header}");
    }
    let out = env
        .tty_cmd()
        .args(["service-tokens", "list", "--expiring-within", "7d"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(
        text(&out.stdout).contains("in "),
        "relative expiry on a terminal"
    );
    env.cmd()
        .args(["service-tokens", "list", "--expiring-within", "soon"])
        .assert()
        .code(2);
}

#[test]
fn get_by_name_id_ambiguous_unknown() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let t = stdout_json(
        &env.cmd()
            .args(["service-tokens", "get", "deploy-bot", "--json"])
            .output()
            .expect("run"),
    );
    let id = t["id"].as_str().expect("id").to_owned();
    let by_id = stdout_json(
        &env.cmd()
            .args(["service-tokens", "get", &id, "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(by_id["name"], "deploy-bot");
    env.cmd()
        .args(["service-tokens", "get", "deploy-bot"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Client ID").and(predicate::str::contains("Duration")));
    env.cmd()
        .args(["service-tokens", "get", "shared-service"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "2 service tokens are named 'shared-service'",
        ));
    sb.clear_requests();
    env.cmd()
        .args([
            "service-tokens",
            "get",
            "00000000-0000-4000-8000-000000000000",
        ])
        .assert()
        .code(5);
    env.cmd()
        .args(["service-tokens", "get", "nobody"])
        .assert()
        .code(5);
}

#[test]
fn create_shows_the_secret_once_and_it_works() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let out = env
        .cmd()
        .args([
            "service-tokens",
            "create",
            "--name",
            "ci-new",
            "--duration",
            "30d",
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let t = stdout_json(&out);
    let (client_id, secret) = (
        t["client_id"].as_str().expect("cid"),
        t["client_secret"].as_str().expect("secret"),
    );
    assert_eq!(t["duration"], "720h", "30d is sent in the API's form");
    assert!(sb.access_check(client_id, secret));
    let got = env
        .cmd()
        .args(["service-tokens", "get", "ci-new", "--json"])
        .output()
        .expect("run");
    assert!(!text(&got.stdout).contains(secret));

    let t = stdout_json(
        &env.cmd()
            .args([
                "service-tokens",
                "create",
                "--name",
                "default-dur",
                "--json",
            ])
            .output()
            .expect("run"),
    );
    assert_eq!(t["duration"], "8760h");
    let t = stdout_json(
        &env.cmd()
            .args([
                "service-tokens",
                "create",
                "--name",
                "never",
                "--duration",
                "forever",
                "--json",
            ])
            .output()
            .expect("run"),
    );
    assert_eq!(t["duration"], "forever");
    env.cmd()
        .args(["service-tokens", "create", "--name", "table"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("New secret").and(predicate::str::contains("client secret: ")),
        );
}

#[test]
fn create_env_output_and_secret_file() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let out = env
        .cmd()
        .args(["service-tokens", "create", "--name", "envy", "-o", "env"])
        .assert()
        .success()
        .get_output()
        .clone();
    let s = text(&out.stdout);
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines.len(), 2, "{s}");
    let id = lines[0]
        .strip_prefix("CF_ACCESS_CLIENT_ID=")
        .expect("id line");
    let secret = lines[1]
        .strip_prefix("CF_ACCESS_CLIENT_SECRET=")
        .expect("secret line");
    assert!(sb.access_check(id, secret));

    let file = env.path("svc.json");
    let f = file.to_str().expect("path");
    let out = env
        .cmd()
        .args([
            "service-tokens",
            "create",
            "--name",
            "filed",
            "--secret-file",
            f,
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let t = stdout_json(&out);
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
    assert_eq!(saved["client_id"], t["client_id"]);
    assert_eq!(saved["client_secret"], t["client_secret"]);
    assert_eq!(mode(&file), 0o600);
    sb.clear_requests();
    env.cmd()
        .args([
            "service-tokens",
            "create",
            "--name",
            "filed-2",
            "--secret-file",
            f,
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    assert!(sb.requests().is_empty());
    // -o env belongs to commands that issue client credentials only.
    env.cmd()
        .args(["service-tokens", "list", "-o", "env"])
        .assert()
        .code(2);
    env.cmd()
        .args([
            "tokens",
            "create",
            "--name",
            "x",
            "--permission",
            "DNS Read",
            "-o",
            "env",
        ])
        .assert()
        .code(2);
    assert!(sb.requests().is_empty());
}

#[test]
fn bad_input_sends_nothing() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    sb.clear_requests();
    for args in [
        vec!["create", "--name", "x", "--duration", "10y"],
        vec!["create", "--name", "x", "--duration", "30"],
        vec!["create", "--name", "x", "--duration", "0h"],
        vec!["create", "--name", ""],
        vec!["create"],
        vec!["update", "deploy-bot", "--duration", "soon"],
        vec!["update", "deploy-bot"],
        vec!["rotate", "deploy-bot", "--grace", "1y"],
        vec!["rotate", "deploy-bot", "--grace", "-1h"],
        vec!["rotate", "deploy-bot"],
        vec!["delete", "deploy-bot"],
    ] {
        let out = env
            .cmd()
            .arg("service-tokens")
            .args(&args)
            .assert()
            .code(2)
            .get_output()
            .clone();
        assert!(
            text(&out.stderr).starts_with("error"),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    assert!(sb.requests().is_empty(), "{:?}", sb.request_lines());
}

#[test]
fn update_and_refresh_move_the_expiry() {
    let mut env = TestEnv::new();
    let _sb = env.sandbox();
    let before = stdout_json(
        &env.cmd()
            .args(["service-tokens", "get", "deploy-bot", "--json"])
            .output()
            .expect("run"),
    );
    let out = env
        .cmd()
        .args([
            "service-tokens",
            "update",
            "deploy-bot",
            "--duration",
            "2h",
            "--json",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("restarts the expiry clock"))
        .get_output()
        .clone();
    let after = stdout_json(&out);
    assert_eq!(after["duration"], "2h");
    let in2h = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(2))
        .expect("ts");
    assert!((ts(&after["expires_at"]).as_second() - in2h.as_second()).abs() < 120);
    assert_eq!(after["client_id"], before["client_id"]);

    let renamed = stdout_json(
        &env.cmd()
            .args([
                "service-tokens",
                "update",
                "deploy-bot",
                "--name",
                "deploy-bot-2",
                "--json",
            ])
            .output()
            .expect("run"),
    );
    assert_eq!(renamed["name"], "deploy-bot-2");
    assert_eq!(renamed["duration"], "2h");

    // An expired token comes back by its duration from now.
    let expired = list(&env, &["--expired"]);
    let id = expired[0]["id"].as_str().expect("id").to_owned();
    let out = env
        .cmd()
        .args(["service-tokens", "refresh", &id, "--json"])
        .assert()
        .success()
        .stderr(predicate::str::contains("now expires"))
        .get_output()
        .clone();
    let refreshed = stdout_json(&out);
    assert!(ts(&refreshed["expires_at"]) > jiff::Timestamp::now());
    env.cmd()
        .args(["service-tokens", "refresh", "deploy-bot-2"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Expires"));
}

#[test]
fn rotate_with_and_without_grace() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let t = stdout_json(
        &env.cmd()
            .args(["service-tokens", "create", "--name", "rot", "--json"])
            .output()
            .expect("run"),
    );
    let (cid, old) = (
        t["client_id"].as_str().expect("cid").to_owned(),
        t["client_secret"].as_str().expect("s").to_owned(),
    );

    let out = env
        .cmd()
        .args(["service-tokens", "rotate", "rot", "--grace", "1h", "--json"])
        .assert()
        .success()
        .stderr(predicate::str::contains("keeps working until"))
        .get_output()
        .clone();
    let r = stdout_json(&out);
    let new = r["client_secret"].as_str().expect("secret").to_owned();
    assert_eq!(r["client_id"], cid.as_str());
    assert_ne!(new, old);
    assert!(
        sb.access_check(&cid, &old),
        "old secret valid during the grace period"
    );
    assert!(sb.access_check(&cid, &new));

    // Without a grace period: confirmation, then the old secret dies at once.
    env.tty_cmd()
        .args(["service-tokens", "rotate", "rot"])
        .write_stdin("n\n")
        .assert()
        .code(1);
    let out = env
        .cmd()
        .args(["service-tokens", "rotate", "rot", "--yes", "-o", "env"])
        .assert()
        .success()
        .get_output()
        .clone();
    let newest = text(&out.stdout)
        .lines()
        .nth(1)
        .expect("secret line")
        .trim_start_matches("CF_ACCESS_CLIENT_SECRET=")
        .to_owned();
    assert!(
        !sb.access_check(&cid, &new),
        "previous secret dies at once without --grace"
    );
    assert!(sb.access_check(&cid, &newest));
}

#[test]
fn delete_confirms() {
    let mut env = TestEnv::new();
    let _sb = env.sandbox();
    env.tty_cmd()
        .args(["service-tokens", "delete", "deploy-bot"])
        .write_stdin("n\n")
        .assert()
        .code(1);
    let out = env
        .cmd()
        .args(["service-tokens", "delete", "deploy-bot", "--yes", "--json"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(stdout_json(&out)["name"], "deploy-bot");
    env.cmd()
        .args(["service-tokens", "get", "deploy-bot"])
        .assert()
        .code(5);
    env.tty_cmd()
        .args(["service-tokens", "delete", "shared-service", "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("shared-service"));
}

#[test]
fn global_api_key_works_for_service_tokens_only() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    assert!(!sb.api_key.is_empty() && !sb.email.is_empty());
    let mut env2 = TestEnv::new();
    env2.set("CLOUDFLARE_BASE_URL", &sb.base_url)
        .set("CLOUDFLARE_ACCOUNT_ID", &sb.account_id)
        .set("CLOUDFLARE_EMAIL", &sb.email)
        .set("CLOUDFLARE_API_KEY", &sb.api_key);
    assert!(!list(&env2, &[]).is_empty());
    env2.cmd()
        .args(["service-tokens", "create", "--name", "by-key", "-o", "id"])
        .assert()
        .success();
    env2.cmd()
        .args(["tokens", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("Global API Key"));
    env2.set("CLOUDFLARE_API_KEY", "wrong-key");
    env2.cmd().args(["service-tokens", "list"]).assert().code(4);
    // A read-only API token is forbidden here.
    let ro = stdout_json(
        &env.cmd()
            .args([
                "tokens",
                "create",
                "--name",
                "ro",
                "--permission",
                "Account API Tokens Read",
                "--json",
            ])
            .output()
            .expect("run"),
    );
    env.cmd()
        .env("CLOUDFLARE_API_TOKEN", ro["value"].as_str().expect("value"))
        .args(["service-tokens", "list"])
        .assert()
        .code(4);
}

#[test]
fn traces_never_show_client_secrets() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let out = env
        .cmd()
        .args([
            "-vvv",
            "service-tokens",
            "create",
            "--name",
            "traced",
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let secret = stdout_json(&out)["client_secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    let err = text(&out.stderr);
    assert!(!err.contains(&secret) && !err.contains(&sb.token));
    let out = env
        .cmd()
        .args([
            "-vvv",
            "service-tokens",
            "rotate",
            "traced",
            "--grace",
            "1h",
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let secret = stdout_json(&out)["client_secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    assert!(!text(&out.stderr).contains(&secret));
}

#[test]
fn embedded_sandbox_serves_service_tokens() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args(["--sandbox", "service-tokens", "list", "--json"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(!stdout_json(&out).as_array().expect("array").is_empty());
}

#[test]
fn a_failing_secret_file_still_delivers_the_secret() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    // procfs refuses writes, even for root.
    let out = env
        .cmd()
        .args([
            "service-tokens",
            "create",
            "--name",
            "sinkless",
            "--secret-file",
            "/proc/version",
            "--force",
            "--json",
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let t = stdout_json(&out);
    let secret = t["client_secret"].as_str().expect("secret");
    assert!(sb.access_check(t["client_id"].as_str().expect("cid"), secret));
    let err = text(&out.stderr);
    assert!(
        err.contains("printed above") && !err.contains(secret),
        "{err}"
    );
}
