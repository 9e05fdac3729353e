//! Proves the test harness in tests/support: the private Secret Service and the
//! Prism mock behave as the CLI's tests rely on.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::keyring::{KeyringSession, no_dbus_env};
use crate::support::prism::Prism;

/// Set in the child process that runs `keyring_crate_child`; says what it does.
const CHILD_MODE: &str = "TOKENCTL_SELFTEST_CHILD";

#[test]
fn keyring_store_then_lookup() {
    let started = Instant::now();
    let session = KeyringSession::start();
    eprintln!("KeyringSession::start took {:?}", started.elapsed());

    assert_eq!(session.lookup("tokenctl", "selftest-store"), None);
    session.store("tokenctl", "selftest-store", "s3cret with spaces");
    assert_eq!(
        session.lookup("tokenctl", "selftest-store").as_deref(),
        Some("s3cret with spaces")
    );
    assert_eq!(session.lookup("tokenctl", "someone-else"), None);
    assert_eq!(session.lookup("other-service", "selftest-store"), None);
}

#[test]
fn keyring_lock_locks_the_login_collection() {
    let session = KeyringSession::start();
    session.store("tokenctl", "selftest-lock", "before-lock");
    // `lock` itself asserts that the collection reports Locked=true afterwards.
    session.lock();
    // With no display for an unlock prompt, the crate fails at once instead of hanging.
    let started = Instant::now();
    run_child(&session.env(), "locked");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn keyring_sessions_are_independent_in_parallel() {
    let threads: Vec<_> = (0..6)
        .map(|i| {
            std::thread::spawn(move || {
                let started = Instant::now();
                let session = KeyringSession::start();
                let took = started.elapsed();
                session.store("tokenctl", "shared-name", &format!("secret-{i}"));
                (session, took)
            })
        })
        .collect();
    let sessions: Vec<_> = threads
        .into_iter()
        .map(|t| t.join().expect("session thread"))
        .collect();
    for (i, (session, took)) in sessions.iter().enumerate() {
        eprintln!("parallel KeyringSession::start #{i} took {took:?}");
        assert_eq!(
            session.lookup("tokenctl", "shared-name"),
            Some(format!("secret-{i}"))
        );
    }
}

#[test]
fn keyring_session_is_cleaned_up_on_drop() {
    let session = KeyringSession::start();
    let env = session.env();
    let runtime = env
        .iter()
        .find(|(k, _)| k == "XDG_RUNTIME_DIR")
        .map(|(_, v)| std::path::PathBuf::from(v))
        .expect("XDG_RUNTIME_DIR in env()");
    let pids = daemons_using(&runtime);
    assert_eq!(
        pids.len(),
        2,
        "dbus-daemon and gnome-keyring-daemon: {pids:?}"
    );
    drop(session);
    assert!(
        !runtime.exists(),
        "temp dir left behind: {}",
        runtime.display()
    );
    for pid in pids {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat.rsplit(')').next().unwrap_or("").trim_start();
        assert!(
            stat.is_empty() || state.starts_with('Z'),
            "process {pid} still running: {stat}"
        );
    }
}

/// The keyring crate, run in a child process with the session's environment, stores
/// what `lookup` finds, reads what `store` stored, and with `no_dbus_env` finds no store.
#[test]
fn keyring_crate_agrees_with_secret_tool() {
    let session = KeyringSession::start();
    session.store("tokenctl", "selftest-prepared", "prepared-secret");

    run_child(&session.env(), "roundtrip");
    assert_eq!(
        session.lookup("tokenctl", "selftest-crate").as_deref(),
        Some("crate-secret")
    );

    // The attribute names the crate stores, as Secret Service sees them.
    let out = Command::new("secret-tool")
        .args([
            "search",
            "--all",
            "service",
            "tokenctl",
            "username",
            "selftest-crate",
        ])
        .envs(session.env())
        .output()
        .expect("run secret-tool search");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut attributes: Vec<&str> = text
        .lines()
        .filter_map(|line| line.strip_prefix("attribute."))
        .filter_map(|line| line.split(" = ").next())
        .collect();
    attributes.sort_unstable();
    eprintln!("secret-tool search:\n{text}");
    assert_eq!(attributes, ["service", "username"], "{text}");

    run_child(&no_dbus_env(), "no-dbus");
}

fn run_child(env: &[(String, String)], mode: &str) {
    let exe = std::env::current_exe().expect("current test binary");
    let out = Command::new(exe)
        .args([
            "harness::keyring_crate_child",
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .envs(env.iter().cloned())
        .env(CHILD_MODE, mode)
        .output()
        .expect("run child test");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && text.contains("1 passed"),
        "child ({mode}) failed:\n{text}"
    );
}

#[test]
#[ignore = "run as a child process by keyring_crate_agrees_with_secret_tool"]
fn keyring_crate_child() {
    let Ok(mode) = std::env::var(CHILD_MODE) else {
        eprintln!("keyring_crate_child does something only as a child process");
        return;
    };
    match mode.as_str() {
        "roundtrip" => {
            let prepared = keyring::Entry::new("tokenctl", "selftest-prepared").expect("entry");
            assert_eq!(prepared.get_password().expect("get"), "prepared-secret");
            let entry = keyring::Entry::new("tokenctl", "selftest-crate").expect("entry");
            entry.set_password("crate-secret").expect("set_password");
            assert_eq!(entry.get_password().expect("get"), "crate-secret");
        }
        "no-dbus" => {
            let err = keyring::Entry::new("tokenctl", "selftest-none")
                .and_then(|entry| entry.get_password())
                .expect_err("no D-Bus session, yet the keyring answered");
            eprintln!(
                "without D-Bus: {err:?} / {:?}",
                keyring::Entry::store_status()
            );
        }
        "locked" => {
            let entry = keyring::Entry::new("tokenctl", "selftest-lock").expect("entry");
            let err = entry
                .get_password()
                .expect_err("read from a locked keyring");
            assert!(
                matches!(err, keyring::Error::NoStorageAccess(_)),
                "locked keyring: {err:?}"
            );
        }
        other => panic!("unknown {CHILD_MODE}: {other}"),
    }
}

#[test]
fn prism_answers_valid_and_rejects_invalid_requests() {
    let started = Instant::now();
    let Some(prism) = Prism::start() else { return };
    eprintln!("Prism::start took {:?}", started.elapsed());
    let account = "0123456789abcdef0123456789abcdef";

    let ok = http_get(&prism.base_url, &format!("/accounts/{account}/tokens"), "x");
    assert_eq!(ok.status, 200, "{ok:?}");
    assert_eq!(ok.header("sl-violations"), None, "{ok:?}");
    let body: serde_json::Value = serde_json::from_str(&ok.body).expect("JSON body");
    assert_eq!(body["success"], true, "{body}");
    assert!(body["result"].is_array(), "{body}");

    // account_id must be exactly 32 characters.
    let short = http_get(
        &prism.base_url,
        &format!("/accounts/{}/tokens", &account[1..]),
        "x",
    );
    assert_violation(&short, 422, "account_id");
    // per_page is at most 50.
    let big = http_get(
        &prism.base_url,
        &format!("/accounts/{account}/tokens?per_page=100"),
        "x",
    );
    assert_violation(&big, 422, "per_page");
    // The mocked paths carry no /client/v4 prefix: base_url replaces all of it.
    let prefixed = http_get(
        &prism.base_url,
        &format!("/client/v4/accounts/{account}/tokens"),
        "x",
    );
    assert_eq!(prefixed.status, 404, "{prefixed:?}");
}

fn assert_violation(response: &Response, status: u16, field: &str) {
    assert_eq!(response.status, status, "{response:?}");
    let violations = response
        .header("sl-violations")
        .unwrap_or_else(|| panic!("no sl-violations header: {response:?}"));
    let violations: serde_json::Value =
        serde_json::from_str(violations).expect("sl-violations is JSON");
    let first = &violations[0];
    assert_eq!(first["severity"], "Error", "{violations}");
    assert!(
        first["location"]
            .as_array()
            .is_some_and(|loc| loc.iter().any(|part| part == field)),
        "{violations}"
    );
}

#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A plain HTTP/1.1 GET with a Bearer token (Prism answers with Content-Length).
fn http_get(base_url: &str, path: &str, token: &str) -> Response {
    let host = base_url.strip_prefix("http://").expect("http base URL");
    let mut stream = TcpStream::connect(host).expect("connect to Prism");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("set timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
         Accept: application/json\r\nConnection: close\r\n\r\n"
    )
    .expect("send request");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).expect("read response");
    let (head, body) = raw.split_once("\r\n\r\n").expect("header/body separator");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .expect("status line");
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body: body.to_string(),
    }
}

