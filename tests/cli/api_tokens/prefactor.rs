//! Prefactor as its API reference and official CLI describe it today: the agent_deployment
//! scope, list items without `available_actions`, and lifecycle steps whose answer was lost.

use predicates::prelude::*;
use serde_json::{Value, json};

use super::{PF, json};
use crate::common::{Sandbox, TestEnv, stdout_json, text};
use crate::support::hostile::{Hostile, Reply, Seen};

const AGENT: &str = "013xrzp12g3nqk8nq2w5c8rt1mbv4zha";
const ENVIRONMENT: &str = "013xrzp12g3nqk8nzxvq7jm2arsfg5h1";
const ADMIN: &str = "013xrzp12g3nqk8n7f8f9jbg8d18q7tm";
const ROOT: &str = "/prefactor/api/v1/api_token";

/// A sandbox and an environment pointed at its Prefactor API.
fn sandboxed() -> (TestEnv, Sandbox) {
    let mut env = TestEnv::new();
    let sb = Sandbox::start(&[], &[]);
    let pf = &sb.connections["prefactor"];
    env.set("PREFACTOR_BASE_URL", pf["base_url"].as_str().expect("url"))
        .set("PREFACTOR_API_TOKEN", pf["token"].as_str().expect("token"));
    (env, sb)
}

#[test]
fn agent_deployment_tokens_show_their_agent_and_deployment() {
    let env = TestEnv::new();
    let created = json(
        &env,
        PF,
        &[
            "create",
            "--scope",
            "agent_deployment",
            "--agent",
            AGENT,
            "--environment",
            ENVIRONMENT,
        ],
    );
    let d = &created["details"];
    assert_eq!(d["token_scope"], "agent_deployment", "{created}");
    assert_eq!(d["agent_id"], AGENT, "{created}");
    assert_eq!(d["environment_id"], ENVIRONMENT, "{created}");
    let deployment = d["agent_deployment_id"].as_str().expect("deployment id");
    let listed = json(&env, PF, &["list"]);
    let item = listed
        .as_array()
        .expect("array")
        .iter()
        .find(|t| t["id"] == d["id"])
        .expect("listed")
        .clone();
    assert_eq!(item["agent_id"], AGENT, "{item}");
    assert_eq!(item["agent_deployment_id"], deployment, "{item}");
    let out = env.cmd().args(PF).arg("list").output().expect("run");
    let table = text(&out.stdout);
    let header = table.lines().next().unwrap_or_default();
    assert!(
        header.contains("AGENT") && header.contains("DEPLOYMENT"),
        "{header}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.contains(AGENT) && l.contains(deployment)),
        "{table}"
    );
}

#[test]
fn scope_combinations_the_api_refuses_are_refused_before_sending() {
    let (env, sb) = sandboxed();
    sb.clear_requests();
    for args in [
        vec!["--scope", "agent_deployment", "--environment", ENVIRONMENT],
        vec!["--scope", "agent_deployment", "--agent", AGENT],
        vec!["--scope", "account", "--agent", AGENT],
        vec!["--scope", "account", "--environment", ENVIRONMENT],
        vec![
            "--scope",
            "environment",
            "--environment",
            ENVIRONMENT,
            "--agent",
            AGENT,
        ],
    ] {
        env.cmd()
            .args(["api-tokens", "create"])
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::starts_with("error: --scope"));
    }
    let posts: Vec<String> = sb
        .request_lines()
        .into_iter()
        .filter(|l| l.starts_with("POST"))
        .collect();
    assert!(posts.is_empty(), "nothing is created: {posts:?}");
}

