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
    /// While the new secret is verified: the exec sink arms the fault on the verify request
    /// (the same endpoint answered an earlier call that checked the profile's own token).
    Verify,
    Retire,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum After {
    Resume,
    Abort,
}

/// A consumer outside tokenctl's directories: the file an exec sink writes the new secret to,
/// the mark it leaves (for a kill during the hand-over, after which it lingers), and the sink.
fn consumer(env: &TestEnv, kill: Kill, arm: &str) -> (PathBuf, PathBuf, String) {
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
        Kill::Verify => format!(
            "exec:cat > {}; {arm}; touch {}",
            received.display(),
            mark.display()
        ),
        _ => format!("exec:cat > {}", received.display()),
    };
    (received, mark, sink)
}

/// Starts tokenctl with `args` in the background, its output discarded.
fn spawn<S: AsRef<std::ffi::OsStr>>(env: &TestEnv, args: &[S]) -> std::process::Child {
    StdCommand::new(BIN)
        .env_clear()
        .envs(env.vars().iter().cloned())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn")
}

/// Runs `args` and SIGKILLs it once `ready` says the step is under way.
fn kill_during(env: &TestEnv, args: &[String], ready: impl Fn() -> bool) {
    let mut child = spawn(env, args);
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
    let out = ok(env.cmd().args(["rotations", "list", "--json"]));
    stdout_json(&out).as_array().expect("array").clone()
}

/// Runs `cmd`, which must succeed.
fn ok(cmd: &mut assert_cmd::Command) -> std::process::Output {
    let out = cmd.output().expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    out
}

/// `tokenctl rotations VERB ID --yes`.
fn rotations(env: &TestEnv, verb: &str, id: &str) -> std::process::Output {
    env.cmd()
        .args(["rotations", verb, id, "--yes"])
        .output()
        .expect("rotations")
}

/// `rotations resume` or `abort` of the entry: it succeeds and the entry is gone.
fn undo(env: &TestEnv, after: After, entry: &Value) {
    let verb = match after {
        After::Resume => "resume",
        After::Abort => "abort",
    };
    let out = rotations(env, verb, entry["id"].as_str().expect("id"));
    assert!(out.status.success(), "{verb}: {}", text(&out.stderr));
    assert!(journal(env).is_empty(), "{verb}: the entry is gone");
}

