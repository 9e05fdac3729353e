//! `auth` and credentials, against a real Secret Service (gnome-keyring in a private D-Bus
//! session), checked from outside with `secret-tool`.

use std::time::{Duration, Instant};

use predicates::prelude::*;

use crate::common::{Sandbox, TestEnv, mode, stdout_json, text};
use crate::support::keyring::{KeyringSession, no_dbus_env};

/// A user with a keyring and a sandbox, and a Cloudflare profile `prod` aimed at it.
fn setup() -> (TestEnv, Sandbox, KeyringSession) {
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
    (env, sb, keyring)
}

#[test]
fn login_verifies_then_stores_in_the_keyring() {
    let (env, sb, keyring) = setup();
    sb.clear_requests();
    env.cmd()
        .args(["auth", "login", "-p", "prod", "--with-token"])
        .write_stdin(format!("{}\n", sb.token))
        .assert()
        .success()
        .stdout("")
        .stderr(
            predicate::str::contains("Logged in as profile 'prod'")
                .and(predicate::str::contains("OS keyring")),
        );
    assert!(
        sb.request_lines()
            .iter()
            .any(|l| l.ends_with("/tokens/verify"))
    );
    assert_eq!(
        keyring.lookup("tokenctl", "prod").as_deref(),
        Some(sb.token.as_str())
    );
    // config.toml holds no secret, and is 0600 in a 0700 dir.
    let cfg = env.config_dir().join("config.toml");
    assert!(
        !std::fs::read_to_string(&cfg)
            .expect("config")
            .contains(&sb.token)
    );
    assert_eq!(mode(&cfg), 0o600);
    assert_eq!(mode(&env.config_dir()), 0o700);

    // The stored secret is used.
    env.cmd()
        .args(["-p", "prod", "tokens", "verify", "--json"])
        .assert()
        .success();
    let status = stdout_json(
        &env.cmd()
            .args(["auth", "status", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(status[0]["profile"], "prod");
    assert_eq!(status[0]["secret_source"], "keyring");
    assert_eq!(status[0]["status"], "ok");
    assert!(!status.to_string().contains(&sb.token));
}

#[test]
fn login_with_a_bad_token_stores_nothing() {
    let (env, _sb, keyring) = setup();
    env.cmd()
        .args(["auth", "login", "-p", "prod", "--with-token"])
        .write_stdin("definitely-wrong\n")
        .assert()
        .code(4)
        .stderr(
            predicate::str::contains("Invalid API Token")
                .and(predicate::str::contains("definitely-wrong").not()),
        );
    assert_eq!(keyring.lookup("tokenctl", "prod"), None);
    env.cmd()
        .args(["auth", "login", "-p", "prod", "--with-token"])
        .write_stdin("")
        .assert()
        .code(2);
    // No terminal and no --with-token: no prompt, a usage error.
    env.cmd()
        .args(["auth", "login", "-p", "prod"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--with-token"));
}

#[test]
fn token_prints_for_pipes_only() {
    let (env, sb, _keyring) = setup();
    env.cmd()
        .args(["auth", "login", "-p", "prod", "--with-token"])
        .write_stdin(sb.token.clone())
        .assert()
        .success();
    env.cmd()
        .args(["auth", "token", "-p", "prod"])
        .assert()
        .success()
        .stdout(format!("{}\n", sb.token));
    env.tty_cmd()
        .args(["auth", "token", "-p", "prod"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("--reveal"));
    env.tty_cmd()
        .args(["auth", "token", "-p", "prod", "--reveal"])
        .assert()
        .success()
        .stdout(predicate::str::contains(&sb.token));
}

#[test]
fn logout_removes_the_secret() {
    let (env, sb, keyring) = setup();
    env.cmd()
        .args(["auth", "login", "-p", "prod", "--with-token"])
        .write_stdin(sb.token.clone())
        .assert()
        .success();
    env.cmd()
        .args(["auth", "logout", "-p", "prod"])
        .assert()
        .success();
    assert_eq!(keyring.lookup("tokenctl", "prod"), None);
    env.cmd()
        .args(["-p", "prod", "tokens", "verify"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("auth login -p prod"));
    let out = env
        .cmd()
        .args(["auth", "status", "--json"])
        .assert()
        .code(3)
        .get_output()
        .clone();
    assert_eq!(stdout_json(&out)[0]["status"], "missing");
}

#[test]
fn env_token_wins_over_the_keyring() {
    let (mut env, sb, keyring) = setup();
    keyring.store("tokenctl", "prod", "stale-value");
    env.set("TOKENCTL_TOKEN", &sb.token);
    env.cmd()
        .args(["-p", "prod", "tokens", "verify"])
        .assert()
        .success();
    let status = stdout_json(
        &env.cmd()
            .args(["auth", "status", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(status[0]["secret_source"], "env:TOKENCTL_TOKEN");
}

#[test]
fn rolling_the_profiles_own_token_updates_the_keyring() {
    let (env, sb, keyring) = setup();
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
            "roll",
            "tokenctl-sandbox-admin",
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
    // Still works after the roll: not locked out.
    env.cmd()
        .args(["-p", "prod", "tokens", "verify"])
        .assert()
        .success();
}

#[test]
fn save_as_stores_a_new_profile() {
    let (env, sb, keyring) = setup();
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
            "create",
            "--name",
            "ci",
            "--permission",
            "Account API Tokens Read",
            "--save-as",
            "ci",
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let value = stdout_json(&out)["value"]
        .as_str()
        .expect("value")
        .to_owned();
    assert_eq!(
        keyring.lookup("tokenctl", "ci").as_deref(),
        Some(value.as_str())
    );
    let shown = stdout_json(
        &env.cmd()
            .args(["profile", "show", "ci", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(shown["account_id"], sb.account_id.as_str());
    env.cmd()
        .args(["-p", "ci", "tokens", "verify"])
        .assert()
        .success();
}

#[test]
fn no_keyring_is_one_clear_line_fast() {
    let mut env = TestEnv::new();
    env.set_all(&no_dbus_env());
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
    let started = Instant::now();
    let out = env
        .cmd()
        .args(["auth", "login", "-p", "prod", "--with-token"])
        .write_stdin(sb.token.clone())
        .assert()
        .code(3)
        .get_output()
        .clone();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        err.contains("keyring")
            && err.contains("--insecure-storage")
            && err.contains("CLOUDFLARE_API_TOKEN"),
        "{err}"
    );
    // Reading a keyring-backed profile fails the same way.
    env.cmd()
        .args(["-p", "prod", "tokens", "verify"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("--insecure-storage"));
}

#[test]
fn locked_keyring_is_exit_3() {
    let (env, sb, keyring) = setup();
    keyring.lock();
    let started = Instant::now();
    env.cmd()
        .args(["auth", "login", "-p", "prod", "--with-token"])
        .write_stdin(sb.token.clone())
        .assert()
        .code(3)
        .stderr(predicate::str::contains("keyring"));
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn insecure_storage_is_a_0600_file_and_status_warns() {
    let mut env = TestEnv::new();
    env.set_all(&no_dbus_env());
    let sb = Sandbox::start(&[], &[]);
    env.cmd()
        .args([
            "auth",
            "login",
            "-p",
            "box",
            "--account",
            &sb.account_id,
            "--base-url",
            &sb.base_url,
            "--with-token",
            "--insecure-storage",
        ])
        .write_stdin(sb.token.clone())
        .assert()
        .success()
        .stderr(predicate::str::contains("plain file"));
    let file = env.config_dir().join("credentials.toml");
    assert_eq!(mode(&file), 0o600);
    assert!(
        std::fs::read_to_string(&file)
            .expect("read")
            .contains(&sb.token)
    );
    assert!(
        !std::fs::read_to_string(env.config_dir().join("config.toml"))
            .expect("read")
            .contains(&sb.token)
    );
    env.cmd()
        .args(["-p", "box", "tokens", "verify"])
        .assert()
        .success();
    env.cmd()
        .args(["auth", "status"])
        .assert()
        .success()
        .stdout(predicate::str::contains("file:"))
        .stderr(predicate::str::contains("plain file"));
}

#[test]
fn env_only_status_and_sandbox_status() {
    let mut env = TestEnv::new();
    let _sb = env.sandbox();
    let status = stdout_json(
        &env.cmd()
            .args(["auth", "status", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(status[0]["secret_source"], "env:CLOUDFLARE_API_TOKEN");
    assert_eq!(status[0]["status"], "ok");
    let env = TestEnv::new();
    let status = stdout_json(
        &env.cmd()
            .args(["--sandbox", "auth", "status", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(status[0]["profile"], "sandbox-cloudflare");
    assert_eq!(status[0]["secret_source"], "sandbox");
    env.cmd().args(["auth", "status"]).assert().code(3);
}

#[test]
fn login_with_a_global_api_key() {
    let (env, sb, keyring) = setup();
    env.cmd()
        .args([
            "auth",
            "login",
            "-p",
            "prod",
            "--email",
            &sb.email,
            "--with-token",
        ])
        .write_stdin(format!("{}\n", sb.api_key))
        .assert()
        .success()
        .stderr(predicate::str::contains("Global API Key"));
    assert_eq!(
        keyring.lookup("tokenctl", "prod").as_deref(),
        Some(sb.api_key.as_str())
    );
    env.cmd()
        .args(["-p", "prod", "service-tokens", "list", "-o", "id"])
        .assert()
        .success();
    env.cmd()
        .args(["-p", "prod", "tokens", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("Global API Key"));
    let status = stdout_json(
        &env.cmd()
            .args(["auth", "status", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(status[0]["status"], "ok");
    env.cmd()
        .args([
            "auth",
            "login",
            "-p",
            "prod",
            "--email",
            &sb.email,
            "--with-token",
        ])
        .write_stdin("wrong-key\n")
        .assert()
        .code(4);
}

#[test]
fn login_for_every_vendor() {
    let keyring = KeyringSession::start();
    let mut env = TestEnv::new();
    env.set_all(&keyring.env());
    let sb = Sandbox::start(&[], &[]);
    let c = &sb.connections;
    let s = |v: &str, k: &str| c[v][k].as_str().unwrap_or_default().to_owned();
    let logins: Vec<(&str, Vec<String>, String)> = vec![
        (
            "mt",
            vec![
                "--vendor".into(),
                "mailtrap".into(),
                "--account".into(),
                s("mailtrap", "account_id"),
                "--base-url".into(),
                s("mailtrap", "base_url"),
            ],
            s("mailtrap", "token"),
        ),
        (
            "pf",
            vec![
                "--vendor".into(),
                "prefactor".into(),
                "--base-url".into(),
                s("prefactor", "base_url"),
            ],
            s("prefactor", "token"),
        ),
        (
            "mq",
            vec![
                "--vendor".into(),
                "mosquitto".into(),
                "--project".into(),
                s("mosquitto", "project_id"),
                "--base-url".into(),
                s("mosquitto", "base_url"),
            ],
            s("mosquitto", "token"),
        ),
    ];
    for (name, flags, token) in &logins {
        env.cmd()
            .args(["auth", "login", "-p", name, "--with-token"])
            .args(flags)
            .write_stdin(format!("{token}\n"))
            .assert()
            .success()
            .stderr(predicate::str::contains("token works"));
        assert_eq!(
            keyring.lookup("tokenctl", name).as_deref(),
            Some(token.as_str())
        );
        env.cmd()
            .args(["auth", "login", "-p", name, "--with-token"])
            .write_stdin("wrong\n")
            .assert()
            .code(4);
    }
    env.cmd()
        .args(["-p", "mt", "api-tokens", "list", "-o", "id"])
        .assert()
        .success();
    env.cmd()
        .args(["-p", "pf", "api-tokens", "list", "-o", "id"])
        .assert()
        .success();
    env.cmd()
        .args(["-p", "mq", "project-tokens", "list", "-o", "id"])
        .assert()
        .success();
    env.cmd()
        .args(["-p", "mq", "api-tokens", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("mailtrap or prefactor"));
    let status = stdout_json(
        &env.cmd()
            .args(["auth", "status", "--json"])
            .output()
            .expect("run"),
    );
    assert!(
        status
            .as_array()
            .expect("array")
            .iter()
            .all(|r| r["status"] == "ok"),
        "{status}"
    );
    // A mosquitto profile needs a base URL.
    env.cmd()
        .args([
            "auth",
            "login",
            "-p",
            "mq2",
            "--vendor",
            "mosquitto",
            "--with-token",
        ])
        .write_stdin("x\n")
        .assert()
        .code(2);
}

#[test]
fn resetting_the_profiles_own_mailtrap_token_updates_the_keyring() {
    let keyring = KeyringSession::start();
    let mut env = TestEnv::new();
    env.set_all(&keyring.env());
    let sb = Sandbox::start(&[], &[]);
    let mt = &sb.connections["mailtrap"];
    let token = mt["token"].as_str().expect("token").to_owned();
    env.cmd()
        .args([
            "auth",
            "login",
            "-p",
            "mt",
            "--vendor",
            "mailtrap",
            "--with-token",
        ])
        .args([
            "--account",
            mt["account_id"].as_str().expect("acct"),
            "--base-url",
            mt["base_url"].as_str().expect("url"),
        ])
        .write_stdin(format!("{token}\n"))
        .assert()
        .success();
    let own = stdout_json(
        &env.cmd()
            .args(["-p", "mt", "api-tokens", "list", "--json"])
            .output()
            .expect("run"),
    )
    .as_array()
    .expect("array")
    .iter()
    .find(|t| token.ends_with(t["last_4_digits"].as_str().unwrap_or("????")))
    .expect("own token listed")["id"]
        .to_string();
    let out = env
        .cmd()
        .args(["-p", "mt", "api-tokens", "reset", &own, "--yes", "--json"])
        .assert()
        .success()
        .stderr(predicate::str::contains("Updated the stored credential"))
        .get_output()
        .clone();
    let new = stdout_json(&out)["token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_eq!(
        keyring.lookup("tokenctl", "mt").as_deref(),
        Some(new.as_str())
    );
    env.cmd()
        .args(["-p", "mt", "api-tokens", "list", "-o", "id"])
        .assert()
        .success();
}

#[test]
fn login_and_status_under_faults() {
    let env = TestEnv::new();
    let sb = Sandbox::start(&[], &[]);
    let login = |fault: serde_json::Value| {
        sb.fault(fault);
        let out = env
            .cmd()
            .args([
                "--timeout",
                "2s",
                "auth",
                "login",
                "-p",
                "f",
                "--insecure-storage",
                "--with-token",
            ])
            .args(["--account", &sb.account_id, "--base-url", &sb.base_url])
            .write_stdin(format!("{}\n", sb.token))
            .output()
            .expect("run");
        let _ = ureq::delete(&format!("{}/__sandbox/faults", sb.root)).call();
        out
    };
    let verify = format!("/client/v4/accounts/{}/tokens/verify", sb.account_id);
    for (fault, code) in [
        (
            serde_json::json!({"path_prefix": verify, "status": 500, "times": 10}),
            1,
        ),
        (
            serde_json::json!({"path_prefix": verify, "status": 503, "body": "html", "times": 10}),
            1,
        ),
        (
            serde_json::json!({"path_prefix": verify, "status": 429, "retry_after": 0, "times": 10}),
            7,
        ),
        (
            serde_json::json!({"path_prefix": verify, "kind": "reset_after", "times": 10}),
            8,
        ),
        (
            serde_json::json!({"path_prefix": verify, "kind": "invalid_json", "times": 10}),
            1,
        ),
        (
            serde_json::json!({"path_prefix": verify, "kind": "slow", "delay_ms": 4000, "times": 10}),
            8,
        ),
    ] {
        let out = login(fault.clone());
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{fault}: {err}");
        assert!(
            err.starts_with("error:") && !err.contains("panicked") && !err.contains(&sb.token),
            "{fault}: {err}"
        );
        assert!(
            !env.config_dir().join("credentials.toml").exists(),
            "nothing stored after {fault}"
        );
    }
    // With the faults gone, login works; then status reports a failing vendor without stopping.
    let out = login(serde_json::json!({"path_prefix": "/nothing", "status": 500, "times": 1}));
    assert!(out.status.success(), "{}", text(&out.stderr));
    sb.fault(serde_json::json!({"path_prefix": verify, "kind": "reset_before", "times": 10}));
    let out = env
        .cmd()
        .args(["--timeout", "2s", "auth", "status", "--json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(8), "{}", text(&out.stderr));
    let rows = stdout_json(&out);
    assert_eq!(rows[0]["status"], "error");
    assert!(!text(&out.stdout).contains(&sb.token) && !text(&out.stderr).contains(&sb.token));
}

/// A stored credential follows a roll only when verify named the rolled token before the roll.
/// A refused verify (here a 401 from the verify endpoint alone) proves nothing: the stored,
/// still valid credential is kept, and the new secret is shown with a warning.
#[test]
fn a_refused_verify_never_overwrites_the_stored_credential() {
    let mut env = TestEnv::new();
    env.set_all(&no_dbus_env());
    let sb = Sandbox::start(&[], &[]);
    env.cmd()
        .args([
            "auth",
            "login",
            "-p",
            "box",
            "--account",
            &sb.account_id,
            "--base-url",
            &sb.base_url,
            "--with-token",
            "--insecure-storage",
        ])
        .write_stdin(sb.token.clone())
        .assert()
        .success();
    let other = sb.token_id("readonly-auditor");
    sb.fault(serde_json::json!({
        "path_prefix": format!("/client/v4/accounts/{}/tokens/verify", sb.account_id),
        "kind": "status", "status": 401, "times": 1
    }));
    let out = env
        .cmd()
        .args(["-p", "box", "tokens", "roll", &other, "--yes", "--json"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("could not tell whether"));
    let stored = std::fs::read_to_string(env.config_dir().join("credentials.toml")).expect("read");
    assert!(
        stored.contains(&sb.token),
        "the stored credential was replaced"
    );
    // And the profile still works.
    env.cmd()
        .args(["-p", "box", "tokens", "verify"])
        .assert()
        .success();
}

#[test]
fn env_only_status_covers_every_vendor_whose_variable_is_set() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let conn = |v: &str, k: &str| sb.connections[v][k].as_str().unwrap_or("").to_owned();
    env.set("MAILTRAP_BASE_URL", &conn("mailtrap", "base_url"))
        .set("MAILTRAP_ACCOUNT_ID", &conn("mailtrap", "account_id"))
        .set("MAILTRAP_API_TOKEN", &conn("mailtrap", "token"));
    let status = stdout_json(
        &env.cmd()
            .args(["auth", "status", "--json"])
            .output()
            .expect("run"),
    );
    let rows = status.as_array().expect("array");
    let sources: Vec<&str> = rows
        .iter()
        .map(|r| r["secret_source"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        sources,
        ["env:CLOUDFLARE_API_TOKEN", "env:MAILTRAP_API_TOKEN"],
        "{status}"
    );
    assert!(rows.iter().all(|r| r["status"] == "ok"), "{status}");
}
