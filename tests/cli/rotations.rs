//! The rotation journal: `rotate` killed between its steps, then `rotations resume` or `abort`;
//! `rotations finish` for Prefactor and Mosquitto rotations with a grace period.

use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{BIN, Sandbox, TestEnv, mode, stdout_json, text};

const NAME: &str = "journalled";

/// Where a rotate is killed: while its create request is held (the token exists, its answer
/// never arrives), while an exec sink runs (created, not handed over), or while the request
/// retiring the old token is held (handed over).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kill {
    Create,
    HandOver,
    Retire,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum After {
    Resume,
    Abort,
}

/// Runs `args` and SIGKILLs it once `ready` says the step is under way.
fn kill_during(env: &TestEnv, args: &[String], ready: impl Fn() -> bool) {
    let mut child = StdCommand::new(BIN)
        .env_clear()
        .envs(env.vars().iter().cloned())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    while !ready() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("tokenctl ended ({status}) before the step it was to be killed in");
        }
        assert!(start.elapsed() < Duration::from_secs(30), "step never came");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("wait");
}

/// A slow answer to the first `method` request under `path`: the change happens, its answer
/// is held for a minute.
fn hold(sb: &Sandbox, method: &str, path: &str) {
    sb.fault(json!({ "kind": "slow", "delay_ms": 60000, "method": method, "path_prefix": path }));
}

fn arrived(sb: &Sandbox, method: &str, path: &str) -> bool {
    sb.requests()
        .iter()
        .any(|r| r["method"] == method && r["path"].as_str().is_some_and(|p| p.starts_with(path)))
}

/// Every file under `dir` holding `needle`.
fn files_holding(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut hits = Vec::new();
    let Ok(read) = std::fs::read_dir(dir) else {
        return hits;
    };
    for item in read.flatten() {
        let p = item.path();
        if p.is_dir() {
            hits.extend(files_holding(&p, needle));
        } else if std::fs::read(&p).is_ok_and(|b| String::from_utf8_lossy(&b).contains(needle)) {
            hits.push(p);
        }
    }
    hits
}

/// tokenctl's own directories (configuration, data and the journal in it).
fn own_dirs(env: &TestEnv) -> [PathBuf; 2] {
    [
        env.path(".config/tokenctl"),
        env.path(".local/share/tokenctl"),
    ]
}

fn assert_no_secret_on_disk(env: &TestEnv, secrets: &[&str]) {
    for dir in own_dirs(env) {
        for s in secrets.iter().filter(|s| !s.is_empty()) {
            let hits = files_holding(&dir, s);
            assert!(hits.is_empty(), "a secret is in {hits:?}");
        }
    }
}

fn journal(env: &TestEnv) -> Vec<Value> {
    let out = env
        .cmd()
        .args(["rotations", "list", "--json"])
        .output()
        .expect("list");
    assert!(out.status.success(), "{}", text(&out.stderr));
    stdout_json(&out).as_array().expect("array").clone()
}

fn finish_with(env: &TestEnv, after: After, id: &str) -> std::process::Output {
    let verb = match after {
        After::Resume => "resume",
        After::Abort => "abort",
    };
    env.cmd()
        .args(["rotations", verb, id, "--yes"])
        .output()
        .expect("resume/abort")
}

/// Cloudflare: the token IDs named NAME.
fn cf_named(sb: &Sandbox) -> Vec<String> {
    let mut ids = Vec::new();
    for page in 1.. {
        let (_, v) = sb.api(
            "GET",
            &format!(
                "/accounts/{}/tokens?per_page=50&page={page}&include_expired=true",
                sb.account_id
            ),
            &sb.token,
            None,
        );
        let items = v["result"].as_array().expect("result").clone();
        if items.is_empty() {
            return ids;
        }
        ids.extend(
            items
                .iter()
                .filter(|t| t["name"] == NAME)
                .map(|t| t["id"].as_str().expect("id").to_owned()),
        );
    }
    ids
}

fn cf_verifies(sb: &Sandbox, secret: &str) -> bool {
    let (status, v) = sb.api(
        "GET",
        &format!("/accounts/{}/tokens/verify", sb.account_id),
        secret,
        None,
    );
    status == 200 && v["result"]["status"] == "active"
}

