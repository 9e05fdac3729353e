//! Hostile list and issue answers: repeated IDs across pages, IDs that are not path segments,
//! pages that never end, and secret-issuing answers without a secret.

mod pages;
mod paths;
mod secrets;

use serde_json::{Value, json};

use crate::common::{TestEnv, text};
use crate::support::hostile::{Hostile, Reply, Seen};

/// A Cloudflare account ID (32 hex characters).
pub const ACCOUNT: &str = "0123456789abcdef0123456789abcdef";
/// The token the profile authenticates with: never in the listings below.
pub const OWN: &str = "ffffffffffffffffffffffffffffffff";

/// An environment pointed at `server` as Cloudflare.
pub fn cloudflare(server: &Hostile) -> TestEnv {
    let mut env = TestEnv::new();
    env.set("CLOUDFLARE_BASE_URL", &format!("{}/client/v4", server.url))
        .set("CLOUDFLARE_API_TOKEN", "cf-test-credential")
        .set("CLOUDFLARE_ACCOUNT_ID", ACCOUNT);
    env
}

pub fn mailtrap(server: &Hostile) -> TestEnv {
    let mut env = TestEnv::new();
    env.set("MAILTRAP_BASE_URL", &server.url)
        .set("MAILTRAP_API_TOKEN", "mt-test-credential")
        .set("MAILTRAP_ACCOUNT_ID", "1");
    env
}

pub fn prefactor(server: &Hostile) -> TestEnv {
    let mut env = TestEnv::new();
    env.set("PREFACTOR_BASE_URL", &server.url)
        .set("PREFACTOR_API_TOKEN", "pf-test-credential");
    env
}

pub fn mosquitto(server: &Hostile) -> TestEnv {
    let mut env = TestEnv::new();
    env.set("MOSQUITTO_URL", &server.url)
        .set("MOSQUITTO_API_TOKEN", "mq-test-credential");
    env
}

/// A Cloudflare envelope around `result`, with `result_info` when given.
pub fn envelope(result: Value, info: Option<Value>) -> Reply {
    let mut v = json!({"success": true, "errors": [], "messages": [], "result": result});
    if let Some(i) = info {
        v["result_info"] = i;
    }
    Reply::json(200, &v)
}

/// An account token as list answers carry it.
pub fn token(id: &str, name: &str) -> Value {
    json!({"id": id, "name": name, "status": "active", "policies": []})
}

/// The 32-hex ID of token number `n`.
pub fn hex_id(n: usize) -> String {
    format!("{n:032x}")
}

/// Cloudflare's verify answer, naming a token that is not listed.
pub fn verify(seen: &Seen) -> Option<Reply> {
    seen.path()
        .ends_with("/tokens/verify")
        .then(|| envelope(json!({"id": OWN, "status": "active"}), None))
}

/// Requests with this method whose path contains `part`.
pub fn count(server: &Hostile, method: &str, part: &str) -> usize {
    server
        .seen()
        .iter()
        .filter(|s| s.method == method && s.path().contains(part))
        .count()
}

/// The exit code and stderr of a run.
pub fn run(env: &TestEnv, args: &[&str]) -> (i32, String, String) {
    let out = env.cmd().args(args).output().expect("run");
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}
