//! `rotate` over a selection, for every noun that rotates by cloning or resetting (`tokens`,
//! `api-tokens` on Mailtrap and Prefactor, `project-tokens`): each token's new secret reaches
//! its own consumer (a dotenv file named after it) and works there, the old tokens are retired
//! as the single rotate retires them, every token has its journal entry, and a token whose
//! delivery fails keeps its old token while the others go on. Also the journal entry of a
//! single Mailtrap rotate, which no other test looked at.

use std::path::Path;

use jiff::{SignedDuration, Timestamp};
use predicates::prelude::*;
use serde_json::Value;

use crate::common::{Sandbox, TestEnv, mode, stdout_json, text};
use crate::rotate::{token, verifies};

/// The value of `key` in the dotenv file at `path`, unquoted.
fn dotenv(path: &Path, key: &str) -> String {
    let body = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{} was not delivered: {e}", path.display()));
    let line = body
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("no {key} in {body}"));
    line.trim_matches('\'').to_owned()
}

/// The elements of a bulk run's `-o json` array.
fn elements(out: &std::process::Output) -> Vec<Value> {
    stdout_json(out).as_array().expect("an array").clone()
}

fn by_name<'a>(items: &'a [Value], name: &str) -> &'a Value {
    items
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {items:?}"))
}

/// The rotation journal, as `rotations list --json` shows it.
fn journal(env: &TestEnv) -> Vec<Value> {
    let out = env
        .cmd()
        .args(["rotations", "list", "--json"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    elements(&out)
}

/// Whether `secret` authenticates with the vendor: a read with it, through tokenctl, with the
/// user's credential (`var`) replaced by it. A refusal for lack of permission (403: a Prefactor
/// token scoped below the account may not list tokens) still authenticated; a 401 did not.
fn works(env: &TestEnv, var: &str, secret: &str, read: &[&str]) -> bool {
    let out = env.cmd().env(var, secret).args(read).output().expect("run");
    out.status.success() || text(&out.stderr).contains("(HTTP 403)")
}

#[test]
fn tokens_rotate_a_selection_delivers_each_and_expires_the_old_ones_after_the_grace() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let dir = env.path("consumers");
    std::fs::create_dir_all(&dir).expect("dir");
    let before = Timestamp::now();
    let out = env
        .cmd()
        // ci-deploy-staging is disabled: it is skipped (its copy would be active).
        .args([
            "tokens",
            "rotate",
            "--name",
            "ci-deploy-*",
            "--status",
            "active",
        ])
        .args(["--grace", "2h"])
        .args(["--verify", "--yes", "-o", "json", "--deliver"])
        .arg(format!("dotenv:{}/{{name}}.env#CF_TOKEN", dir.display()))
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let items = elements(&out);
    assert_eq!(items.len(), 3, "{items:?}");
    for v in &items {
        assert_eq!(v["outcome"], "done", "{v}");
        let (old, new) = (v["id"].as_str().expect("id"), &v["new_id"]);
        assert_eq!(v["replaces"], old);
        assert_ne!(new.as_str(), Some(old));
        assert_eq!(v["deliveries"][0]["ok"], true, "{v}");
        let name = v["name"].as_str().expect("name");
        let held = dotenv(&dir.join(format!("{name}.env")), "CF_TOKEN");
        assert_eq!(held, v["value"].as_str().expect("value"));
        assert!(
            verifies(&sb, &held),
            "{name}'s consumer holds a working token"
        );
        let (status, got) = token(&sb, old);
        assert_eq!(status, 200, "the old token {name} stays for the grace");
        let until: Timestamp = got["expires_on"]
            .as_str()
            .expect("the old token now expires")
            .parse()
            .expect("timestamp");
        let want = before + SignedDuration::from_hours(2);
        assert!(until.duration_since(want).abs() < SignedDuration::from_secs(120));
    }
    assert!(journal(&env).is_empty(), "every rotation finished");
}

#[test]
fn tokens_rotate_a_selection_with_one_failed_delivery_keeps_that_old_token() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let dir = env.path("consumers");
    std::fs::create_dir_all(&dir).expect("dir");
    let victim = "ci-deploy-prod-2";
    let victim_id = sb.token_id(victim);
    let all = env.path("all.json");
    let out = env
        .cmd()
        .args([
            "tokens",
            "rotate",
            "--name",
            "ci-deploy-*",
            "--status",
            "active",
        ])
        .args(["--grace", "0"])
        .arg("--secret-file")
        .arg(&all)
        .args(["--yes", "-o", "json", "--deliver"])
        .arg(format!("dotenv:{}/{{name}}.env", dir.display()))
        .args(["--deliver", &format!("exec:test {{name}} != {victim}")])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("Rotated 2, failed 1, skipped 0."), "{err}");
    let items = elements(&out);
    let failed = by_name(&items, victim);
    assert_eq!(failed["outcome"], "failed");
    assert!(
        failed["error"]
            .as_str()
            .expect("error")
            .contains("still works")
    );
    // Its new secret was still shown: the vendor's answer is the only copy.
    assert!(failed["value"].as_str().is_some_and(|s| !s.is_empty()));
    let old = |id: &str| token(&sb, id);
    let (status, kept) = old(&victim_id);
    assert_eq!(status, 200);
    assert_eq!(kept["status"], "active");
    assert!(kept["expires_on"].is_null(), "left as it was");
    for v in items.iter().filter(|v| v["name"] != victim) {
        assert_eq!(v["outcome"], "done", "{v}");
        assert_eq!(old(v["id"].as_str().expect("id")).0, 404, "deleted: {v}");
        let held = dotenv(
            &dir.join(format!("{}.env", v["name"].as_str().expect("name"))),
            "TOKEN",
        );
        assert!(verifies(&sb, &held));
    }
    // The secret file holds every new token, the failed one's too.
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(&all).expect("written")).expect("json");
    assert_eq!(file.as_array().map(Vec::len), Some(3), "{file}");
    assert_eq!(mode(&all), 0o600);
    // The failed rotation is journalled, with its new token, for `rotations resume|abort`.
    let entries = journal(&env);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["old_id"], victim_id.as_str());
    assert_eq!(entries[0]["new_id"], failed["new_id"]);
    assert_eq!(entries[0]["step"], "created");
    let sinks = entries[0]["sinks"].to_string();
    assert!(
        sinks.contains(&format!("{victim}.env")),
        "its own sinks: {sinks}"
    );
    assert!(!sinks.contains("{name}"), "{sinks}");
}

