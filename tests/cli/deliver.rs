//! `--deliver`: new secrets handed to real consumers on this machine (the Secret Service,
//! kubectl, python-dotenv, bash, age), and what never reaches them (argv, environment).

mod consumers;
mod safety;

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::common::{Sandbox, TestEnv, stdout_json, text};

/// A user with a sandbox; commands run in their home directory.
fn setup() -> (TestEnv, Sandbox) {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    (env, sb)
}

/// Runs tokenctl in the user's home with `args`; returns the output, whatever its exit.
fn run(env: &TestEnv, args: &[&str]) -> Output {
    env.cmd()
        .current_dir(env.home.path())
        .args(args)
        .output()
        .expect("run")
}

/// Rolls the sandbox token `name` with `--json` and `extra`; must succeed. Returns the new
/// secret.
fn roll(env: &TestEnv, sb: &Sandbox, name: &str, extra: &[&str]) -> (Output, String) {
    let id = sb.token_id(name);
    let mut args = vec!["tokens", "roll", &id, "--yes", "--json"];
    args.extend_from_slice(extra);
    let out = run(env, &args);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    let secret = stdout_json(&out)["value"]
        .as_str()
        .expect("value")
        .to_owned();
    (out, secret)
}

/// Creates a service token `name` with `--json` and `extra`; must succeed. Returns its client
/// ID and secret.
fn create_service_token(env: &TestEnv, name: &str, extra: &[&str]) -> (String, String) {
    let mut args = vec!["service-tokens", "create", "--name", name, "--json"];
    args.extend_from_slice(extra);
    let out = run(env, &args);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    let v: Value = stdout_json(&out);
    (
        v["client_id"].as_str().expect("client_id").to_owned(),
        v["client_secret"]
            .as_str()
            .expect("client_secret")
            .to_owned(),
    )
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// `sh -c script` in `dir`, which must succeed; its stdout.
fn sh(dir: &Path, script: &str) -> String {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .expect("sh");
    assert!(out.status.success(), "{script}: {}", text(&out.stderr));
    text(&out.stdout)
}
