//! `project-tokens` on a Mosquitto profile.

use predicates::prelude::*;
use serde_json::Value;

use crate::common::{Sandbox, TestEnv, stdout_json, text};

const MQ: &[&str] = &["--sandbox", "-p", "sandbox-mosquitto", "project-tokens"];

fn json(env: &TestEnv, args: &[&str]) -> Value {
    let out = env
        .cmd()
        .args(MQ)
        .args(args)
        .arg("--json")
        .output()
        .expect("run");
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    stdout_json(&out)
}

#[test]
fn list_create_delete() {
    let env = TestEnv::new();
    let all = json(&env, &["list"]);
    let all = all.as_array().expect("array").clone();
    assert!(all.len() >= 5);
    assert!(all.iter().all(|t| t.get("token").is_none()));
    let created = json(
        &env,
        &[
            "create",
            "--name",
            "dash",
            "--role",
            "viewer",
            "--broker",
            "broker-eu-1",
            "--valid-until",
            "30d",
        ],
    );
    assert!(created["token"].is_string());
    assert_eq!(created["type"], "restricted");
    let id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(
        json(&env, &["list"]).as_array().expect("array").len(),
        all.len() + 1
    );
    env.cmd().args(MQ).args(["delete", "dash"]).assert().code(2);
    env.cmd()
        .args(MQ)
        .args(["delete", "dash", "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains("Deleted project token"));
    env.cmd()
        .args(MQ)
        .args(["delete", &id, "--yes"])
        .assert()
        .code(5);
}

#[test]
fn dates_in_seconds_and_milliseconds_both_display() {
    let env = TestEnv::new();
    let all = json(&env, &["list"]);
    let dates: Vec<f64> = all
        .as_array()
        .expect("array")
        .iter()
        .flat_map(|t| ["issue_date", "valid_date"].map(|k| t[k].as_f64()))
        .flatten()
        .collect();
    assert!(
        dates.iter().any(|d| *d > 1e11),
        "some dates in milliseconds"
    );
    assert!(dates.iter().any(|d| *d < 1e11), "some dates in seconds");
    let out = env
        .cmd()
        .args(MQ)
        .arg("list")
        .assert()
        .success()
        .get_output()
        .clone();
    let s = text(&out.stdout);
    // Every date renders as a sane year, whichever unit it came in.
    for line in s.lines().skip(1) {
        assert!(!line.contains("+5") && !line.contains("1970-"), "{line}");
    }
    assert!(s.contains("20"), "{s}");
}

#[test]
fn bad_input_sends_nothing() {
    let env = TestEnv::new();
    let sb = Sandbox::start(&[], &[]);
    let mq = &sb.connections["mosquitto"];
    let mut env2 = TestEnv::new();
    env2.set("MOSQUITTO_URL", mq["base_url"].as_str().expect("url"))
        .set("MOSQUITTO_API_TOKEN", mq["token"].as_str().expect("token"));
    let project = mq["project_id"].as_str().expect("project").to_owned();
    sb.clear_requests();
    for args in [
        vec!["create", "--name", "x", "--role", "admin", "--broker", "b1"],
        vec![
            "create",
            "--name",
            "x",
            "--role",
            "admin",
            "--type",
            "restricted",
            "--broker",
            "b1",
        ],
        vec!["create", "--name", "x", "--role", "owner"],
        vec![
            "create",
            "--name",
            "x",
            "--role",
            "viewer",
            "--valid-until",
            "yesterday",
        ],
        vec![
            "create",
            "--name",
            "x",
            "--role",
            "viewer",
            "--type",
            "restricted",
        ],
        vec!["create", "--name", "", "--role", "viewer"],
        vec!["delete", "x"],
    ] {
        env2.cmd()
            .arg("project-tokens")
            .args(&args)
            .args(["--project", &project])
            .assert()
            .code(2);
    }
    env2.cmd()
        .args(["project-tokens", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--project"));
    assert!(sb.requests().is_empty(), "{:?}", sb.request_lines());
    env2.cmd()
        .args(["project-tokens", "list", "--project", &project, "-o", "id"])
        .assert()
        .success();
    env2.cmd()
        .args(["project-tokens", "list", "--project", "no-such-project"])
        .assert()
        .code(5);
    env2.set("MOSQUITTO_API_TOKEN", "wrong");
    env2.cmd()
        .args(["project-tokens", "list", "--project", &project])
        .assert()
        .code(4);
    drop(env);
}

mod answers;

#[test]
fn delete_takes_a_selection_as_the_other_nouns_do() {
    let env = TestEnv::new();
    let before = json(&env, &["list"]).as_array().expect("array").len();
    for name in ["tmp-a", "tmp-b"] {
        json(
            &env,
            &[
                "create",
                "--name",
                name,
                "--role",
                "viewer",
                "--broker",
                "broker-eu-1",
            ],
        );
    }
    // A selection is confirmed like any bulk run: piped and without --yes, nothing happens.
    env.cmd()
        .args(MQ)
        .args(["delete", "--name", "tmp-*"])
        .assert()
        .code(2);
    // Project tokens have no status to select by; neither TOKEN nor selection is refused.
    env.cmd()
        .args(MQ)
        .args(["delete", "--status", "active", "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("project tokens have no status"));
    env.cmd()
        .args(MQ)
        .args(["delete", "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("name a TOKEN"));
    assert_eq!(
        json(&env, &["list"]).as_array().expect("array").len(),
        before + 2
    );

    let out = env
        .cmd()
        .args(MQ)
        .args(["delete", "--name", "tmp-*", "--yes", "-o", "json"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = stdout_json(&out);
    let report = report.as_array().expect("one JSON array");
    assert_eq!(report.len(), 2, "{report:?}");
    assert!(
        report
            .iter()
            .all(|r| r["outcome"] == "done" && r["deleted"] == true),
        "{report:?}"
    );
    let left = json(&env, &["list"]);
    let left = left.as_array().expect("array");
    assert_eq!(left.len(), before);
    assert!(
        left.iter()
            .all(|t| !t["name"].as_str().unwrap_or("").starts_with("tmp-"))
    );
}