#[test]
fn expired_tokens_are_skipped_since_a_copy_would_be_expired_too() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let mosquitto = sb.vendor_env("mosquitto");
    let project = sb.connections["mosquitto"]["project_id"]
        .as_str()
        .expect("project")
        .to_owned();
    sb.clear_requests();
    let runs: [(&TestEnv, Vec<&str>); 2] = [
        (&env, vec!["tokens", "rotate"]),
        (
            &mosquitto,
            vec!["project-tokens", "rotate", "--project", &project],
        ),
    ];
    for (env, verb) in runs {
        let out = env
            .cmd()
            .args(&verb)
            .args(["--expired", "--yes", "-o", "json"])
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", text(&out.stderr));
        let items = elements(&out);
        assert!(
            !items.is_empty(),
            "{verb:?}: the sandbox seeds expired tokens"
        );
        for v in items {
            assert_eq!(v["outcome"], "skipped", "{v}");
            assert!(
                v["reason"]
                    .as_str()
                    .is_some_and(|r| r.contains("a copy would be expired too"))
            );
        }
    }
    let changes: Vec<String> = sb
        .request_lines()
        .into_iter()
        .filter(|l| !l.starts_with("GET "))
        .collect();
    assert!(changes.is_empty(), "{changes:?}");
}

/// A Mailtrap or Mosquitto token created with `name`, returning its ID.
fn create(env: &TestEnv, args: &[&str]) -> String {
    let out = env.cmd().args(args).arg("--json").output().expect("create");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = stdout_json(&out);
    let id = if v["details"].is_object() {
        &v["details"]["id"]
    } else {
        &v["id"]
    };
    id.as_str().map_or_else(|| id.to_string(), str::to_owned)
}

