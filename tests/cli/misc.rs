//! Help, version, completion, sandbox serve: the parts that touch no network.

use predicates::prelude::*;

use crate::common::TestEnv;

#[test]
fn help_and_version() {
    let env = TestEnv::new();
    env.cmd().arg("--help").assert().success().stdout(
        predicate::str::contains("tokens")
            .and(predicate::str::contains("auth"))
            .and(predicate::str::contains("Exit codes")),
    );
    env.cmd()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("tokenctl "));
    env.cmd()
        .args(["tokens", "create", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"));
    env.cmd().arg("frobnicate").assert().code(2);
    env.cmd()
        .args(["tokens", "list", "--status", "sleepy"])
        .assert()
        .code(2);
    env.cmd()
        .args(["--timeout", "soon", "tokens", "list"])
        .assert()
        .code(2);
}

#[test]
fn completion_scripts() {
    let env = TestEnv::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        env.cmd()
            .args(["completion", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("tokenctl"));
    }
    env.cmd().args(["completion", "tcsh"]).assert().code(2);
}

#[test]
fn sandbox_serve_prints_exports() {
    let env = TestEnv::new();
    let mut child = std::process::Command::new(crate::common::BIN)
        .args(["sandbox", "serve", "--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let mut lines = Vec::new();
    {
        use std::io::BufRead;
        let mut r = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        for _ in 0..3 {
            let mut l = String::new();
            r.read_line(&mut l).expect("line");
            lines.push(l.trim().to_owned());
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        lines[0].starts_with("export CLOUDFLARE_BASE_URL=http://127.0.0.1:"),
        "{lines:?}"
    );
    assert!(lines[0].ends_with("/client/v4"));
    assert!(lines[1].starts_with("export CLOUDFLARE_ACCOUNT_ID="));
    assert!(lines[2].starts_with("export CLOUDFLARE_API_TOKEN="));
    drop(env);
}

#[test]
fn broken_pipe_is_quiet() {
    let mut env = TestEnv::new();
    let _sb = env.sandbox();
    // `head -1` closes the pipe early; tokenctl must exit 0 without a word.
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -o pipefail; '{}' tokens list -o id | head -1 >/dev/null",
            crate::common::BIN
        ))
        .env_clear()
        .envs(env.vars().iter().cloned())
        .output()
        .expect("bash");
    assert!(
        out.status.success(),
        "{:?} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
