//! `profile`: settings in config.toml; no network, no keyring.

use predicates::prelude::*;

use crate::common::{TestEnv, stdout_json};

const ACCT: &str = "023e105f4ecef8ad9ca31a8372d0c353";

#[test]
fn add_list_show_set_use_remove() {
    let env = TestEnv::new();
    env.cmd()
        .args(["profile", "list", "--json"])
        .assert()
        .success()
        .stdout("[]\n");
    env.cmd()
        .args([
            "profile",
            "add",
            "prod",
            "--vendor",
            "cloudflare",
            "--account",
            ACCT,
        ])
        .assert()
        .success();
    env.cmd()
        .args(["profile", "add", "stage", "--vendor", "cloudflare"])
        .assert()
        .success();
    let list = stdout_json(
        &env.cmd()
            .args(["profile", "list", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(list.as_array().expect("array").len(), 2);
    assert_eq!(list[0]["name"], "prod");
    assert_eq!(list[0]["default"], true);
    env.cmd()
        .args(["profile", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("NAME").and(predicate::str::contains("stage")));

    env.cmd()
        .args(["profile", "use", "stage"])
        .assert()
        .success();
    let shown = stdout_json(
        &env.cmd()
            .args(["profile", "show", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(shown["name"], "stage");
    env.cmd()
        .args([
            "profile",
            "set",
            "stage",
            "--account",
            ACCT,
            "--base-url",
            "https://cf.internal.example/client/v4",
        ])
        .assert()
        .success();
    let shown = stdout_json(
        &env.cmd()
            .args(["profile", "show", "stage", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(shown["account_id"], ACCT);
    assert_eq!(shown["base_url"], "https://cf.internal.example/client/v4");
    env.cmd()
        .args(["profile", "set", "stage", "--base-url", ""])
        .assert()
        .success();
    let shown = stdout_json(
        &env.cmd()
            .args(["profile", "show", "stage", "--json"])
            .output()
            .expect("run"),
    );
    assert!(shown.get("base_url").is_none());

    env.cmd()
        .args(["profile", "remove", "stage"])
        .assert()
        .success();
    env.cmd()
        .args(["profile", "show", "stage"])
        .assert()
        .code(3);
    let list = stdout_json(
        &env.cmd()
            .args(["profile", "list", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(list.as_array().expect("array").len(), 1);
}

#[test]
fn bad_profile_input_is_a_usage_error() {
    let env = TestEnv::new();
    env.cmd()
        .args([
            "profile",
            "add",
            "prod",
            "--vendor",
            "cloudflare",
            "--account",
            "1234",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("32 hexadecimal"));
    env.cmd()
        .args(["profile", "add", "bad name", "--vendor", "cloudflare"])
        .assert()
        .code(2);
    env.cmd()
        .args(["profile", "add", "p", "--vendor", "nosuch"])
        .assert()
        .code(2);
    env.cmd()
        .args([
            "profile",
            "add",
            "p",
            "--vendor",
            "cloudflare",
            "--base-url",
            "http://cf.example.com",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("plain http://"));
    env.cmd()
        .args(["profile", "add", "m", "--vendor", "mosquitto"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--base-url"));
    env.cmd()
        .args(["profile", "add", "p", "--vendor", "cloudflare"])
        .assert()
        .success();
    env.cmd()
        .args(["profile", "add", "p", "--vendor", "cloudflare"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    env.cmd().args(["profile", "use", "nope"]).assert().code(3);
    env.cmd().args(["profile", "set", "p"]).assert().code(2);
}

#[test]
fn profile_selection() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    // Two Cloudflare profiles and no default: a clear error naming both.
    env.cmd()
        .args([
            "profile",
            "add",
            "a",
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
        .args([
            "profile",
            "add",
            "b",
            "--vendor",
            "cloudflare",
            "--account",
            &sb.account_id,
            "--base-url",
            &sb.base_url,
        ])
        .assert()
        .success();
    let cfg = env.config_dir().join("config.toml");
    let text = std::fs::read_to_string(&cfg)
        .expect("read")
        .replace("default_profile = \"a\"\n", "");
    std::fs::write(&cfg, text).expect("write");
    env.cmd()
        .args(["tokens", "verify"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "several cloudflare profiles fit: a, b",
        ));
    // -p and TOKENCTL_PROFILE choose; the secret comes from the environment.
    env.cmd()
        .args(["-p", "b", "tokens", "verify"])
        .assert()
        .success();
    env.cmd()
        .env("TOKENCTL_PROFILE", "a")
        .args(["tokens", "verify"])
        .assert()
        .success();
    env.cmd()
        .args(["-p", "zzz", "tokens", "verify"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("no profile named 'zzz'"));
}

#[test]
fn a_broken_config_file_is_reported() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.config_dir()).expect("mkdir");
    std::fs::write(env.config_dir().join("config.toml"), "profiles = 3\n[[").expect("write");
    env.cmd()
        .args(["profile", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("config.toml is not valid"));
}

#[test]
fn sandbox_mode_lists_and_shows_the_ready_made_profiles() {
    let env = TestEnv::new();
    env.cmd()
        .args([
            "profile",
            "add",
            "prod",
            "--vendor",
            "cloudflare",
            "--account",
            ACCT,
        ])
        .assert()
        .success();
    let list = stdout_json(
        &env.cmd()
            .args(["--sandbox", "profile", "list", "--json"])
            .output()
            .expect("run"),
    );
    let names: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|p| p["name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        names,
        [
            "sandbox-cloudflare",
            "sandbox-mailtrap",
            "sandbox-prefactor",
            "sandbox-mosquitto",
            "prod"
        ]
    );
    assert_eq!(list[0]["sandbox"], true);
    assert!(list[4].get("sandbox").is_none(), "{}", list[4]);

    let shown = stdout_json(
        &env.cmd()
            .args([
                "--sandbox",
                "profile",
                "show",
                "sandbox-mosquitto",
                "--json",
            ])
            .output()
            .expect("run"),
    );
    assert_eq!(shown["vendor"], "mosquitto");
    assert!(shown["project_id"].is_string(), "{shown}");
    // The profile it shows is the one the commands use.
    let project = shown["project_id"].as_str().unwrap_or("").to_owned();
    env.cmd()
        .args([
            "--sandbox",
            "-p",
            "sandbox-mosquitto",
            "project-tokens",
            "list",
        ])
        .args(["--project", &project])
        .assert()
        .success();
    env.cmd()
        .args(["--sandbox", "profile", "show", "sandbox-mailtrap"])
        .assert()
        .success()
        .stdout(predicate::str::contains("embedded sandbox"));

    // Outside sandbox mode they do not exist.
    env.cmd()
        .args(["profile", "show", "sandbox-mailtrap"])
        .assert()
        .code(3);
    let list = stdout_json(
        &env.cmd()
            .args(["profile", "list", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(list.as_array().expect("array").len(), 1);
}
