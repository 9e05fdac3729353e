//! The Prism mock server (tests/contract, installed by `scripts/setup`) serving the
//! Cloudflare OpenAPI spec, with request validation on.
//!
//! With `--errors`, a request that breaks the spec gets a 4xx (422 for a bad
//! parameter or body, 401 for a missing or wrong auth scheme) with a JSON array of
//! `{location, severity, code, message}` in the `sl-violations` header; a valid one
//! gets the spec's example (200 for the account-token operations).
//!
//! The mocked paths have no `/client/v4` prefix: `base_url` is what replaces
//! `https://api.cloudflare.com/client/v4`.
#![allow(dead_code)]

use std::fs;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

const START_TIMEOUT: Duration = Duration::from_secs(30);
const READY_LINE: &str = "Prism is listening on";
/// Another process may take the free port between our probe and Prism's bind.
const ATTEMPTS: usize = 3;

pub struct Prism {
    pub base_url: String,
    child: Child,
    log: tempfile::NamedTempFile,
}

impl Prism {
    /// Starts Prism on a free loopback port. None (and says so on stderr) when the
    /// spec file is not there, so the contract test counts for nothing.
    pub fn start() -> Option<Prism> {
        let spec = match std::env::var_os("TOKENCTL_OPENAPI") {
            Some(path) => PathBuf::from(path),
            None => manifest_dir().join("../shared/specs/cloudflare-tokens.openapi.json"),
        };
        if !spec.is_file() {
            eprintln!(
                "contract test NOT COUNTED: no OpenAPI spec at {} (set TOKENCTL_OPENAPI)",
                spec.display()
            );
            return None;
        }
        let prism = manifest_dir().join("tests/contract/node_modules/.bin/prism");
        assert!(
            prism.is_file(),
            "Prism is not installed at {}: run `scripts/setup`",
            prism.display()
        );

        let mut last_log = String::new();
        for _ in 0..ATTEMPTS {
            match Self::try_start(&prism, &spec) {
                Ok(started) => return Some(started),
                Err(log) => last_log = log,
            }
        }
        panic!("Prism did not start in {ATTEMPTS} attempts; last log:\n{last_log}");
    }

    /// Err carries Prism's log when it exited before it listened (e.g. port taken).
    fn try_start(prism: &PathBuf, spec: &PathBuf) -> Result<Prism, String> {
        let port = free_port();
        let log = tempfile::Builder::new()
            .prefix("tokenctl-prism-")
            .suffix(".log")
            .tempfile()
            .expect("create prism log");
        let out = log.reopen().expect("open prism log");
        let child = Command::new(prism)
            .args([
                "mock",
                "--errors",
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .arg(spec)
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("clone log handle"))
            .stderr(out)
            .spawn()
            .expect("spawn prism");
        // From here on Drop kills the child, on success, error or panic.
        let mut started = Prism {
            base_url: format!("http://127.0.0.1:{port}"),
            child,
            log,
        };
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            // Our own child's log line, so a server of someone else's on the port never counts.
            if started.log_text().contains(READY_LINE) && answers(port) {
                return Ok(started);
            }
            if let Some(status) = started.child.try_wait().expect("poll prism") {
                return Err(format!("exited with {status}:\n{}", started.log_text()));
            }
            assert!(
                Instant::now() < deadline,
                "Prism did not listen within {START_TIMEOUT:?}:\n{}",
                started.log_text()
            );
            sleep(Duration::from_millis(50));
        }
    }

    /// Everything Prism logged so far (one line per request, with violations).
    pub fn log_text(&self) -> String {
        fs::read_to_string(self.log.path()).unwrap_or_default()
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .expect("find a free port")
        .port()
}

/// True once an HTTP request to the port gets any HTTP answer.
fn answers(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect((Ipv4Addr::LOCALHOST, port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 5];
    stream.read_exact(&mut head).is_ok() && &head == b"HTTP/"
}
