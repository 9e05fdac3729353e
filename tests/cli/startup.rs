//! Start-up does only the work a command needs: `--version`, `--help`, `completion` and
//! `profile list` open no connection (network or D-Bus keyring) and load no TLS root
//! certificates. Checked from outside with strace, with controls showing that the same
//! trace does see connections and certificate loading when a command really needs them.

use crate::common::{BIN, TestEnv, text};

/// The system calls of one run that matter here: connections and files opened.
fn trace(env: &TestEnv, args: &[&str]) -> String {
    let out = env.path("strace.txt");
    let mut cmd = std::process::Command::new("strace");
    cmd.args(["-f", "-qq", "-e", "trace=connect,open,openat", "-o"])
        .arg(&out)
        .arg(BIN)
        .args(args)
        .env_clear()
        .stdin(std::process::Stdio::null());
    for (k, v) in env.vars() {
        cmd.env(k, v);
    }
    let run = cmd
        .output()
        .expect("strace runs (scripts/setup installs it)");
    assert!(
        !text(&run.stderr).contains("strace:"),
        "strace failed: {}",
        text(&run.stderr)
    );
    std::fs::read_to_string(&out).expect("strace output")
}

fn connects(trace: &str) -> Vec<&str> {
    trace.lines().filter(|l| l.contains("connect(")).collect()
}

/// Root certificates: the system bundle or the hashed certificate directory.
fn loads_certificates(trace: &str) -> bool {
    trace
        .lines()
        .any(|l| l.contains("/etc/ssl") || l.contains("ca-certificates") || l.contains("/certs"))
}

fn configured_env() -> TestEnv {
    let mut env = TestEnv::new();
    // Credentials in the environment, a keyring address that exists as a path: nothing here
    // may tempt a command into using them.
    env.set(
        "CLOUDFLARE_API_TOKEN",
        "never-used-token-value-1234567890abc",
    )
    .set("CLOUDFLARE_ACCOUNT_ID", "3f8a9c2e7b1d4e6fa05c8d2b9e7f1a43");
    env.cmd()
        .args([
            "profile",
            "add",
            "prod",
            "--vendor",
            "cloudflare",
            "--account",
            "3f8a9c2e7b1d4e6fa05c8d2b9e7f1a43",
        ])
        .assert()
        .success();
    env
}

#[test]
fn commands_that_need_nothing_touch_nothing() {
    let env = configured_env();
    for args in [
        &["--version"][..],
        &["--help"],
        &["tokens", "roll", "--help"],
        &["completion", "bash"],
        &["completion", "zsh"],
        &["profile", "list"],
        &["profile", "list", "--json"],
    ] {
        let t = trace(&env, args);
        assert!(
            connects(&t).is_empty(),
            "{args:?} connected somewhere:\n{}",
            connects(&t).join("\n")
        );
        assert!(
            !loads_certificates(&t),
            "{args:?} loaded TLS root certificates"
        );
    }
}

#[test]
fn the_trace_sees_connections_and_certificates_when_they_happen() {
    // An https endpoint on a closed port: the client is built (certificates loaded) and a
    // connection attempted, then the command fails with the network exit code.
    let mut env = configured_env();
    env.set("CLOUDFLARE_BASE_URL", "https://127.0.0.1:9/client/v4");
    let t = trace(&env, &["tokens", "list", "--timeout", "2s"]);
    assert!(
        connects(&t).iter().any(|l| l.contains("127.0.0.1")),
        "no connection seen:\n{t}"
    );
    assert!(loads_certificates(&t), "no certificate loading seen");
}

#[test]
fn plain_http_endpoints_skip_tls_setup() {
    // The sandbox speaks plain http on loopback: the command connects, but never reads the
    // system's root certificates.
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let t = trace(&env, &["tokens", "list", "--json"]);
    let port = sb.base_url.split(':').nth(2).unwrap_or_default();
    let port = port.split('/').next().unwrap_or_default();
    assert!(
        connects(&t)
            .iter()
            .any(|l| l.contains(&format!("htons({port})"))),
        "no connection to the sandbox seen:\n{t}"
    );
    assert!(
        !loads_certificates(&t),
        "a plain http run loaded certificates"
    );
}
