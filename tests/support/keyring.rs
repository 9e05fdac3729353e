//! A private, unlocked Secret Service for one test: its own dbus-daemon and
//! gnome-keyring-daemon, with every file under a temp dir of its own.
//!
//! The CLI under test gets the session through [`KeyringSession::env`]; the test
//! checks from outside what the CLI stored with `secret-tool` ([`KeyringSession::lookup`]).
//!
//! The keyring crate (4.x, zbus Secret Service store) stores an item with the
//! attributes `service` and `username` in the default collection (`login` here), so
//! `lookup`/`store` use exactly those two attributes.
#![allow(dead_code)]

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// Password of the test `login` collection (a throwaway keyring, never a real one).
const PASSWORD: &str = "tokenctl-test-keyring";
const SECRETS_NAME: &str = "org.freedesktop.secrets";
const LOGIN_PATH: &str = "/org/freedesktop/secrets/collection/login";
const START_TIMEOUT: Duration = Duration::from_secs(5);
const TOOLS: [&str; 4] = [
    "dbus-daemon",
    "dbus-send",
    "gnome-keyring-daemon",
    "secret-tool",
];

/// A bus with no service directories: a client that comes too early gets an error
/// instead of D-Bus-activating a second, locked keyring daemon that nobody cleans up.
fn bus_config(socket: &Path) -> String {
    format!(
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <keep_umask/>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
        socket.display()
    )
}

pub struct KeyringSession {
    dir: tempfile::TempDir,
    bus_address: String,
    dbus_pid: Option<u32>,
    keyring_pid: Option<u32>,
}

impl KeyringSession {
    /// Starts dbus-daemon and an unlocked gnome-keyring-daemon (collection `login`).
    /// Panics, naming `scripts/setup`, when the Debian packages are missing.
    pub fn start() -> KeyringSession {
        for tool in TOOLS {
            assert!(
                on_path(tool),
                "`{tool}` is not on PATH: the keyring tests need the Debian packages \
                 dbus-daemon dbus-bin gnome-keyring libsecret-tools; run `scripts/setup`"
            );
        }
        let dir = short_tempdir();
        for sub in ["run", "data", "home"] {
            fs::create_dir(dir.path().join(sub)).expect("create keyring session dir");
        }
        set_mode_0700(&dir.path().join("run"));
        let config = dir.path().join("bus.conf");
        fs::write(&config, bus_config(&dir.path().join("bus"))).expect("write bus config");

        // From here on a panic drops `session`, which kills whatever was started.
        let mut session = KeyringSession {
            bus_address: String::new(),
            dbus_pid: None,
            keyring_pid: None,
            dir,
        };
        session.start_bus(&config);
        session.start_keyring();
        session
    }

