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

#[test]
fn a_closed_stdout_moves_a_new_secret_to_stderr() {
    use std::process::{Command, Stdio};
    let mut env = TestEnv::new();
    let _sb = env.sandbox();
    let mut child = Command::new(crate::common::BIN)
        .env_clear()
        .envs(env.vars().iter().cloned())
        .args([
            "tokens",
            "create",
            "--name",
            "piped-away",
            "--permission",
            "DNS Read",
            "--json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take()); // the reader is gone before anything is printed
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("the new secret follows on stderr") && err.contains("\"value\": \"cfat_"),
        "{err}"
    );
}

#[test]
fn ctrl_c_exits_130_and_leaves_no_secret_file() {
    use std::process::{Command, Stdio};
    let env = TestEnv::new();
    let sb = crate::common::Sandbox::start(env.vars(), &["--latency", "3000"]);
    let file = env.path("never.token");
    let child = Command::new(crate::common::BIN)
        .env_clear()
        .envs(env.vars().iter().cloned())
        .env("CLOUDFLARE_BASE_URL", &sb.base_url)
        .env("CLOUDFLARE_ACCOUNT_ID", &sb.account_id)
        .env("CLOUDFLARE_API_TOKEN", &sb.token)
        .args([
            "tokens",
            "create",
            "--name",
            "interrupted",
            "--permission",
            "DNS Read",
            "--secret-file",
        ])
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(std::time::Duration::from_millis(1000));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let out = child.wait_with_output().expect("wait");
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted"));
    assert!(!file.exists(), "no partial secret file");
}

#[test]
fn proxies_come_from_the_environment() {
    use std::io::{BufRead, BufReader, Write};
    // A stand-in proxy that records the request line and answers 502.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let seen = std::thread::spawn(move || {
        let (stream, _) = listener.accept().expect("accept");
        let mut line = String::new();
        BufReader::new(&stream).read_line(&mut line).expect("read");
        let mut s = stream;
        let _ = s.write_all(
            b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        );
        line
    });
    let mut env = TestEnv::new();
    env.set("CLOUDFLARE_BASE_URL", "http://127.0.0.1:9/client/v4")
        .set("CLOUDFLARE_ACCOUNT_ID", &"a".repeat(32))
        .set("CLOUDFLARE_API_TOKEN", "proxied")
        .set("HTTP_PROXY", &format!("http://127.0.0.1:{port}"));
    env.cmd()
        .args(["--timeout", "2s", "tokens", "verify"])
        .assert()
        .failure();
    let line = seen.join().expect("proxy thread");
    assert!(
        line.starts_with("GET http://127.0.0.1:9/client/v4/accounts/"),
        "{line}"
    );
}

#[test]
fn a_create_whose_answer_never_comes_is_outcome_unknown() {
    let env = TestEnv::new();
    let sb = crate::common::Sandbox::start(env.vars(), &["--latency", "3000"]);
    sb.clear_requests();
    env.cmd()
        .env("CLOUDFLARE_BASE_URL", &sb.base_url)
        .env("CLOUDFLARE_ACCOUNT_ID", &sb.account_id)
        .env("CLOUDFLARE_API_TOKEN", &sb.token)
        .args(["--timeout", "1s", "tokens", "create", "--name", "maybe", "--policy-file", "-"])
        .write_stdin(format!(
            r#"[{{"effect":"allow","permission_groups":[{{"id":"c8fed203ed3043cba015a93ad1616f1f"}}],"resources":{{"com.cloudflare.api.account.{}":"*"}}}}]"#,
            sb.account_id
        ))
        .assert()
        .code(9)
        .stderr(predicate::str::contains("may or may not have happened").and(predicate::str::contains("tokenctl tokens list --name 'maybe'")));
    // Never sent again (the sandbox logs a request once it completes, so the abandoned one may
    // not show at all).
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let posts = sb
        .requests()
        .iter()
        .filter(|r| r["method"] == "POST")
        .count();
    assert!(posts <= 1, "{posts} POSTs");
}

#[test]
fn ctrl_c_during_a_bulk_rotate_names_the_changes_in_flight() {
    use std::process::{Command, Stdio};
    let env = TestEnv::new();
    let sb = crate::common::Sandbox::start(env.vars(), &[]);
    // The rotations are answered only after 5 s: the interrupt comes while they are in flight.
    sb.fault(serde_json::json!({
        "path_prefix": format!("/client/v4/accounts/{}/access/service_tokens/", sb.account_id),
        "method": "POST", "kind": "slow", "delay_ms": 5000, "times": 100
    }));
    let child = Command::new(crate::common::BIN)
        .env_clear()
        .envs(env.vars().iter().cloned())
        .env("CLOUDFLARE_BASE_URL", &sb.base_url)
        .env("CLOUDFLARE_ACCOUNT_ID", &sb.account_id)
        .env("CLOUDFLARE_API_TOKEN", &sb.token)
        .args([
            "service-tokens",
            "rotate",
            "--name",
            "k8s-ingress-*",
            "--grace",
            "1h",
            "--yes",
            "--json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("rotating k8s-ingress-prod"), "{err}");
    assert!(
        err.contains("2 change(s) were sent and not answered; they may have happened"),
        "{err}"
    );
    assert_eq!(
        err.matches("check with `tokenctl service-tokens get ")
            .count(),
        2,
        "{err}"
    );
}
