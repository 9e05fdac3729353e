//! `audit --policy FILE` and `--policy-template` against the embedded sandbox.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::common::{TestEnv, stdout_json, text};

fn write(env: &TestEnv, body: &str) -> String {
    let path = env.path("policy.toml");
    std::fs::write(&path, body).expect("write");
    path.display().to_string()
}

fn audit(env: &TestEnv, policy: &str, extra: &[&str]) -> Vec<Value> {
    let out = env
        .cmd()
        .args(["--sandbox", "audit", "--json", "--policy", policy])
        .args(extra)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    stdout_json(&out).as_array().expect("array").clone()
}

fn rules_of(items: &[Value], name: &str) -> BTreeSet<String> {
    items
        .iter()
        .filter(|i| i["name"] == name)
        .map(|i| i["reason"].as_str().expect("reason").to_owned())
        .collect()
}

#[test]
fn the_template_is_a_policy_that_runs() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args(["audit", "--policy-template"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let path = write(&env, &text(&out.stdout));
    let items = audit(&env, &path, &[]);
    // Its severity table: stale-secret is an error; its thresholds turn on the posture rules.
    let stale: Vec<&Value> = items
        .iter()
        .filter(|i| i["reason"] == "stale-secret")
        .collect();
    assert!(!stale.is_empty());
    assert!(stale.iter().all(|i| i["severity"] == "error"));
    for r in ["excess-ttl", "no-ip-restriction", "broad-scope"] {
        assert!(items.iter().any(|i| i["reason"] == r), "{r}");
    }
}

#[test]
fn bad_files_are_refused_with_file_line_and_key() {
    let env = TestEnv::new();
    for (body, line, what) in [
        (
            "[rules]\nmax_ttl = \"90x\"\n",
            2,
            "key `max_ttl`: invalid duration '90x'",
        ),
        (
            "# c\n[rules]\nmax_tl = \"90d\"\n",
            3,
            "key `max_tl`: unknown field `max_tl`",
        ),
        (
            "[rules]\nrequire_expiry = \"yes\"\n",
            2,
            "key `require_expiry`:",
        ),
        ("[[scope]]\nnoun = \"tokenz\"\n", 2, "unknown noun 'tokenz'"),
        (
            "[rules.severity]\nexpired = \"fatal\"\n",
            2,
            "key `expired`:",
        ),
    ] {
        let path = write(&env, body);
        let out = env
            .cmd()
            .args(["--sandbox", "audit", "--policy", &path])
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2), "{body}");
        let err = text(&out.stderr);
        assert!(err.contains(&format!("{path}:{line}:")), "{body}: {err}");
        assert!(err.contains(what), "{body}: {err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn scopes_change_the_rules_for_the_tokens_they_match() {
    let env = TestEnv::new();
    let open = write(&env, "[rules]\nrequire_ip_restriction = true\n");
    let items = audit(&env, &open, &["--reason", "no-ip-restriction"]);
    assert!(!items.is_empty());
    let scoped = write(
        &env,
        "[[scope]]\nprofile = \"sandbox-cloud*\"\nnoun = \"tokens\"\n[scope.rules]\nrequire_ip_restriction = false\n",
    );
    assert!(audit(&env, &scoped, &["--reason", "no-ip-restriction"]).is_empty());
    // A name glob: only the matching token gets the short max_ttl.
    let ttl = write(
        &env,
        "[[scope]]\nname = \"tokenctl-sandbox-*\"\n[scope.rules]\nmax_ttl = \"1d\"\n",
    );
    let items = audit(&env, &ttl, &["--reason", "excess-ttl"]);
    let names: BTreeSet<&str> = items.iter().filter_map(|i| i["name"].as_str()).collect();
    assert!(names.contains("tokenctl-sandbox-admin"), "{names:?}");
    assert!(
        names.iter().all(|n| n.starts_with("tokenctl-sandbox-")),
        "{names:?}"
    );
}

#[test]
fn exceptions_excuse_until_they_expire() {
    let env = TestEnv::new();
    let base = audit(
        &env,
        &write(&env, ""),
        &["--reason", "duplicate-name,expired-exception"],
    );
    assert_eq!(
        rules_of(&base, "shared-name"),
        BTreeSet::from(["duplicate-name".into()])
    );
    let live = write(
        &env,
        "[[exception]]\ntoken = \"shared-name\"\nrule = \"duplicate-name\"\nreason = \"r\"\nexpires = \"2999-01-01T00:00:00Z\"\n",
    );
    let only = ["--reason", "duplicate-name,expired-exception"];
    let items = audit(&env, &live, &only);
    assert!(rules_of(&items, "shared-name").is_empty());
    assert_eq!(rules_of(&items, "shared-service").len(), 1);
    let past = write(
        &env,
        "[[exception]]\ntoken = \"shared-name\"\nrule = \"duplicate-name\"\nreason = \"r\"\nexpires = \"2020-01-01T00:00:00Z\"\n",
    );
    let items = audit(&env, &past, &only);
    assert_eq!(
        rules_of(&items, "shared-name"),
        BTreeSet::from(["duplicate-name".into(), "expired-exception".into()])
    );
}
