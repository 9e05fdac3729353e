//! A profile's `credential_command`: the secret read from a password manager each time.

use std::time::{Duration, Instant};

use predicates::prelude::*;

use crate::common::{Sandbox, TestEnv, stdout_json, text};

/// A Cloudflare profile `cmd` against a `sandbox serve`, whose secret a command prints.
fn setup(command: &str) -> (TestEnv, Sandbox) {
    let env = TestEnv::new();
    let sb = Sandbox::start(env.vars(), &[]);
    std::fs::write(env.path("token"), format!("{}\n", sb.token)).expect("token file");
    env.cmd()
        .args(["profile", "add", "cmd", "--vendor", "cloudflare"])
        .args(["--base-url", &sb.base_url, "--account", &sb.account_id])
        .args(["--from-command", command])
        .assert()
        .success();
    (env, sb)
}

#[test]
fn the_command_s_output_is_the_secret_and_is_never_stored() {
    let (env, sb) = setup(&format!("cat '{}'", "token"));
    env.cmd()
        .current_dir(env.home.path())
        .args(["tokens", "list", "-o", "id"])
        .assert()
        .success()
        .stdout(predicate::str::is_match("^[0-9a-f]{32}\n").expect("regex"));
    let status = stdout_json(
        &env.cmd()
            .current_dir(env.home.path())
            .args(["auth", "status", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(status[0]["secret_source"], "command", "{status}");
    assert_eq!(status[0]["status"], "ok", "{status}");
    env.cmd()
        .args(["profile", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("command"));
    // Nothing of the secret was written anywhere tokenctl keeps files.
    for dir in [".config", ".local", ".cache"] {
        let out = std::process::Command::new("grep")
            .args(["-r", "-l", &sb.token])
            .arg(env.path(dir))
            .output()
            .expect("grep");
        assert!(
            out.stdout.is_empty(),
            "secret found in {}",
            text(&out.stdout)
        );
    }
}

#[test]
fn the_command_gets_no_secret_in_its_environment() {
    let (mut env, _sb) = setup("env > child-env; cat token");
    env.set("MAILTRAP_API_TOKEN", "another-vendors-secret");
    env.cmd()
        .current_dir(env.home.path())
        .args(["tokens", "list", "-o", "id"])
        .assert()
        .success();
    let child_env = std::fs::read_to_string(env.path("child-env")).expect("child env");
    assert!(child_env.contains("HOME="), "{child_env}");
    assert!(!child_env.contains("another-vendors-secret"), "{child_env}");
}

#[test]
fn a_failing_silent_or_slow_command_is_exit_3_naming_it() {
    let (env, _sb) = setup("echo oops >&2; exit 4");
    env.cmd()
        .args(["tokens", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "the credential_command of profile 'cmd' exited with status 4",
        ))
        .stderr(predicate::str::contains("oops"));

    env.cmd()
        .args([
            "profile",
            "set",
            "cmd",
            "--from-command",
            "printf 'a\\nb\\n'",
        ])
        .assert()
        .success();
    env.cmd()
        .args(["tokens", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "must print the secret alone on one line",
        ))
        .stderr(predicate::str::contains("a\nb").not());

    env.cmd()
        .args(["profile", "set", "cmd", "--from-command", "sleep 30"])
        .assert()
        .success();
    let started = Instant::now();
    env.cmd()
        .args(["--timeout", "1s", "tokens", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("did not finish within 1 s"));
    assert!(started.elapsed() < Duration::from_secs(10));

    // "" removes it: the profile is back to the keyring, which this test has none of.
    env.cmd()
        .args(["profile", "set", "cmd", "--from-command", ""])
        .assert()
        .success();
    env.cmd()
        .args(["tokens", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("credential_command").not());
}
