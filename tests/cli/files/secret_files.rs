//! `--secret-file`: regular files only, nothing left by a failed write, no stale temp files.

use std::process::{Command as StdCommand, Output};

use predicates::prelude::*;
use serde_json::Value;

use super::{dead_pid, names_in};
use crate::bulk::{Bulk, Noun};
use crate::common::{BIN, TestEnv, mode, stdout_json, text};

#[test]
fn a_device_is_never_a_secret_file() {
    let before = std::fs::metadata("/dev/null").expect("meta");
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    sb.clear_requests();
    env.cmd()
        .args([
            "tokens",
            "create",
            "--name",
            "dev",
            "--permission",
            "DNS Read",
            "--secret-file",
            "/dev/null",
            "--force",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/dev/null is not a regular file"));
    assert!(sb.requests().is_empty());

    let b = Bulk::new(Noun::ServiceTokens);
    b.cmd(&["create", "--name", "dev-1"]).assert().success();
    b.sb.clear_requests();
    b.cmd(&[
        "rotate",
        "--name",
        "dev-*",
        "--secret-file",
        "/dev/null",
        "--force",
        "--yes",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains("/dev/null is not a regular file"));
    assert!(b.sb.requests().is_empty());

    let after = std::fs::metadata("/dev/null").expect("meta");
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    assert!(after.file_type().is_char_device());
    assert_eq!(before.mode(), after.mode(), "/dev/null keeps its mode");
}

/// The tool with writes to regular files limited to 0 bytes (EFBIG, not SIGXFSZ): a secret
/// file cannot be written, the terminal and pipes still can.
fn no_file_writes(env: &TestEnv, args: &[&str]) -> Output {
    StdCommand::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 0; exec \"$0\" \"$@\"")
        .arg(BIN)
        .args(args)
        .env_clear()
        .envs(env.vars().iter().cloned())
        .output()
        .expect("run")
}

#[test]
fn a_failed_secret_file_write_leaves_nothing_and_still_prints_the_secret() {
    let mut env = TestEnv::new();
    let _sb = env.sandbox();
    let dir = env.path("out");
    std::fs::create_dir(&dir).expect("mkdir");
    let file = dir.join("ci.token");
    let f = file.to_str().expect("path");
    let create = |name: &str| {
        [
            "tokens",
            "create",
            "--name",
            name,
            "--permission",
            "DNS Read",
            "--secret-file",
            f,
            "--json",
        ]
        .map(String::from)
    };
    let args = create("big");
    let out = no_file_writes(&env, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let value = stdout_json(&out)["value"]
        .as_str()
        .expect("value")
        .to_owned();
    assert!(!value.is_empty());
    assert!(text(&out.stderr).contains(f));
    assert!(
        names_in(&dir).is_empty(),
        "nothing left: {:?}",
        names_in(&dir)
    );
    // A retry needs no --force.
    env.cmd().args(create("again")).assert().success();
    assert_eq!(mode(&file), 0o600);

    // Bulk: the same.
    let b = Bulk::new(Noun::ServiceTokens);
    b.cmd(&["create", "--name", "big-1"]).assert().success();
    let bulk_file = dir.join("fleet.json");
    let out = no_file_writes(
        &b.env,
        &[
            "service-tokens",
            "rotate",
            "--name",
            "big-*",
            "--secret-file",
            bulk_file.to_str().expect("path"),
            "--yes",
            "--json",
        ],
    );
    assert_ne!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("client_secret"));
    assert!(!bulk_file.exists());
    assert_eq!(names_in(&dir), vec!["ci.token".to_owned()]);
}

#[test]
fn stale_temp_files_of_dead_runs_are_removed() {
    let mut env = TestEnv::new();
    let _sb = env.sandbox();
    let dir = env.path("out");
    std::fs::create_dir(&dir).expect("mkdir");
    let pid = dead_pid();
    let stale = dir.join(format!(".ci.token.{pid}.tmp"));
    let stale_bulk = dir.join(format!(".fleet.json.{pid}.tmp"));
    let stale_other = dir.join(format!(".other.token.{pid}.0badcafe.tmp"));
    let unrelated = dir.join(format!(".other.{pid}.tmp"));
    for p in [&stale, &stale_bulk, &stale_other, &unrelated] {
        std::fs::write(p, "old secret").expect("write");
    }
    env.cmd()
        .args([
            "tokens",
            "create",
            "--name",
            "fresh",
            "--permission",
            "DNS Read",
            "--secret-file",
            dir.join("ci.token").to_str().expect("path"),
        ])
        .assert()
        .success();
    assert!(!stale.exists());
    assert!(
        !stale_other.exists(),
        "the current shape goes whatever the name"
    );
    assert!(
        unrelated.exists(),
        "the older shape goes only for the name written"
    );

    let b = Bulk::new(Noun::ServiceTokens);
    b.cmd(&["create", "--name", "stale-1"]).assert().success();
    b.cmd(&[
        "rotate",
        "--name",
        "stale-*",
        "--secret-file",
        dir.join("fleet.json").to_str().expect("path"),
        "--yes",
    ])
    .assert()
    .success();
    assert!(!stale_bulk.exists());

    // config.toml's temp files too.
    std::fs::create_dir_all(env.config_dir()).expect("mkdir");
    let stale_config = env
        .config_dir()
        .join(format!(".config.toml.{pid}.0badcafe.tmp"));
    std::fs::write(&stale_config, "").expect("write");
    env.cmd()
        .args(["profile", "add", "prod", "--vendor", "cloudflare"])
        .assert()
        .success();
    assert!(!stale_config.exists());
}

#[test]
fn a_forced_secret_file_replaces_a_regular_file_through_its_link() {
    let mut env = TestEnv::new();
    let _sb = env.sandbox();
    let real = env.path("real.token");
    std::fs::write(&real, "old").expect("write");
    let link = env.path("link.token");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let out = env
        .cmd()
        .args([
            "tokens",
            "create",
            "--name",
            "linked",
            "--permission",
            "DNS Read",
            "--secret-file",
            link.to_str().expect("path"),
            "--force",
            "--json",
        ])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let value: Value = stdout_json(&out)["value"].clone();
    assert_eq!(
        std::fs::read_to_string(&real).expect("read").trim(),
        value.as_str().expect("value")
    );
    assert_eq!(mode(&real), 0o600);
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("meta")
            .file_type()
            .is_symlink()
    );
}