    fn start_bus(&mut self, config: &Path) {
        let out = self
            .command("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--fork", "--print-address=1", "--print-pid=1", "--nosyslog"])
            .stdin(Stdio::null())
            .output()
            .expect("run dbus-daemon");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let mut lines = stdout.lines();
        let (Some(address), Some(pid)) = (lines.next(), lines.next()) else {
            panic!(
                "dbus-daemon did not print its address and pid: {}",
                describe(&out)
            );
        };
        self.dbus_pid = Some(pid.trim().parse().expect("dbus-daemon pid"));
        self.bus_address = address.trim().to_string();
    }

    fn start_keyring(&mut self) {
        let log = self.dir.path().join("gnome-keyring.log");
        let log_file = fs::File::create(&log).expect("create gnome-keyring log");
        let mut child = self
            .command("gnome-keyring-daemon")
            .args(["--unlock", "--components=secrets"])
            .stdin(Stdio::piped())
            .stdout(log_file.try_clone().expect("clone log handle"))
            .stderr(log_file)
            .spawn()
            .expect("spawn gnome-keyring-daemon");
        child
            .stdin
            .take()
            .expect("gnome-keyring-daemon stdin")
            .write_all(PASSWORD.as_bytes())
            .expect("send password to gnome-keyring-daemon");
        // The first process forks the daemon and exits.
        let status = child.wait().expect("wait for gnome-keyring-daemon");
        let log_text = || fs::read_to_string(&log).unwrap_or_default();
        assert!(
            status.success(),
            "gnome-keyring-daemon failed ({status}): {}",
            log_text()
        );

        let deadline = Instant::now() + START_TIMEOUT;
        while !self.name_has_owner(SECRETS_NAME) {
            assert!(
                Instant::now() < deadline,
                "{SECRETS_NAME} got no owner within {START_TIMEOUT:?}: {}",
                log_text()
            );
            sleep(Duration::from_millis(10));
        }
        let reply = self.dbus_send(&[
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.GetConnectionUnixProcessID",
            &format!("string:{SECRETS_NAME}"),
        ]);
        let pid = reply
            .split_whitespace()
            .skip_while(|w| *w != "uint32")
            .nth(1)
            .and_then(|p| p.parse().ok());
        self.keyring_pid = Some(pid.unwrap_or_else(|| panic!("no pid in reply: {reply}")));
        assert!(
            !self.is_locked(),
            "the login collection is locked after start: {}",
            log_text()
        );
    }

    /// Variables a child process needs to reach this Secret Service.
    pub fn env(&self) -> Vec<(String, String)> {
        let path = |sub: &str| self.dir.path().join(sub).display().to_string();
        vec![
            (
                "DBUS_SESSION_BUS_ADDRESS".to_string(),
                self.bus_address.clone(),
            ),
            ("XDG_RUNTIME_DIR".to_string(), path("run")),
            ("XDG_DATA_HOME".to_string(), path("data")),
        ]
    }

    /// The secret stored for (`service`, `user`) as the keyring crate stores it, if any.
    /// Panics on a locked collection, where `secret-tool` answers "not found" for everything.
    pub fn lookup(&self, service: &str, user: &str) -> Option<String> {
        assert!(
            !self.is_locked(),
            "lookup on a locked collection cannot tell a missing item from a locked one"
        );
        let out = self
            .command("secret-tool")
            .args(["lookup", "service", service, "username", user])
            .stdin(Stdio::null())
            .output()
            .expect("run secret-tool lookup");
        if out.status.success() {
            return Some(String::from_utf8(out.stdout).expect("secret is UTF-8"));
        }
        // Exit 1 with nothing said means "no such item"; anything else is a broken session.
        assert!(
            out.status.code() == Some(1) && out.stdout.is_empty() && out.stderr.is_empty(),
            "secret-tool lookup {service} {user} failed: {}",
            describe(&out)
        );
        None
    }

    /// Stores `secret` for (`service`, `user`) the way the keyring crate does.
    pub fn store(&self, service: &str, user: &str, secret: &str) {
        let mut child = self
            .command("secret-tool")
            .args(["store", "--label", &format!("{service} {user} (test)")])
            .args(["service", service, "username", user])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn secret-tool store");
        child
            .stdin
            .take()
            .expect("secret-tool stdin")
            .write_all(secret.as_bytes())
            .expect("send secret to secret-tool");
        let out = child.wait_with_output().expect("wait for secret-tool");
        assert!(
            out.status.success(),
            "secret-tool store {service} {user} failed: {}",
            describe(&out)
        );
    }

    /// Locks the `login` collection, as after a screen lock or a timeout.
    pub fn lock(&self) {
        self.dbus_send(&[
            &format!("--dest={SECRETS_NAME}"),
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            &format!("array:objpath:{LOGIN_PATH}"),
        ]);
        assert!(self.is_locked(), "the login collection is still unlocked");
    }

    fn is_locked(&self) -> bool {
        let reply = self.dbus_send(&[
            &format!("--dest={SECRETS_NAME}"),
            LOGIN_PATH,
            "org.freedesktop.DBus.Properties.Get",
            "string:org.freedesktop.Secret.Collection",
            "string:Locked",
        ]);
        match reply.split_whitespace().last() {
            Some("true") => true,
            Some("false") => false,
            _ => panic!("unexpected Locked reply: {reply}"),
        }
    }

    fn name_has_owner(&self, name: &str) -> bool {
        let reply = self.dbus_send(&[
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            &format!("string:{name}"),
        ]);
        reply.split_whitespace().last() == Some("true")
    }

    /// `dbus-send --print-reply` on this bus; panics on an error reply.
    fn dbus_send(&self, args: &[&str]) -> String {
        let out = self
            .command("dbus-send")
            .args(["--session", "--print-reply", "--reply-timeout=5000"])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run dbus-send");
        assert!(
            out.status.success(),
            "dbus-send {args:?} failed: {}",
            describe(&out)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A command that sees this session and nothing of the caller's desktop, if any.
    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path().join("home"))
            .env("LANG", "C.UTF-8");
        if !self.bus_address.is_empty() {
            cmd.envs(self.env());
        } else {
            cmd.env("XDG_RUNTIME_DIR", self.dir.path().join("run"))
                .env("XDG_DATA_HOME", self.dir.path().join("data"));
        }
        cmd
    }
}

impl Drop for KeyringSession {
    fn drop(&mut self) {
        // The keyring daemon first, while its bus is still there; the temp dir goes last.
        for pid in [self.keyring_pid.take(), self.dbus_pid.take()]
            .into_iter()
            .flatten()
        {
            terminate(pid);
        }
    }
}

/// Environment for a child that can reach no D-Bus session at all.
pub fn no_dbus_env() -> Vec<(String, String)> {
    vec![
        (
            "DBUS_SESSION_BUS_ADDRESS".to_string(),
            "unix:path=/nonexistent/tokenctl-test/bus".to_string(),
        ),
        (
            "XDG_RUNTIME_DIR".to_string(),
            "/nonexistent/tokenctl-test/run".to_string(),
        ),
    ]
}

/// SIGTERM, then SIGKILL if the process is still there after a second.
/// The daemons are not our children (they forked), so there is nothing to reap.
fn terminate(pid: u32) {
    let alive = || {
        fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|stat| {
                // The state follows the parenthesised command name; a zombie is gone.
                let state = stat.rsplit(')').next().unwrap_or("").trim_start();
                !state.starts_with('Z') && !state.starts_with('X')
            })
            .unwrap_or(false)
    };
    // The shell's builtin kill: /usr/bin/kill (procps) is not on every Debian system.
    let signal = |sig: &str| {
        let _ = Command::new("sh")
            .args(["-c", "kill \"$0\" \"$1\"", sig, &pid.to_string()])
            .stderr(Stdio::null())
            .status();
    };
    signal("-TERM");
    let deadline = Instant::now() + Duration::from_secs(1);
    while alive() {
        if Instant::now() > deadline {
            signal("-KILL");
            break;
        }
        sleep(Duration::from_millis(10));
    }
}

/// A temp dir whose path is short enough for a unix socket (108 bytes).
fn short_tempdir() -> tempfile::TempDir {
    let base = std::env::temp_dir();
    let base = if base.as_os_str().len() > 60 {
        PathBuf::from("/tmp")
    } else {
        base
    };
    tempfile::Builder::new()
        .prefix("tokenctl-keyring-")
        .tempdir_in(base)
        .expect("create keyring session temp dir")
}

fn set_mode_0700(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o700)).expect("chmod 0700");
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

fn describe(out: &Output) -> String {
    format!(
        "{}; stdout: {}; stderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout).trim(),
        String::from_utf8_lossy(&out.stderr).trim()
    )
}