fn cloudflare_case(kill: Kill, after: After) {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let created = env
        .cmd()
        .args([
            "tokens",
            "create",
            "--name",
            NAME,
            "--permission",
            "Account API Tokens Read",
        ])
        .args(["--expires", "30d", "--json"])
        .output()
        .expect("create");
    assert!(created.status.success(), "{}", text(&created.stderr));
    let old = stdout_json(&created);
    let (old_id, old_secret) = (
        old["id"].as_str().expect("id"),
        old["value"].as_str().expect("value"),
    );
    let outside = env.path("consumer");
    std::fs::create_dir_all(&outside).expect("dir");
    let received = outside.join("new-secret");
    let mark = outside.join("mark");
    let sink = match kill {
        Kill::HandOver => format!(
            "exec:cat > {}; touch {}; sleep 3",
            received.display(),
            mark.display()
        ),
        _ => format!("exec:cat > {}", received.display()),
    };
    sb.clear_requests();
    let tokens = format!("/client/v4/accounts/{}/tokens", sb.account_id);
    let old_path = format!("{tokens}/{old_id}");
    match kill {
        Kill::Create => hold(&sb, "POST", &tokens),
        Kill::Retire => hold(&sb, "PUT", &old_path),
        Kill::HandOver => {}
    }
    let args: Vec<String> = [
        "tokens",
        "rotate",
        NAME,
        "--yes",
        "--grace",
        "1h",
        "--deliver",
        &sink,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    kill_during(&env, &args, || match kill {
        Kill::Create => arrived(&sb, "POST", &tokens),
        Kill::HandOver => mark.exists(),
        Kill::Retire => arrived(&sb, "PUT", &old_path),
    });
    let entries = journal(&env);
    assert_eq!(entries.len(), 1, "{entries:?}");
    let step = match kill {
        Kill::Create => "started",
        Kill::HandOver => "created",
        Kill::Retire => "delivered",
    };
    assert_eq!(entries[0]["step"], step, "{kill:?}");
    assert!(
        cf_verifies(&sb, old_secret),
        "{kill:?}: the old secret still works"
    );
    let orphan: Vec<String> = cf_named(&sb).into_iter().filter(|i| i != old_id).collect();
    assert_eq!(
        orphan.len(),
        1,
        "{kill:?}: the killed run made one new token"
    );
    let delivered = std::fs::read_to_string(&received).unwrap_or_default();
    assert_no_secret_on_disk(&env, &[old_secret, delivered.trim(), &sb.token]);

    let _ = std::fs::remove_file(&mark);
    let out = finish_with(&env, after, entries[0]["id"].as_str().expect("id"));
    assert!(
        out.status.success(),
        "{kill:?} {after:?}: {}",
        text(&out.stderr)
    );
    assert!(
        journal(&env).is_empty(),
        "{kill:?} {after:?}: the entry is gone"
    );
    assert!(
        cf_verifies(&sb, old_secret),
        "{kill:?} {after:?}: the old secret still works"
    );
    let named = cf_named(&sb);
    match (after, kill) {
        (After::Abort, _) => assert_eq!(
            named,
            vec![old_id.to_owned()],
            "{kill:?}: no new token left"
        ),
        (After::Resume, Kill::Retire) => {
            // Handed over already: resume only retires the old token; the new one stays.
            assert_eq!(named.len(), 2, "{named:?}");
            assert!(named.contains(&orphan[0]));
        }
        (After::Resume, _) => {
            // The lost secret's token is deleted; a fresh one is made and handed over.
            assert_eq!(named.len(), 2, "{named:?}");
            assert!(
                !named.contains(&orphan[0]),
                "{kill:?}: the orphan is deleted"
            );
        }
    }
    if after == After::Resume {
        let now = std::fs::read_to_string(&received).expect("delivered");
        assert!(
            cf_verifies(&sb, now.trim()),
            "{kill:?}: the consumer holds a working secret"
        );
        let (_, t) = sb.api(
            "GET",
            &format!("/accounts/{}/tokens/{old_id}", sb.account_id),
            &sb.token,
            None,
        );
        assert!(
            t["result"]["expires_on"].is_string(),
            "the old token is set to expire"
        );
    }
    let delivered = std::fs::read_to_string(&received).unwrap_or_default();
    assert_no_secret_on_disk(&env, &[old_secret, delivered.trim(), &sb.token]);
}

#[test]
fn tokens_rotate_killed_at_each_step_then_resumed() {
    for kill in [Kill::Create, Kill::HandOver, Kill::Retire] {
        cloudflare_case(kill, After::Resume);
    }
}

#[test]
fn tokens_rotate_killed_at_each_step_then_aborted() {
    for kill in [Kill::Create, Kill::HandOver, Kill::Retire] {
        cloudflare_case(kill, After::Abort);
    }
}