/// Runs a rotate (`args`) and kills it at `kill`: while the `create` POST is held, once the
/// exec sink left `mark`, or while the request retiring the old token (`retire`: method and
/// path) is held. Returns the one journal entry left.
fn kill_rotate(
    env: &TestEnv,
    sb: &Sandbox,
    kill: Kill,
    args: &[&str],
    mark: &Path,
    (create, retire): (&str, (&str, &str)),
) -> Value {
    sb.clear_requests();
    match kill {
        Kill::Create => hold(sb, "POST", create),
        Kill::Retire => hold(sb, retire.0, retire.1),
        Kill::HandOver | Kill::Verify => {}
    }
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    kill_during(env, &args, || match kill {
        Kill::Create => arrived(sb, "POST", create),
        Kill::HandOver => mark.exists(),
        // The sink cleared the log and left the mark: a verify logged after it is the new one's.
        Kill::Verify => mark.exists() && arrived(sb, retire.0, retire.1),
        Kill::Retire => arrived(sb, retire.0, retire.1),
    });
    let entries = journal(env);
    assert_eq!(entries.len(), 1, "{kill:?}: {entries:?}");
    entries[0].clone()
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

fn cloudflare_case(kill: Kill, after: After) {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let created = ok(env
        .cmd()
        .args([
            "tokens",
            "create",
            "--name",
            NAME,
            "--permission",
            "Account API Tokens Read",
        ])
        .args(["--expires", "30d", "--json"]));
    let old = stdout_json(&created);
    let (old_id, old_secret) = (
        old["id"].as_str().expect("id"),
        old["value"].as_str().expect("value"),
    );
    let tokens = format!("/client/v4/accounts/{}/tokens", sb.account_id);
    let old_path = format!("{tokens}/{old_id}");
    let verify = format!("{tokens}/verify");
    let fault =
        json!({ "kind": "slow", "delay_ms": 60000, "method": "GET", "path_prefix": verify });
    let arm = format!(
        "curl -s -X DELETE {root}/__sandbox/requests >/dev/null; curl -s -X POST {root}/__sandbox/faults -H 'content-type: application/json' -d '{fault}' >/dev/null",
        root = sb.root
    );
    let (received, mark, sink) = consumer(&env, kill, &arm);
    let args = [
        "tokens",
        "rotate",
        NAME,
        "--yes",
        "--verify",
        "--grace",
        "1h",
        "--deliver",
        &sink,
    ];
    let retire = match kill {
        Kill::Verify => ("GET", verify.as_str()),
        _ => ("PUT", old_path.as_str()),
    };
    let entry = kill_rotate(&env, &sb, kill, &args, &mark, (&tokens, retire));
    let step = match kill {
        Kill::Create => "started",
        Kill::HandOver => "created",
        Kill::Verify => "delivered",
        Kill::Retire => "verified",
    };
    assert_eq!(entry["step"], step, "{kill:?}");
    assert!(
        crate::rotate::verifies(&sb, old_secret),
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
    undo(&env, after, &entry);
    assert!(
        crate::rotate::verifies(&sb, old_secret),
        "{kill:?} {after:?}: the old secret still works"
    );
    let named = cf_named(&sb);
    match (after, kill) {
        (After::Abort, _) => assert_eq!(
            named,
            vec![old_id.to_owned()],
            "{kill:?}: no new token left"
        ),
        (After::Resume, Kill::Verify | Kill::Retire) => {
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
            crate::rotate::verifies(&sb, now.trim()),
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
    for kill in [Kill::Create, Kill::HandOver, Kill::Verify, Kill::Retire] {
        cloudflare_case(kill, After::Resume);
    }
}

#[test]
fn tokens_rotate_killed_at_each_step_then_aborted() {
    for kill in [Kill::Create, Kill::HandOver, Kill::Verify, Kill::Retire] {
        cloudflare_case(kill, After::Abort);
    }
}

/// A user of the sandbox's Mosquitto project (`sandbox serve`, so its state outlives a kill).
fn mosquitto_env(sb: &Sandbox) -> (TestEnv, String) {
    let project = sb.connections["mosquitto"]["project_id"]
        .as_str()
        .expect("project");
    (sb.vendor_env("mosquitto"), project.to_owned())
}

/// Mosquitto: (id, secret) of a new admin token named `name`.
fn mq_create(env: &TestEnv, project: &str, name: &str) -> (String, String) {
    let out = ok(env
        .cmd()
        .args(["project-tokens", "create", "--project", project])
        .args(["--name", name, "--role", "admin", "--json"]));
    let v = stdout_json(&out);
    (
        v["id"].as_str().expect("id").to_owned(),
        v["token"].as_str().expect("token").to_owned(),
    )
}

/// Mosquitto: the IDs of the tokens named `name`.
fn mq_named(env: &TestEnv, project: &str, name: &str) -> Vec<String> {
    let out = ok(env
        .cmd()
        .args(["project-tokens", "list", "--project", project, "--json"]));
    stdout_json(&out)
        .as_array()
        .expect("array")
        .iter()
        .filter(|t| t["name"] == name)
        .map(|t| t["id"].as_str().expect("id").to_owned())
        .collect()
}

/// Mosquitto: whether `secret` authenticates (an authenticated read).
fn mq_works(env: &TestEnv, project: &str, secret: &str) -> bool {
    env.cmd()
        .env("MOSQUITTO_API_TOKEN", secret)
        .args(["project-tokens", "list", "--project", project])
        .output()
        .expect("list")
        .status
        .success()
}

fn mosquitto_case(kill: Kill, after: After) {
    let sb = Sandbox::start(&[], &[]);
    let (env, project) = mosquitto_env(&sb);
    let (old_id, old_secret) = mq_create(&env, &project, NAME);
    let (received, mark, sink) = consumer(&env, kill, "");
    let tokens = format!("/mosquitto/api/projects/{project}/tokens");
    let old_path = format!("{tokens}/{old_id}");
    let args = [
        "project-tokens",
        "rotate",
        NAME,
        "--project",
        &project,
        "--yes",
        "--grace",
        "0",
        "--deliver",
        &sink,
    ];
    let entry = kill_rotate(
        &env,
        &sb,
        kill,
        &args,
        &mark,
        (&tokens, ("DELETE", &old_path)),
    );
    // --grace 0 was asked: once the delete has gone out, the old token is gone.
    let old_kept = kill != Kill::Retire;
    assert_eq!(mq_works(&env, &project, &old_secret), old_kept, "{kill:?}");
    let orphan: Vec<String> = mq_named(&env, &project, NAME)
        .into_iter()
        .filter(|i| *i != old_id)
        .collect();
    assert_eq!(
        orphan.len(),
        1,
        "{kill:?}: the killed run made one new token"
    );
    let delivered = std::fs::read_to_string(&received).unwrap_or_default();
    assert_no_secret_on_disk(&env, &[&old_secret, delivered.trim()]);

    let _ = std::fs::remove_file(&mark);
    undo(&env, after, &entry);
    let named = mq_named(&env, &project, NAME);
    match (after, kill) {
        (After::Abort, Kill::Retire) => assert!(named.is_empty(), "{named:?}"),
        (After::Abort, _) => {
            assert_eq!(named, vec![old_id.clone()], "{kill:?}: no new token left");
            assert!(mq_works(&env, &project, &old_secret), "{kill:?}");
        }
        (After::Resume, Kill::Retire) => assert_eq!(named, orphan, "the handed-over token stays"),
        (After::Resume, _) => {
            assert_eq!(
                named.len(),
                1,
                "{kill:?}: the old token retired, one new: {named:?}"
            );
            assert!(
                !named.contains(&orphan[0]),
                "{kill:?}: the orphan is deleted"
            );
            let now = std::fs::read_to_string(&received).expect("delivered");
            assert!(mq_works(&env, &project, now.trim()), "{kill:?}");
        }
    }
    let delivered = std::fs::read_to_string(&received).unwrap_or_default();
    assert_no_secret_on_disk(&env, &[&old_secret, delivered.trim()]);
}

#[test]
fn project_tokens_rotate_killed_at_each_step_then_resumed() {
    for kill in [Kill::Create, Kill::HandOver, Kill::Retire] {
        mosquitto_case(kill, After::Resume);
    }
}

#[test]
fn project_tokens_rotate_killed_at_each_step_then_aborted() {
    for kill in [Kill::Create, Kill::HandOver, Kill::Retire] {
        mosquitto_case(kill, After::Abort);
    }
}

/// The journal's one file: 0600 in a 0700 directory.
fn journal_files(env: &TestEnv) -> Vec<PathBuf> {
    let dir = env.path(".local/share/tokenctl/rotations");
    assert_eq!(mode(&dir) & 0o777, 0o700);
    std::fs::read_dir(&dir)
        .expect("journal dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect()
}

fn finish(env: &TestEnv) -> String {
    let out = ok(env.cmd().args(["rotations", "finish"]));
    text(&out.stderr)
}

#[test]
fn project_tokens_rotate_with_a_grace_leaves_the_old_token_to_rotations_finish() {
    let sb = Sandbox::start(&[], &[]);
    let (env, project) = mosquitto_env(&sb);
    let (old_id, old_secret) = mq_create(&env, &project, NAME);
    let out = ok(env
        .cmd()
        .args(["project-tokens", "rotate", NAME, "--project", &project])
        .args(["--grace", "2s", "--verify", "--yes", "--json"]));
    let new = stdout_json(&out);
    let new_secret = new["token"].as_str().expect("token");
    let files = journal_files(&env);
    assert_eq!(files.len(), 1);
    assert_eq!(mode(&files[0]) & 0o777, 0o600);
    let recorded = std::fs::read_to_string(&files[0]).expect("read");
    assert!(!recorded.contains(new_secret) && !recorded.contains(&old_secret));
    assert_eq!(journal(&env)[0]["step"], "scheduled");
    assert!(finish(&env).contains("No old token is due"));
    assert!(mq_works(&env, &project, &old_secret), "not due yet");
    std::thread::sleep(Duration::from_millis(2500));
    // A due rotation whose profile is gone does not hold up the others.
    let mut lost = serde_json::from_str::<Value>(&recorded).expect("entry");
    lost["id"] = json!("r0-lost");
    lost["origin"] = json!("configured");
    lost["profile"] = json!("gone");
    std::fs::write(files[0].with_file_name("r0-lost.json"), lost.to_string()).expect("write");
    let out = env
        .cmd()
        .args(["rotations", "finish"])
        .output()
        .expect("finish");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("'gone', which no longer exists"));
    assert_eq!(journal(&env).len(), 1, "only the lost one is left");
    undo(&env, After::Abort, &journal(&env)[0]);
    assert!(!mq_named(&env, &project, NAME).contains(&old_id));
    assert!(!mq_works(&env, &project, &old_secret));
    assert!(mq_works(&env, &project, new_secret));
    assert!(journal(&env).is_empty());
    assert!(
        finish(&env).contains("No old token is due"),
        "again: nothing to do"
    );
}

#[test]
fn prefactor_rotate_with_a_grace_leaves_the_old_token_to_rotations_finish() {
    let sb = Sandbox::start(&[], &[]);
    let env = sb.vendor_env("prefactor");
    let old = pf_create(&env);
    let old_id = old["details"]["id"].as_str().expect("id");
    let status = |id: &str| {
        let out = env
            .cmd()
            .args(["api-tokens", "get", id, "--json"])
            .output()
            .expect("get");
        stdout_json(&out)["status"].clone()
    };
    let out = ok(env.cmd().args([
        "api-tokens",
        "rotate",
        old_id,
        "--grace",
        "2s",
        "--verify",
        "--yes",
        "--json",
    ]));
    let new = stdout_json(&out);
    let recorded = std::fs::read_to_string(&journal_files(&env)[0]).expect("read");
    assert!(!recorded.contains(new["token"].as_str().expect("token")));
    assert!(!recorded.contains(old["token"].as_str().expect("token")));
    finish(&env);
    assert_eq!(status(old_id), "active", "not due yet");
    std::thread::sleep(Duration::from_millis(2500));
    ok(env.cmd().args(["--dry-run", "rotations", "finish"]));
    assert_eq!(status(old_id), "active", "--dry-run only rehearses");
    assert_eq!(journal(&env).len(), 1, "--dry-run keeps the entry");
    finish(&env);
    assert_eq!(status(old_id), "revoked");
    assert_eq!(status(new["details"]["id"].as_str().expect("id")), "active");
    assert!(journal(&env).is_empty());
    finish(&env);
}

#[test]
fn a_damaged_journal_is_a_clear_error_not_a_panic() {
    let env = TestEnv::new();
    env.damage_journal();
    for verb in ["list", "finish", "resume"] {
        let out = env.cmd().args(["rotations", verb]).output().expect("run");
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{verb}: {err}");
        assert!(err.contains("r1.json is damaged"), "{verb}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn a_rotation_another_run_is_moving_is_left_to_it_and_a_finished_one_leaves_no_entry() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let (_, mark, sink) = consumer(&env, Kill::HandOver, "");
    let args = [
        "tokens",
        "rotate",
        "ci-deploy-prod",
        "--yes",
        "--deliver",
        &sink,
    ];
    let mut child = spawn(&env, &args);
    let start = Instant::now();
    while !mark.exists() {
        assert!(start.elapsed() < Duration::from_secs(30), "no hand-over");
        std::thread::sleep(Duration::from_millis(20));
    }
    let entry = journal(&env)[0].clone();
    let id = entry["id"].as_str().expect("id");
    sb.clear_requests();
    for verb in ["resume", "abort"] {
        let out = rotations(&env, verb, id);
        assert_eq!(out.status.code(), Some(1), "{verb}");
        assert!(text(&out.stderr).contains("in progress in another tokenctl run"));
    }
    assert!(sb.request_lines().is_empty(), "{:?}", sb.request_lines());
    assert!(child.wait().expect("wait").success());
    assert!(
        journal(&env).is_empty(),
        "the finished rotation removed its entry"
    );
}

#[test]
fn a_service_token_rotation_killed_in_its_request_cannot_be_resumed_only_dropped() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let created = ok(env.cmd().args([
        "service-tokens",
        "create",
        "--name",
        NAME,
        "--duration",
        "30d",
        "--json",
    ]));
    let id = stdout_json(&created)["id"].as_str().expect("id").to_owned();
    let rotate = format!(
        "/client/v4/accounts/{}/access/service_tokens/{id}/rotate",
        sb.account_id
    );
    let (_, mark, sink) = consumer(&env, Kill::Create, "");
    let args = [
        "service-tokens",
        "rotate",
        NAME,
        "--grace",
        "1h",
        "--yes",
        "--deliver",
        &sink,
    ];
    let entry = kill_rotate(&env, &sb, Kill::Create, &args, &mark, (&rotate, ("", "")));
    assert_eq!(entry["step"], "started");
    assert_eq!(entry["noun"], "service-tokens");
    let out = rotations(&env, "resume", entry["id"].as_str().expect("id"));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("cannot be resumed"),
        "{}",
        text(&out.stderr)
    );
    undo(&env, After::Abort, &entry);
}

#[test]
fn without_a_data_directory_a_rotation_runs_unjournalled_and_says_so() {
    let mut env = TestEnv::new();
    let _sb = env.sandbox();
    env.set("HOME", "")
        .set("XDG_DATA_HOME", "")
        .set("XDG_CONFIG_HOME", "");
    let cwd = tempfile::tempdir().expect("cwd");
    let out = ok(env.cmd().current_dir(cwd.path()).args([
        "tokens",
        "rotate",
        "ci-deploy-prod",
        "--yes",
        "--json",
    ]));
    assert!(
        text(&out.stderr).contains("not journalled"),
        "{}",
        text(&out.stderr)
    );
    let left: Vec<_> = std::fs::read_dir(cwd.path())
        .expect("read")
        .flatten()
        .collect();
    assert!(
        left.is_empty(),
        "nothing written to the working directory: {left:?}"
    );
}

#[test]
fn a_new_token_the_profile_now_authenticates_with_is_not_deleted() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let (received, mark, sink) = consumer(&env, Kill::HandOver, "");
    let args = [
        "tokens",
        "rotate",
        "ci-deploy-prod",
        "--yes",
        "--deliver",
        &sink,
    ];
    let tokens = format!("/client/v4/accounts/{}/tokens", sb.account_id);
    let entry = kill_rotate(&env, &sb, Kill::HandOver, &args, &mark, (&tokens, ("", "")));
    // As after a rotation of the profile's own token, whose stored credential is replaced first.
    let new_secret = std::fs::read_to_string(&received).expect("delivered");
    env.set("CLOUDFLARE_API_TOKEN", new_secret.trim());
    let before = sb.request_lines().len();
    for verb in ["abort", "resume"] {
        let out = rotations(&env, verb, entry["id"].as_str().expect("id"));
        assert_eq!(out.status.code(), Some(1), "{verb}");
        assert!(text(&out.stderr).contains("already authenticates with the new token"));
    }
    let deletes = sb.request_lines()[before..]
        .iter()
        .filter(|l| l.starts_with("DELETE"))
        .count();
    assert_eq!(deletes, 0);
    assert!(crate::rotate::verifies(&sb, new_secret.trim()));
    assert_eq!(journal(&env).len(), 1, "the record stays");
}

#[test]
fn a_sandbox_rotation_is_finished_and_resumed_only_with_sandbox() {
    let env = TestEnv::new();
    let mq = ["--sandbox", "-p", "sandbox-mosquitto", "project-tokens"];
    let created = ok(env
        .cmd()
        .args(mq)
        .args(["create", "--name", NAME, "--role", "viewer", "--json"]));
    let old_id = stdout_json(&created)["id"].as_str().expect("id").to_owned();
    ok(env
        .cmd()
        .args(mq)
        .args(["rotate", NAME, "--grace", "1s", "--yes", "--json"]));
    let id = journal(&env)[0]["id"].as_str().expect("id").to_owned();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        finish(&env).contains("No old token is due"),
        "not this run's"
    );
    let resumed = rotations(&env, "resume", &id);
    assert_eq!(resumed.status.code(), Some(2));
    assert!(text(&resumed.stderr).contains("was made with --sandbox"));
    ok(env.cmd().args(["--sandbox", "rotations", "finish"]));
    assert!(journal(&env).is_empty());
    let list = env
        .cmd()
        .args(mq)
        .args(["list", "--json"])
        .output()
        .expect("list");
    assert!(
        !text(&list.stdout).contains(&old_id),
        "the old token is deleted"
    );
}

#[test]
fn finish_says_when_the_mosquitto_token_it_retired_was_the_profiles_own() {
    let sb = Sandbox::start(&[], &[]);
    let (mut env, project) = mosquitto_env(&sb);
    let (_, mine) = mq_create(&env, &project, "me");
    env.set("MOSQUITTO_API_TOKEN", &mine);
    let file = env.path("me.env");
    let sink = format!("dotenv:{}#MOSQUITTO_TOKEN", file.display());
    let out = ok(env
        .cmd()
        .args(["project-tokens", "rotate", "me", "--project", &project])
        .args(["--grace", "2s", "--yes", "--json", "--deliver", &sink]));
    let new_id = stdout_json(&out)["id"].as_str().expect("id").to_owned();
    std::thread::sleep(Duration::from_millis(2500));
    let said = finish(&env);
    assert!(
        said.contains("was the credential of profile")
            && said.contains(&new_id)
            && said.contains(&file.display().to_string())
            && said.contains("set MOSQUITTO_API_TOKEN to it"),
        "{said}"
    );
    assert!(!said.contains(&mine), "no secret in the warning: {said}");
    assert!(journal(&env).is_empty(), "the rotation is finished");
}

/// Prefactor: a new account token (its create answer: `details` and `token`).
fn pf_create(env: &TestEnv) -> Value {
    let created = ok(env.cmd().args([
        "api-tokens",
        "create",
        "--scope",
        "account",
        "--expires",
        "90d",
        "--json",
    ]));
    stdout_json(&created)
}

/// Prefactor: every token's (id, status).
fn pf_tokens(env: &TestEnv) -> Vec<(String, String)> {
    let out = ok(env.cmd().args(["api-tokens", "list", "--json"]));
    stdout_json(&out)
        .as_array()
        .expect("array")
        .iter()
        .map(|t| {
            let s = |k: &str| t[k].as_str().expect(k).to_owned();
            (s("id"), s("status"))
        })
        .collect()
}

fn prefactor_case(kill: Kill, after: After) {
    let sb = Sandbox::start(&[], &[]);
    let env = sb.vendor_env("prefactor");
    let old = pf_create(&env);
    let old_id = old["details"]["id"].as_str().expect("id").to_owned();
    let old_secret = old["token"].as_str().expect("token").to_owned();
    let before: Vec<String> = pf_tokens(&env).into_iter().map(|(id, _)| id).collect();
    let (received, mark, sink) = consumer(&env, kill, "");
    let base = "/prefactor/api/v1/api_token";
    let revoke = format!("{base}/{old_id}/revoke");
    let args = [
        "api-tokens",
        "rotate",
        &old_id,
        "--yes",
        "--grace",
        "0",
        "--deliver",
        &sink,
    ];
    let entry = kill_rotate(&env, &sb, kill, &args, &mark, (base, ("POST", &revoke)));
    let status = |id: &str| {
        pf_tokens(&env)
            .into_iter()
            .find(|(i, _)| i == id)
            .map(|(_, s)| s)
    };
    let active = |id: &str| status(id).as_deref() == Some("active");
    // --grace 0 was asked: once the revoke has gone out, the old token is revoked.
    assert_eq!(active(&old_id), kill != Kill::Retire, "{kill:?}");
    let made: Vec<String> = pf_tokens(&env)
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| !before.contains(id))
        .collect();
    assert_eq!(made.len(), 1, "{kill:?}: the killed run made one new token");
    let delivered = std::fs::read_to_string(&received).unwrap_or_default();
    assert_no_secret_on_disk(&env, &[&old_secret, delivered.trim()]);

    let _ = std::fs::remove_file(&mark);
    undo(&env, after, &entry);
    let live: Vec<String> = pf_tokens(&env)
        .into_iter()
        .filter(|(id, s)| s == "active" && (*id == old_id || !before.contains(id)))
        .map(|(id, _)| id)
        .collect();
    match (after, kill) {
        (After::Abort, Kill::Retire) => assert!(live.is_empty(), "{live:?}"),
        (After::Abort, _) => assert_eq!(live, vec![old_id.clone()], "{kill:?}: no new token left"),
        (After::Resume, Kill::Retire) => assert_eq!(live, made, "the handed-over token stays"),
        (After::Resume, _) => {
            assert_eq!(
                live.len(),
                1,
                "{kill:?}: the old token retired, one new: {live:?}"
            );
            assert!(
                !live.contains(&old_id) && !live.contains(&made[0]),
                "{kill:?}"
            );
        }
    }
    let delivered = std::fs::read_to_string(&received).unwrap_or_default();
    assert_no_secret_on_disk(&env, &[&old_secret, delivered.trim()]);
}

#[test]
fn prefactor_rotate_killed_at_each_step_then_resumed_or_aborted() {
    for kill in [Kill::Create, Kill::HandOver, Kill::Retire] {
        prefactor_case(kill, After::Resume);
        prefactor_case(kill, After::Abort);
    }
}