/// PIDs of live processes whose environment has XDG_RUNTIME_DIR=`runtime`.
fn daemons_using(runtime: &std::path::Path) -> Vec<u32> {
    let needle = format!("XDG_RUNTIME_DIR={}", runtime.display());
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ")).is_ok_and(|environ| {
                environ
                    .split(|b| *b == 0)
                    .any(|var| var == needle.as_bytes())
            })
        })
        .collect()
}

#[test]
fn hostile_server_answers_as_told_and_records_requests() {
    use crate::support::hostile::{Hostile, Reply};
    let server = Hostile::start(|req| {
        if req.path() == "/json" {
            Reply::json(201, &serde_json::json!({"ok": true})).header("X-Seen", "yes")
        } else {
            Reply::new(302)
                .header("Location", "http://127.0.0.1:9/")
                .body("moved")
        }
    });
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let mut resp = agent
        .get(&format!("{}/json?page=2&x", server.url))
        .header("X-Auth-Key", "k1")
        .call()
        .expect("json");
    assert_eq!(resp.status().as_u16(), 201);
    assert_eq!(
        resp.headers().get("x-seen").map(|v| v.as_bytes()),
        Some(&b"yes"[..])
    );
    let v: serde_json::Value = resp.body_mut().read_json().expect("body");
    assert_eq!(v["ok"], true);
    let resp = agent
        .post(&format!("{}/other", server.url))
        .send("abc")
        .expect("redirect");
    assert_eq!(resp.status().as_u16(), 302);
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].path(), "/json");
    assert_eq!(seen[0].query("page").as_deref(), Some("2"));
    assert_eq!(seen[0].query("x").as_deref(), Some(""));
    assert_eq!(seen[0].header("X-Auth-Key"), Some("k1"));
    assert_eq!(seen[1].body, b"abc");
}