/// A sandbox with Mailtrap tokens of these names (admin on the account, so that they can read
/// tokens), the user's environment for it, and the tokens' IDs.
fn mailtrap(names: &[&str]) -> (Sandbox, TestEnv, Vec<String>) {
    let sb = Sandbox::start(&[], &[]);
    let env = sb.vendor_env("mailtrap");
    let account = sb.connections["mailtrap"]["account_id"]
        .as_str()
        .expect("account")
        .to_owned();
    let resource = format!("account:{account}:admin");
    let ids = names
        .iter()
        .map(|n| {
            create(
                &env,
                &["api-tokens", "create", "--name", n, "--resource", &resource],
            )
        })
        .collect();
    (sb, env, ids)
}

/// The consumer `<dir>/<old name>.env` of a bulk Mailtrap element `v` holds its new secret,
/// which works; the old name (Mailtrap names the new token `<old name> <new ID>`).
fn mailtrap_consumer_works<'a>(env: &TestEnv, dir: &Path, v: &'a Value) -> &'a str {
    let old_name = v["name"]
        .as_str()
        .expect("name")
        .split(' ')
        .next()
        .expect("name");
    let held = dotenv(&dir.join(format!("{old_name}.env")), "MAILTRAP_API_TOKEN");
    assert_eq!(held, v["token"].as_str().expect("token"));
    assert!(works(
        env,
        "MAILTRAP_API_TOKEN",
        &held,
        &["api-tokens", "list"]
    ));
    old_name
}

#[test]
fn mailtrap_rotate_a_selection_resets_delivers_and_verifies_each() {
    let (_sb, env, _) = mailtrap(&["bulk-a", "bulk-b", "bulk-c"]);
    let dir = env.path("consumers");
    std::fs::create_dir_all(&dir).expect("dir");
    let out = env
        .cmd()
        .args([
            "api-tokens",
            "rotate",
            "--name",
            "bulk-*",
            "--verify",
            "--yes",
        ])
        .args(["-o", "json", "--deliver"])
        .arg(format!(
            "dotenv:{}/{{name}}.env#MAILTRAP_API_TOKEN",
            dir.display()
        ))
        .args(["--deliver", "exec:test {name} != bulk-b"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("Rotated 2, failed 1, skipped 0."), "{err}");
    assert_eq!(err.matches("Verified").count(), 2, "{err}");
    let items = elements(&out);
    for v in &items {
        let old_name = mailtrap_consumer_works(&env, &dir, v);
        assert_eq!(
            v["outcome"],
            if old_name == "bulk-b" {
                "failed"
            } else {
                "done"
            }
        );
        // Mailtrap keeps every old token for its grace period.
        env.cmd()
            .args(["api-tokens", "get", v["id"].as_str().expect("id")])
            .assert()
            .success();
    }
    // Only the rotation that failed is left in the journal.
    let entries = journal(&env);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["noun"], "api-tokens");
    assert_eq!(entries[0]["old_name"], "bulk-b");
    assert!(!works(
        &env,
        "MAILTRAP_API_TOKEN",
        "not-a-token",
        &["api-tokens", "list"]
    ));
}

