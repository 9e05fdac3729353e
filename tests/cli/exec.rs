//! `exec`: a command run with the profile's credential in the vendor's variables.

use std::io::{BufRead, BufReader};
use std::process::{Command as StdCommand, Stdio};

use predicates::prelude::*;

use crate::common::{BIN, TestEnv, text};

const CF: &[&str] = &["--sandbox", "-p", "sandbox-cloudflare"];

fn sandbox_token(env: &TestEnv) -> String {
    let out = env
        .cmd()
        .args(CF)
        .args(["auth", "token"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout).trim().to_owned()
}

#[test]
fn the_child_gets_the_vendors_variables_and_its_status_is_tokenctls() {
    let env = TestEnv::new();
    let token = sandbox_token(&env);
    let out = env
        .cmd()
        .args(CF)
        .args(["-v", "exec", "--", "sh", "-c"])
        .arg(r#"printf '%s\n%s\n%s\n' "$CLOUDFLARE_API_TOKEN" "$CLOUDFLARE_ACCOUNT_ID" "$CLOUDFLARE_BASE_URL" > vars; exit 7"#)
        .current_dir(env.home.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(7), "{}", text(&out.stderr));
    let vars = std::fs::read_to_string(env.path("vars")).expect("vars");
    let lines: Vec<&str> = vars.lines().collect();
    assert_eq!(lines[0], token);
    assert_eq!(lines[1].len(), 32, "{vars}");
    assert!(lines[2].starts_with("http://127.0.0.1:"), "{vars}");
    // tokenctl itself prints nothing of it, not even with -v.
    assert!(!text(&out.stdout).contains(&token));
    assert!(!text(&out.stderr).contains(&token));
}

#[test]
fn a_consumer_reading_the_variables_reaches_the_vendor() {
    let env = TestEnv::new();
    // The child is another tool reading CLOUDFLARE_* (here tokenctl itself, with no profile
    // and no --sandbox): it reaches the embedded sandbox, which lives as long as the child.
    env.cmd()
        .args(CF)
        .args(["exec", "--", BIN, "tokens", "list", "-o", "id"])
        .assert()
        .success()
        .stdout(predicate::str::is_match("^[0-9a-f]{32}\n").expect("regex"));
}

#[test]
fn outside_sandbox_mode_tokenctl_becomes_the_command() {
    let mut env = TestEnv::new();
    env.set("CLOUDFLARE_API_TOKEN", "env-token-value")
        .set("CLOUDFLARE_ACCOUNT_ID", "023e105f4ecef8ad9ca31a8372d0c353");
    env.cmd()
        .args(["exec", "--", "sh", "-c"])
        .arg(r#"printf '%s %s' "$CLOUDFLARE_API_TOKEN" "$CLOUDFLARE_BASE_URL"; exit 3"#)
        .assert()
        .code(3)
        .stdout("env-token-value https://api.cloudflare.com/client/v4");
}

#[test]
fn a_missing_command_is_127_and_no_command_is_a_usage_error() {
    let env = TestEnv::new();
    env.cmd()
        .args(CF)
        .args(["exec", "--", "no-such-command-here"])
        .assert()
        .code(127)
        .stderr(predicate::str::contains(
            "cannot run 'no-such-command-here'",
        ));
    env.cmd().args(CF).arg("exec").assert().code(2);
    // Several sandbox profiles fit: which one must be said.
    env.cmd()
        .args(["--sandbox", "exec", "--", "true"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("several profiles fit"));
}

#[cfg(unix)]
#[test]
fn sigterm_reaches_the_command() {
    let env = TestEnv::new();
    let mut cmd = StdCommand::new(BIN);
    cmd.env_clear()
        .envs(env.vars().iter().cloned())
        .args(CF)
        .args(["exec", "--", "sh", "-c"])
        .arg(r#"trap 'exit 42' TERM; echo ready; while :; do sleep 0.1; done"#)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("ready");
    assert_eq!(line, "ready\n");
    let pid = i32::try_from(child.id()).expect("pid");
    // SAFETY: kill(2) on the child this test spawned and has not reaped.
    unsafe { libc::kill(pid, libc::SIGTERM) };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("tokenctl did not pass SIGTERM on: the command still runs");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(42), "the command's own trap ran");
}