#[test]
fn bulk_steps_follow_each_tokens_status_from_the_list() {
    let (env, sb) = sandboxed();
    let before = stdout_json(
        &env.cmd()
            .args(["api-tokens", "list", "--json"])
            .output()
            .expect("list"),
    );
    let status_of = |id: &str| {
        before
            .as_array()
            .expect("array")
            .iter()
            .find(|t| t["id"] == id)
            .map(|t| t["status"].as_str().unwrap_or_default().to_owned())
            .unwrap_or_default()
    };
    sb.clear_requests();
    let out = env
        .cmd()
        .args(["api-tokens", "suspend", "--all", "--yes", "--json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let sent: Vec<String> = sb
        .request_lines()
        .into_iter()
        .filter(|l| l.starts_with("POST"))
        .collect();
    assert!(!sent.is_empty());
    for line in &sent {
        let id = line
            .trim_start_matches(&format!("POST {ROOT}/"))
            .trim_end_matches("/suspend");
        assert_eq!(status_of(id), "active", "suspend sent to {line}");
    }
    let statuses: Vec<u64> = sb
        .requests()
        .iter()
        .filter(|r| r["method"] == "POST")
        .filter_map(|r| r["status"].as_u64())
        .collect();
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    // Nothing can be deleted but revoked tokens: none of the others is sent.
    sb.clear_requests();
    env.cmd()
        .args(["api-tokens", "delete", "--status", "suspended", "--yes"])
        .assert()
        .success();
    let deletes: Vec<String> = sb
        .request_lines()
        .into_iter()
        .filter(|l| l.starts_with("DELETE"))
        .collect();
    assert!(deletes.is_empty(), "{deletes:?}");
}

/// A token by ID for the hostile server's list and get answers.
fn token(id: &str, status: Option<&str>) -> Value {
    let mut t = json!({ "id": id, "token_scope": "account", "account_id": ADMIN });
    if let Some(s) = status {
        t["status"] = s.into();
    }
    t
}

#[test]
fn bulk_reads_a_token_whose_status_does_not_tell_and_never_sends_what_it_cannot_take() {
    let unknown = "0000000000000000000000000000000a";
    let missing = "0000000000000000000000000000000b";
    let active = "0000000000000000000000000000000c";
    let server = Hostile::start(move |req: &Seen| {
        let path = req.path().trim_start_matches("/api/v1/api_token");
        match (req.method.as_str(), path) {
            ("GET", "") => Reply::json(
                200,
                &json!({
                    "status": "success",
                    "pagination": { "item_count": 3, "page_size": 25, "next_page_offset": null },
                    "summaries": [token(unknown, Some("paused")), token(missing, None), token(active, Some("active"))],
                }),
            ),
            ("GET", p) => {
                let id = p.trim_start_matches('/');
                let can = id == unknown;
                let mut t = token(id, if id == missing { None } else { Some("paused") });
                t["available_actions"] =
                    json!({ "suspend": can, "revoke": can, "activate": false, "delete": false });
                Reply::json(200, &json!({ "status": "success", "details": t }))
            }
            ("POST", p) => {
                let id = p.trim_start_matches('/').trim_end_matches("/suspend");
                Reply::json(
                    200,
                    &json!({ "status": "success", "details": token(id, Some("suspended")) }),
                )
            }
            _ => Reply::new(404),
        }
    });
    let mut env = TestEnv::new();
    env.set("PREFACTOR_BASE_URL", &server.url)
        .set("PREFACTOR_API_TOKEN", "not-a-jwt");
    let out = env
        .cmd()
        .args(["api-tokens", "suspend", "--all", "--yes", "--json"])
        .output()
        .expect("run");
    let seen: Vec<String> = server
        .seen()
        .iter()
        .map(|s| format!("{} {}", s.method, s.path()))
        .collect();
    let items = stdout_json(&out);
    let outcome = |id: &str| {
        items
            .as_array()
            .and_then(|a| a.iter().find(|i| i["id"] == id))
            .map(|i| i["outcome"].clone())
            .unwrap_or_default()
    };
    assert_eq!(outcome(unknown), "done", "{items} {seen:?}");
    assert_eq!(outcome(missing), "skipped", "{items} {seen:?}");
    assert_eq!(outcome(active), "done", "{items} {seen:?}");
    for read in [unknown, missing] {
        assert!(
            seen.contains(&format!("GET /api/v1/api_token/{read}")),
            "{read} is read on its own: {seen:?}"
        );
    }
    assert!(
        !seen.contains(&format!("GET /api/v1/api_token/{active}")),
        "a known status needs no read: {seen:?}"
    );
    assert!(
        !seen.contains(&format!("POST /api/v1/api_token/{missing}/suspend")),
        "never sent: {seen:?}"
    );
}

#[test]
fn a_list_answer_without_summaries_is_an_error_not_an_empty_list() {
    let server = Hostile::start(|_| {
        Reply::json(
            200,
            &json!({ "status": "success", "pagination": { "item_count": 0 }, "details": [] }),
        )
    });
    let mut env = TestEnv::new();
    env.set("PREFACTOR_BASE_URL", &server.url)
        .set("PREFACTOR_API_TOKEN", "x");
    let out = env
        .cmd()
        .args(["api-tokens", "list", "--json"])
        .output()
        .expect("run");
    let err = text(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(text(&out.stdout).trim().is_empty(), "no list printed");
    assert!(
        err.starts_with("error:") && err.contains("summaries"),
        "{err}"
    );
}

#[test]
fn a_suspend_whose_answer_was_lost_reads_the_token_and_succeeds() {
    let (env, sb) = sandboxed();
    let listed = stdout_json(
        &env.cmd()
            .args(["api-tokens", "list", "--json"])
            .output()
            .expect("list"),
    );
    let id = listed
        .as_array()
        .expect("array")
        .iter()
        .find(|t| t["status"] == "active" && t["id"] != ADMIN)
        .and_then(|t| t["id"].as_str())
        .expect("an active token")
        .to_owned();
    for (verb, target) in [
        ("suspend", "suspended"),
        ("activate", "active"),
        ("revoke", "revoked"),
    ] {
        sb.clear_requests();
        sb.fault(json!({
            "method": "POST", "path_prefix": format!("{ROOT}/{id}/{verb}"), "kind": "reset_after", "times": 1
        }));
        let out = env
            .cmd()
            .args(["api-tokens", verb, &id, "--yes", "--json"])
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(0), "{verb}: {}", text(&out.stderr));
        assert_eq!(stdout_json(&out)["status"], target);
        let posts = sb
            .request_lines()
            .into_iter()
            .filter(|l| l.starts_with("POST"))
            .count();
        assert_eq!(posts, 1, "{verb}: the lost one only, never a blind resend");
    }
}

/// Bulk activate, like the other lifecycle steps: only suspended tokens are sent the step,
/// the others are skipped, and afterwards none of the selection is suspended.
#[test]
fn bulk_activate_sends_the_step_to_suspended_tokens_only() {
    let (env, sb) = sandboxed();
    let listed = |env: &crate::common::TestEnv| {
        stdout_json(
            &env.cmd()
                .args(["api-tokens", "list", "--json"])
                .output()
                .expect("list"),
        )
    };
    let before = listed(&env);
    let suspended: Vec<String> = before
        .as_array()
        .expect("array")
        .iter()
        .filter(|t| t["status"] == "suspended")
        .filter_map(|t| t["id"].as_str().map(str::to_owned))
        .collect();
    assert!(!suspended.is_empty(), "the demo data has suspended tokens");
    sb.clear_requests();
    let out = env
        .cmd()
        .args(["api-tokens", "activate", "--all", "--yes", "--json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut sent: Vec<String> = sb
        .request_lines()
        .into_iter()
        .filter(|l| l.starts_with("POST"))
        .map(|l| {
            l.trim_start_matches(&format!("POST {ROOT}/"))
                .trim_end_matches("/activate")
                .to_owned()
        })
        .collect();
    sent.sort();
    let mut want = suspended.clone();
    want.sort();
    assert_eq!(sent, want, "activate goes to the suspended tokens only");
    let after = listed(&env);
    assert!(
        after
            .as_array()
            .expect("array")
            .iter()
            .all(|t| t["status"] != "suspended"),
        "{after}"
    );
}