#[test]
fn mailtrap_single_rotate_journals_its_steps_without_the_secret() {
    let (_sb, env, ids) = mailtrap(&["single"]);
    let id = ids[0].clone();
    // The hand-over copies the journal as it stands then: the rotation is under way.
    let entries = env.path(".local/share/tokenctl/rotations");
    let seen = env.path("seen");
    let sink = format!(
        "exec:cat > /dev/null; cp -r {} {}",
        entries.display(),
        seen.display()
    );
    let out = env
        .cmd()
        .args(["api-tokens", "rotate", &id, "--verify", "--yes", "--json"])
        .args(["--deliver", &sink])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let secret = stdout_json(&out)["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let files: Vec<_> = std::fs::read_dir(&seen)
        .expect("the journal existed during the hand-over")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(mode(&files[0]), 0o600);
    let body = std::fs::read_to_string(&files[0]).expect("read");
    assert!(!body.contains(&secret), "no secret in the journal: {body}");
    let entry: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(entry["noun"], "api-tokens");
    assert_eq!(entry["old_id"], id.as_str());
    assert_eq!(entry["verify"], true);
    // Done: the entry is gone.
    assert!(journal(&env).is_empty());

    // A failed hand-over leaves the rotation listed, still without its secret.
    let new_id = stdout_json(&out)["id"].to_string();
    let out = env
        .cmd()
        .args(["api-tokens", "rotate", &new_id, "--yes", "--json"])
        .args(["--deliver", "exec:false"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let left = journal(&env);
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["old_id"], new_id.as_str());
    let newer = stdout_json(&out)["token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert!(!left[0].to_string().contains(&newer));
}

#[test]
fn prefactor_rotate_a_selection_records_each_old_token_as_due() {
    let sb = Sandbox::start(&[], &[]);
    let env = sb.vendor_env("prefactor");
    let dir = env.path("consumers");
    std::fs::create_dir_all(&dir).expect("dir");
    // Prefactor tokens have no names: the selection is by status, and the sinks take {id}.
    let run = |grace: &str, extra: &[&str]| {
        env.cmd()
            .args([
                "api-tokens",
                "rotate",
                "--status",
                "active",
                "--grace",
                grace,
            ])
            .args(["--verify", "--yes", "-o", "json", "--deliver"])
            .arg(format!(
                "dotenv:{}/{{id}}.env#PREFACTOR_API_TOKEN",
                dir.display()
            ))
            .args(extra)
            .output()
            .expect("run")
    };
    let out = run("1h", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let items = elements(&out);
    let done: Vec<&Value> = items.iter().filter(|v| v["outcome"] == "done").collect();
    assert!(done.len() >= 3, "{items:?}");
    let due = journal(&env);
    assert_eq!(due.len(), done.len(), "one entry per rotation: {due:?}");
    for v in &done {
        let old = v["id"].as_str().expect("id");
        let held = dotenv(&dir.join(format!("{old}.env")), "PREFACTOR_API_TOKEN");
        assert_eq!(held, v["token"].as_str().expect("token"));
        assert!(works(
            &env,
            "PREFACTOR_API_TOKEN",
            &held,
            &["api-tokens", "list"]
        ));
        let entry = due.iter().find(|e| e["old_id"] == old).expect("journalled");
        assert_eq!(entry["step"], "scheduled");
        assert_eq!(entry["new_id"], v["details"]["id"]);
        assert!(entry["due"].is_string());
    }
    // The profile's own token is skipped, not rotated out from under the run.
    assert!(items.iter().any(|v| {
        v["outcome"] == "skipped"
            && v["reason"]
                .as_str()
                .is_some_and(|r| r.contains("authenticates with it"))
    }));
}

#[test]
fn prefactor_rotate_a_selection_with_grace_0_revokes_all_but_the_failed_one() {
    let sb = Sandbox::start(&[], &[]);
    let env = sb.vendor_env("prefactor");
    let dir = env.path("consumers");
    std::fs::create_dir_all(&dir).expect("dir");
    let listed = env
        .cmd()
        .args(["api-tokens", "list", "--json"])
        .output()
        .expect("list");
    let victim = stdout_json(&listed)
        .as_array()
        .expect("array")
        .iter()
        .filter(|t| t["status"] == "active")
        .map(|t| t["id"].as_str().expect("id").to_owned())
        .nth(2)
        .expect("an active token");
    let out = env
        .cmd()
        .args(["api-tokens", "rotate", "--status", "active", "--grace", "0"])
        .args(["--yes", "-o", "json", "--deliver"])
        .arg(format!(
            "dotenv:{}/{{id}}.env#PREFACTOR_API_TOKEN",
            dir.display()
        ))
        .args(["--deliver", &format!("exec:test {{id}} != {victim}")])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let status = |id: &str| {
        let out = env
            .cmd()
            .args(["api-tokens", "get", id, "--json"])
            .output()
            .expect("get");
        stdout_json(&out)["status"].clone()
    };
    for v in elements(&out).iter().filter(|v| v["outcome"] != "skipped") {
        let old = v["id"].as_str().expect("id");
        if old == victim {
            assert_eq!(v["outcome"], "failed", "{v}");
            assert_eq!(
                status(old),
                "active",
                "the failed one's old token still works"
            );
        } else {
            assert_eq!(v["outcome"], "done", "{v}");
            assert_eq!(status(old), "revoked", "{v}");
        }
    }
    let entries = journal(&env);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["old_id"], victim.as_str());
}

/// A sandbox with three Mosquitto tokens named `edge-a`, `edge-b`, `edge-c`; the user's
/// environment for it, the project, and a directory for their consumers.
fn mosquitto() -> (Sandbox, TestEnv, String, std::path::PathBuf) {
    let sb = Sandbox::start(&[], &[]);
    let env = sb.vendor_env("mosquitto");
    let project = sb.connections["mosquitto"]["project_id"]
        .as_str()
        .expect("project")
        .to_owned();
    for n in ["edge-a", "edge-b", "edge-c"] {
        create(
            &env,
            &[
                "project-tokens",
                "create",
                "--project",
                &project,
                "--name",
                n,
                "--role",
                "editor",
            ],
        );
    }
    let dir = env.path("consumers");
    std::fs::create_dir_all(&dir).expect("dir");
    (sb, env, project, dir)
}

fn mosquitto_rotate(
    env: &TestEnv,
    project: &str,
    dir: &Path,
    args: &[&str],
) -> std::process::Output {
    env.cmd()
        .args([
            "project-tokens",
            "rotate",
            "--name",
            "edge-*",
            "--project",
            project,
        ])
        .args(["--verify", "--yes", "-o", "json", "--deliver"])
        .arg(format!(
            "dotenv:{}/{{name}}.env#MOSQUITTO_TOKEN",
            dir.display()
        ))
        .args(args)
        .output()
        .expect("run")
}

fn mosquitto_ids(env: &TestEnv, project: &str) -> Vec<Value> {
    let out = env
        .cmd()
        .args(["project-tokens", "list", "--json", "--project", project])
        .output()
        .expect("list");
    elements(&out).iter().map(|t| t["id"].clone()).collect()
}

#[test]
fn mosquitto_rotate_a_selection_records_each_old_token_as_due() {
    let (_sb, env, project, dir) = mosquitto();
    let out = mosquitto_rotate(&env, &project, &dir, &["--grace", "1h"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let items = elements(&out);
    assert_eq!(items.len(), 3);
    let due = journal(&env);
    assert_eq!(due.len(), 3, "{due:?}");
    let ids = mosquitto_ids(&env, &project);
    let read = ["project-tokens", "list", "--project", project.as_str()];
    for v in &items {
        assert_eq!(v["outcome"], "done", "{v}");
        let name = v["name"].as_str().expect("name");
        let held = dotenv(&dir.join(format!("{name}.env")), "MOSQUITTO_TOKEN");
        assert_eq!(held, v["token"].as_str().expect("token"));
        assert!(works(&env, "MOSQUITTO_API_TOKEN", &held, &read), "{name}");
        let entry = due.iter().find(|e| e["old_id"] == v["id"]).expect("due");
        assert_eq!(entry["step"], "scheduled");
        assert_eq!(entry["new_id"], v["new_id"]);
        assert!(entry["due"].is_string());
        assert!(
            ids.contains(&v["id"]) && ids.contains(&v["new_id"]),
            "both stay meanwhile"
        );
    }
}

#[test]
fn mosquitto_rotate_a_selection_with_grace_0_deletes_all_but_the_failed_one() {
    let (_sb, env, project, dir) = mosquitto();
    let out = mosquitto_rotate(
        &env,
        &project,
        &dir,
        &["--grace", "0", "--deliver", "exec:test {name} != edge-b"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let items = elements(&out);
    let ids = mosquitto_ids(&env, &project);
    for v in &items {
        assert!(ids.contains(&v["new_id"]), "{v}");
        if v["name"] == "edge-b" {
            assert_eq!(v["outcome"], "failed", "{v}");
            assert!(ids.contains(&v["id"]), "the failed one's old token stays");
        } else {
            assert_eq!(v["outcome"], "done", "{v}");
            assert!(!ids.contains(&v["id"]), "deleted: {v}");
        }
    }
    let entries = journal(&env);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["old_id"], by_name(&items, "edge-b")["id"]);
}

/// A vendor, its user's environment, and the words of its rotate verb.
type RotateVerb = (&'static str, TestEnv, Vec<String>);

/// A served sandbox, and each vendor's rotate over a selection: the vendor, its user's
/// environment and the verb's words (`project-tokens rotate` in the sandbox's project).
fn rotate_verbs() -> (Sandbox, Vec<RotateVerb>) {
    let mut cf = TestEnv::new();
    let sb = cf.sandbox();
    let project = sb.connections["mosquitto"]["project_id"]
        .as_str()
        .expect("project");
    let words = |w: &[&str]| w.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let verbs = vec![
        ("cloudflare", cf, words(&["tokens", "rotate"])),
        (
            "mailtrap",
            sb.vendor_env("mailtrap"),
            words(&["api-tokens", "rotate"]),
        ),
        (
            "prefactor",
            sb.vendor_env("prefactor"),
            words(&["api-tokens", "rotate"]),
        ),
        (
            "mosquitto",
            sb.vendor_env("mosquitto"),
            words(&["project-tokens", "rotate", "--project", project]),
        ),
    ];
    (sb, verbs)
}

#[test]
fn bad_input_with_a_selection_is_exit_2_with_no_request() {
    let (sb, verbs) = rotate_verbs();
    sb.clear_requests();
    for (_, env, verb) in &verbs {
        let cases: [(&[&str], &str); 4] = [
            (&["some-token", "--all", "--yes"], "--all"),
            (&["some-token", "--name", "x*", "--yes"], "--name"),
            (
                &["--all", "--yes", "--deliver", "keyring:other"],
                "keyring:other",
            ),
            (
                &["--all", "--yes", "--deliver", "dotenv:same.env"],
                "every token would write the same file",
            ),
        ];
        for (args, says) in cases {
            env.cmd()
                .args(verb)
                .args(args)
                .assert()
                .code(2)
                .stderr(predicate::str::contains(says));
        }
    }
    assert!(sb.request_lines().is_empty(), "{:?}", sb.request_lines());
}

#[test]
fn grace_0_over_a_selection_needs_a_deliver_sink_and_sends_nothing_without() {
    let (sb, verbs) = rotate_verbs();
    sb.clear_requests();
    // Mailtrap's grace is its own: it takes no --grace.
    for (_, env, verb) in verbs.iter().filter(|(v, ..)| *v != "mailtrap") {
        // --secret-file is written after every token is done: it does not hold a secret in time.
        let file = env.path("all.json");
        env.cmd()
            .args(verb)
            .args(["--all", "--grace", "0", "--yes", "--secret-file"])
            .arg(&file)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "--grace 0 over a selection retires each old token before its new secret is printed",
            ))
            .stderr(predicate::str::contains("--deliver"));
        assert!(!file.exists());
    }
    assert!(sb.request_lines().is_empty(), "{:?}", sb.request_lines());
}

#[test]
fn a_mosquitto_token_whose_role_cannot_be_created_is_not_rotated() {
    let (sb, env, project, dir) = mosquitto();
    let root = "tokenctl-sandbox-root";
    // Alone: refused before anything is sent, the token untouched.
    sb.clear_requests();
    env.cmd()
        .args(["project-tokens", "rotate", root, "--project", &project])
        .args(["--grace", "0", "--yes", "--deliver"])
        .arg(format!("dotenv:{}/root.env", dir.display()))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "its role 'root' is not one the platform creates tokens with",
        ))
        .stderr(predicate::str::contains("nothing was changed"));
    assert!(
        sb.request_lines().iter().all(|r| r.starts_with("GET ")),
        "{:?}",
        sb.request_lines()
    );
    assert!(!dir.join("root.env").exists());
    // In a selection: skipped, saying why, while the others are rotated.
    let out = env
        .cmd()
        .args(["project-tokens", "rotate", "--all", "--project", &project])
        .args(["--yes", "-o", "json", "--deliver"])
        .arg(format!(
            "dotenv:{}/{{id}}.env#MOSQUITTO_TOKEN",
            dir.display()
        ))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let items = elements(&out);
    let skipped = by_name(&items, root);
    assert_eq!(skipped["outcome"], "skipped", "{skipped}");
    assert!(
        skipped["reason"]
            .as_str()
            .is_some_and(|r| r.contains("'root'")),
        "{skipped}"
    );
    assert_eq!(by_name(&items, "edge-a")["outcome"], "done");
}

#[test]
fn a_disabled_cloudflare_token_is_not_rotated_into_an_active_copy() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let listed = env
        .cmd()
        .args(["tokens", "list", "--status", "disabled", "--json"])
        .output()
        .expect("list");
    let disabled = elements(&listed);
    let now = Timestamp::now();
    let name = disabled
        .iter()
        .find(|t| {
            t["expires_on"]
                .as_str()
                .and_then(|s| s.parse::<Timestamp>().ok())
                .is_none_or(|at| at > now)
        })
        .and_then(|t| t["name"].as_str())
        .expect("the sandbox seeds a disabled, unexpired token")
        .to_owned();
    sb.clear_requests();
    env.cmd()
        .args(["tokens", "rotate", &name, "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is disabled: its copy would be active",
        ))
        .stderr(predicate::str::contains("--enable"));
    assert!(
        sb.request_lines().iter().all(|r| r.starts_with("GET ")),
        "{:?}",
        sb.request_lines()
    );
    // In a selection: skipped, saying why.
    let dir = env.path("consumers");
    std::fs::create_dir_all(&dir).expect("dir");
    let out = env
        .cmd()
        .args([
            "tokens", "rotate", "--status", "disabled", "--yes", "-o", "json",
        ])
        .arg("--deliver")
        .arg(format!("dotenv:{}/{{id}}.env", dir.display()))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let items = elements(&out);
    assert_eq!(items.len(), disabled.len());
    assert!(
        by_name(&items, &name)["reason"]
            .as_str()
            .is_some_and(|r| r.contains("it is disabled: its copy would be active"))
    );
    for i in &items {
        assert_eq!(i["outcome"], "skipped", "{i}");
        let reason = i["reason"].as_str().expect("reason");
        assert!(
            reason.contains("disabled") || reason.contains("expired"),
            "{i}"
        );
    }
    let after = env
        .cmd()
        .args(["tokens", "list", "--status", "disabled", "--json"])
        .output()
        .expect("list");
    assert_eq!(elements(&after).len(), disabled.len(), "no copy made");
}

#[test]
fn mailtrap_reset_takes_a_selection_and_delivers_each() {
    let (_sb, env, _) = mailtrap(&["reset-a", "reset-b"]);
    let dir = env.path("consumers");
    std::fs::create_dir_all(&dir).expect("dir");
    let out = env
        .cmd()
        .args([
            "api-tokens",
            "reset",
            "--name",
            "reset-*",
            "--yes",
            "-o",
            "json",
        ])
        .arg("--deliver")
        .arg(format!(
            "dotenv:{}/{{name}}.env#MAILTRAP_API_TOKEN",
            dir.display()
        ))
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("Reset 2, failed 0, skipped 0."),
        "{}",
        text(&out.stderr)
    );
    let items = elements(&out);
    assert_eq!(items.len(), 2);
    for v in &items {
        assert_eq!(v["outcome"], "done", "{v}");
        mailtrap_consumer_works(&env, &dir, v);
    }
    // A name and a selection at once is refused.
    env.cmd()
        .args(["api-tokens", "reset", "reset-a", "--all", "--yes"])
        .assert()
        .code(2);
}
