//! The Prism mock server (tests/contract, installed by `scripts/setup`) serving a vendor's
//! OpenAPI spec (Cloudflare's by default, Mailtrap's with [`Prism::start_spec`]), with request
//! validation on.
//!
//! With `--errors`, a request that breaks the spec gets a 4xx (422 for a bad
//! parameter or body, 401 for a missing or wrong auth scheme) with a JSON array of
//! `{location, severity, code, message}` in the `sl-violations` header; a valid one
//! gets the spec's example (200 for the account-token operations).
//!
//! The mocked paths have no `/client/v4` prefix: `base_url` is what replaces
//! `https://api.cloudflare.com/client/v4` (and, for Mailtrap, `https://mailtrap.io`).
//!
//! [`Prism::prefer`] puts a proxy in front of the mock that asks for one response code
//! (`Prefer: code=N`), so a test can walk a verb's error paths with the spec's own error
//! bodies, and records whether Prism found the request itself invalid.
#![allow(dead_code)]

use std::fs;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{JoinHandle, sleep};
use std::time::{Duration, Instant};

const START_TIMEOUT: Duration = Duration::from_secs(30);
const READY_LINE: &str = "Prism is listening on";
/// Another process may take the free port between our probe and Prism's bind.
const ATTEMPTS: usize = 3;

pub struct Prism {
    pub base_url: String,
    port: u16,
    child: Child,
    log: tempfile::NamedTempFile,
}

impl Prism {
    /// Starts Prism on a free loopback port. None (and says so on stderr) when the
    /// spec file is not there, so the contract test counts for nothing.
    pub fn start() -> Option<Prism> {
        let spec = match std::env::var_os("TOKENCTL_OPENAPI") {
            Some(path) => PathBuf::from(path),
            None => spec_path("cloudflare-tokens.openapi.json"),
        };
        Self::start_file(spec)
    }

    /// Starts Prism on `file` of the shared specs folder (e.g.
    /// `mailtrap-account-management.openapi.yml`); None as for [`Prism::start`].
    pub fn start_spec(file: &str) -> Option<Prism> {
        Self::start_file(spec_path(file))
    }

    /// Prism mocking the spec file at `path` (one a test derived from a file in specs/).
    pub fn start_path(path: PathBuf) -> Option<Prism> {
        Self::start_file(path)
    }

    fn start_file(spec: PathBuf) -> Option<Prism> {
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
            port,
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

/// A file of the shared specs folder, beside the repository.
pub fn spec_path(file: &str) -> PathBuf {
    manifest_dir().join("../shared/specs").join(file)
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

/// A proxy in front of Prism that adds `Prefer: code=N` to the requests of one method (the
/// others pass as they are). Stops when dropped.
pub struct Prefer {
    pub base_url: String,
    /// `sl-violations` of the answers that carried one: the request itself broke the spec.
    violations: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Prism {
    /// A proxy whose `method` requests ask Prism for the spec's `code` answer.
    pub fn prefer(&self, method: &'static str, code: u16) -> Prefer {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind proxy");
        listener.set_nonblocking(true).expect("nonblocking");
        let base_url = format!("http://{}", listener.local_addr().expect("addr"));
        let violations = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let upstream = self.port;
        let thread = {
            let (violations, stop) = (violations.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((client, _)) => {
                            let violations = violations.clone();
                            std::thread::spawn(move || {
                                forward(client, upstream, (method, code), &violations);
                            });
                        }
                        Err(_) => sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        Prefer {
            base_url,
            violations,
            stop,
            thread: Some(thread),
        }
    }
}

impl Prefer {
    pub fn violations(&self) -> Vec<String> {
        self.violations.lock().expect("violations").clone()
    }
}

impl Drop for Prefer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// One request: read it (head, then `Content-Length` bytes), send it to Prism with
/// `Connection: close` (and `Prefer` if its method is the one), copy the whole answer back.
fn forward(
    client: TcpStream,
    upstream: u16,
    (method, code): (&str, u16),
    violations: &Mutex<Vec<String>>,
) {
    let _ = client.set_nonblocking(false);
    let _ = client.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = std::io::BufReader::new(client.try_clone().expect("clone stream"));
    let mut head = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if std::io::BufRead::read_line(&mut reader, &mut line).unwrap_or(0) == 0 {
            return;
        }
        if line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if !lower.starts_with("connection:") && !lower.starts_with("prefer:") {
            head.push(line);
        }
    }
    let mut body = vec![0u8; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let Ok(mut prism) = TcpStream::connect((Ipv4Addr::LOCALHOST, upstream)) else {
        return;
    };
    let mut request = head.concat();
    if request.starts_with(&format!("{method} ")) {
        request.push_str(&format!("Prefer: code={code}\r\n"));
    }
    request.push_str("Connection: close\r\n\r\n");
    let mut answer = Vec::new();
    if prism.write_all(request.as_bytes()).is_err()
        || prism.write_all(&body).is_err()
        || prism.read_to_end(&mut answer).is_err()
    {
        return;
    }
    let text = String::from_utf8_lossy(&answer);
    let head_end = text.find("\r\n\r\n").unwrap_or(text.len());
    for line in text[..head_end].lines() {
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("sl-violations")
        {
            violations
                .lock()
                .expect("violations")
                .push(v.trim().to_owned());
        }
    }
    let mut client = client;
    let _ = client.write_all(&answer);
}
