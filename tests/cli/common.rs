//! The shared test environment: an isolated HOME/XDG per test, the real binary, and a sandbox
//! server on a free port.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Stdio};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

pub const BIN: &str = env!("CARGO_BIN_EXE_tokenctl");

/// An isolated user: own HOME, config, data and no keyring (unless a test brings one).
pub struct TestEnv {
    pub home: TempDir,
    vars: Vec<(String, String)>,
}

impl TestEnv {
    pub fn new() -> Self {
        let home = tempfile::tempdir().expect("tempdir");
        let h = home.path();
        let vars = vec![
            ("HOME".into(), h.display().to_string()),
            (
                "XDG_CONFIG_HOME".into(),
                h.join(".config").display().to_string(),
            ),
            (
                "XDG_DATA_HOME".into(),
                h.join(".local/share").display().to_string(),
            ),
            (
                "XDG_CACHE_HOME".into(),
                h.join(".cache").display().to_string(),
            ),
            ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
            // No keyring reachable unless a test starts one.
            (
                "DBUS_SESSION_BUS_ADDRESS".into(),
                format!("unix:path={}/no-bus", h.display()),
            ),
        ];
        TestEnv { home, vars }
    }

    pub fn vars(&self) -> &[(String, String)] {
        &self.vars
    }

    pub fn set(&mut self, key: &str, value: &str) -> &mut Self {
        self.vars.retain(|(k, _)| k != key);
        self.vars.push((key.into(), value.into()));
        self
    }

    pub fn set_all(&mut self, pairs: &[(String, String)]) -> &mut Self {
        for (k, v) in pairs {
            self.set(k, v);
        }
        self
    }

    /// The tool with only this environment.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(BIN);
        c.env_clear();
        for (k, v) in &self.vars {
            c.env(k, v);
        }
        c.timeout(std::time::Duration::from_secs(60));
        c
    }

    /// As on a terminal (tables with relative times, prompts read from stdin).
    pub fn tty_cmd(&self) -> Command {
        let mut c = self.cmd();
        c.env("TOKENCTL_FORCE_TTY", "1").env("NO_COLOR", "1");
        c
    }

    pub fn config_dir(&self) -> PathBuf {
        self.home.path().join(".config/tokenctl")
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.home.path().join(rel)
    }

    /// Puts a rotation journal entry that is not JSON in place: `r1.json`.
    pub fn damage_journal(&self) {
        let dir = self.path(".local/share/tokenctl/rotations");
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("r1.json"), b"{\"id\": 3, oops").expect("write");
    }

    /// Starts `tokenctl sandbox serve` on a free port and points the Cloudflare env at it.
    pub fn sandbox(&mut self) -> Sandbox {
        let sb = Sandbox::start(&self.vars, &[]);
        self.set("CLOUDFLARE_BASE_URL", &sb.base_url)
            .set("CLOUDFLARE_ACCOUNT_ID", &sb.account_id)
            .set("CLOUDFLARE_API_TOKEN", &sb.token);
        sb
    }
}

/// A `tokenctl sandbox serve` child process.
pub struct Sandbox {
    child: Child,
    pub root: String,
    pub base_url: String,
    pub account_id: String,
    pub token: String,
    /// The account's Global API Key and its email.
    pub email: String,
    pub api_key: String,
    /// Every vendor's connection, as `sandbox serve -o json` printed it.
    pub connections: Value,
}

