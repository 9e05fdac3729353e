//! Drives tokenctl on a real pseudo-terminal (`script` from util-linux): wait for a prompt's
//! text, then type, so a loaded machine slows the test down instead of breaking it.

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{BIN, TestEnv};

/// Keys as a terminal sends them.
pub const ENTER: &str = "\r";
pub const DOWN: &str = "\x1b[B";
pub const ESC: &str = "\x1b";
pub const BACKSPACE: &str = "\x7f";

pub struct Pty {
    child: Child,
    stdin: Option<ChildStdin>,
    raw: Arc<Mutex<Vec<u8>>>,
    /// Where in the plain text the next [`Pty::expect`] starts looking.
    seen: usize,
}

/// The screen's bytes without escape sequences (colours, cursor moves): the text drawn.
pub fn plain(raw: &[u8]) -> String {
    let s = String::from_utf8_lossy(raw);
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                for c in chars.by_ref() {
                    if c == '\u{7}' {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

impl Pty {
    pub fn spawn(env: &TestEnv, args: &[&str]) -> Pty {
        let quoted: Vec<String> = args
            .iter()
            .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
            .collect();
        let cmd = format!("stty cols 200 rows 50; '{BIN}' {}", quoted.join(" "));
        let mut child = Command::new("script")
            .args(["-qfec", &cmd, "/dev/null"])
            .env_clear()
            .envs(env.vars().iter().cloned())
            .env("TERM", "xterm-256color")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("script (util-linux)");
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut out = child.stdout.take().expect("stdout");
        let sink = raw.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = out.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().expect("screen").extend_from_slice(&buf[..n]);
            }
        });
        Pty {
            stdin: child.stdin.take(),
            child,
            raw,
            seen: 0,
        }
    }

    /// Everything drawn so far, escape sequences and all.
    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().expect("screen").clone()
    }

    /// Everything drawn so far, as text.
    pub fn screen(&self) -> String {
        plain(&self.raw.lock().expect("screen"))
    }

    /// Waits (up to a minute) until `text` is drawn after what was already matched, and
    /// returns what was drawn from there up to and including it.
    pub fn expect(&mut self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let screen = self.screen();
            if let Some(at) = screen.get(self.seen..).and_then(|s| s.find(text)) {
                let end = self.seen + at + text.len();
                let drawn = screen[self.seen..end].to_owned();
                self.seen = end;
                return drawn;
            }
            assert!(
                Instant::now() < deadline,
                "never drew {text:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn send(&mut self, keys: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(keys.as_bytes()).expect("type");
        stdin.flush().expect("flush");
    }

    /// Waits for `text`, then types `keys`.
    pub fn answer(&mut self, text: &str, keys: &str) {
        self.expect(text);
        self.send(keys);
    }

    /// Waits (up to a minute) for the command to end; its status and the whole screen.
    pub fn finish(mut self) -> (ExitStatus, String) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                std::thread::sleep(Duration::from_millis(100));
                return (status, self.screen());
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("still running; screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