impl Sandbox {
    pub fn start(vars: &[(String, String)], extra: &[&str]) -> Sandbox {
        let mut cmd = StdCommand::new(BIN);
        cmd.env_clear()
            .envs(vars.iter().cloned())
            .args(["sandbox", "serve", "--port", "0", "-o", "json"])
            .args(extra);
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn sandbox");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read sandbox line");
        let v: Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("sandbox printed {line:?}: {e}"));
        let cf = &v["cloudflare"];
        let base_url = cf["base_url"].as_str().expect("base_url").to_owned();
        let root = base_url.trim_end_matches("/client/v4").to_owned();
        Sandbox {
            child,
            root,
            base_url,
            account_id: cf["account_id"].as_str().expect("account_id").to_owned(),
            token: cf["token"].as_str().expect("token").to_owned(),
            email: cf["email"].as_str().unwrap_or_default().to_owned(),
            api_key: cf["api_key"].as_str().unwrap_or_default().to_owned(),
            connections: v.clone(),
        }
    }

    /// Every request the sandbox saw (method, path, query, status).
    pub fn requests(&self) -> Vec<Value> {
        ureq::get(&format!("{}/__sandbox/requests", self.root))
            .call()
            .expect("requests")
            .body_mut()
            .read_json()
            .expect("json")
    }

    pub fn clear_requests(&self) {
        ureq::delete(&format!("{}/__sandbox/requests", self.root))
            .call()
            .expect("clear");
    }

    /// Requests other than the control routes, as "METHOD path" strings.
    pub fn request_lines(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r["method"].as_str().unwrap_or(""),
                    r["path"].as_str().unwrap_or("")
                )
            })
            .collect()
    }

    pub fn fault(&self, fault: Value) {
        ureq::post(&format!("{}/__sandbox/faults", self.root))
            .send_json(fault)
            .expect("fault");
    }

    /// A direct API call with an arbitrary token, bypassing the CLI.
    pub fn api(&self, method: &str, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}{}", self.base_url, path);
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let auth = format!("Bearer {token}");
        let mut resp = match (method, body) {
            ("GET", _) => agent.get(&url).header("Authorization", &auth).call(),
            ("DELETE", _) => agent.delete(&url).header("Authorization", &auth).call(),
            ("PUT", Some(b)) => agent.put(&url).header("Authorization", &auth).send_json(b),
            ("POST", Some(b)) => agent.post(&url).header("Authorization", &auth).send_json(b),
            (m, _) => panic!("unsupported {m}"),
        }
        .expect("api call");
        let status = resp.status().as_u16();
        let v = resp.body_mut().read_json().unwrap_or(Value::Null);
        (status, v)
    }

    /// Uses a service token as an Access client would: true when Access lets it through.
    pub fn access_check(&self, client_id: &str, secret: &str) -> bool {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let resp = agent
            .get(&format!("{}/__sandbox/access/check", self.root))
            .header("CF-Access-Client-Id", client_id)
            .header("CF-Access-Client-Secret", secret)
            .call()
            .expect("access check");
        resp.status().as_u16() == 200
    }

    /// A user whose environment holds this sandbox's credential for `vendor` (`mailtrap`,
    /// `prefactor` or `mosquitto`), in the vendor's own variables, with no profile.
    pub fn vendor_env(&self, vendor: &str) -> TestEnv {
        let c = &self.connections[vendor];
        let s = |k: &str| {
            c[k].as_str()
                .unwrap_or_else(|| panic!("{vendor} has no {k}"))
                .to_owned()
        };
        let mut env = TestEnv::new();
        match vendor {
            "mailtrap" => env
                .set("MAILTRAP_BASE_URL", &s("base_url"))
                .set("MAILTRAP_ACCOUNT_ID", &s("account_id"))
                .set("MAILTRAP_API_TOKEN", &s("token")),
            "prefactor" => env
                .set("PREFACTOR_BASE_URL", &s("base_url"))
                .set("PREFACTOR_API_TOKEN", &s("token")),
            "mosquitto" => env
                .set("MOSQUITTO_URL", &s("base_url"))
                .set("MOSQUITTO_API_TOKEN", &s("token")),
            other => panic!("no vendor_env for {other}"),
        };
        env
    }

    /// The ID of the seeded token with this exact name.
    pub fn token_id(&self, name: &str) -> String {
        let mut page = 1;
        loop {
            let (_, v) = self.api(
                "GET",
                &format!(
                    "/accounts/{}/tokens?per_page=50&page={page}&include_expired=true",
                    self.account_id
                ),
                &self.token,
                None,
            );
            let items = v["result"].as_array().expect("result").clone();
            if items.is_empty() {
                panic!("no token named {name}");
            }
            if let Some(t) = items.iter().find(|t| t["name"] == name) {
                return t["id"].as_str().expect("id").to_owned();
            }
            page += 1;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn stdout_json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[cfg(unix)]
pub fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}
