//! `tokens create` with account-scoped and zone-scoped permission groups: one policy per
//! scope, each with the resources that fit its groups.

use predicates::prelude::*;
use serde_json::{Value, json};

use crate::common::{TestEnv, stdout_json, text};

fn policy_of<'a>(policies: &'a [Value], group: &str) -> &'a Value {
    policies
        .iter()
        .find(|p| {
            p["permission_groups"]
                .as_array()
                .is_some_and(|gs| gs.iter().any(|g| g["name"] == group))
        })
        .unwrap_or_else(|| panic!("no policy for {group}: {policies:?}"))
}

#[test]
fn a_mixed_create_makes_one_policy_per_scope_and_loses_no_resource() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let account = format!("com.cloudflare.api.account.{}", sb.account_id);
    let out = env
        .cmd()
        .args(["tokens", "create", "--name", "mixed-scopes"])
        .args([
            "--permission",
            "Workers Scripts Write",
            "--permission",
            "DNS Write",
        ])
        .args(["--resource", "account", "--resource", "zones", "--json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let created = stdout_json(&out);
    let id = created["id"].as_str().expect("id").to_owned();
    // As the API stored it.
    let (_, got) = sb.api(
        "GET",
        &format!("/accounts/{}/tokens/{id}", sb.account_id),
        &sb.token,
        None,
    );
    let policies = got["result"]["policies"]
        .as_array()
        .expect("policies")
        .clone();
    assert_eq!(policies.len(), 2, "{policies:?}");
    let workers = policy_of(&policies, "Workers Scripts Write");
    assert_eq!(workers["resources"], json!({ &account: "*" }));
    assert_eq!(
        workers["permission_groups"].as_array().map(Vec::len),
        Some(1)
    );
    let dns = policy_of(&policies, "DNS Write");
    assert_eq!(
        dns["resources"],
        json!({ &account: { "com.cloudflare.api.account.zone.*": "*" } })
    );
    assert_eq!(dns["permission_groups"].as_array().map(Vec::len), Some(1));
}

#[test]
fn a_resource_that_fits_none_of_the_groups_is_a_usage_error_and_sends_nothing() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let zone = "023e105f4ecef8ad9ca31a8372d0c353";
    let zones = format!("zone:{zone}");
    let cases: [(&[&str], &[&str], &str); 3] = [
        (&["DNS Write"], &["account"], "--resource account"),
        (
            &["Workers Scripts Write"],
            &["zones", &zones],
            "--resource zones",
        ),
        (
            &["Workers Scripts Write", "DNS Write"],
            &["account"],
            "DNS Write",
        ),
    ];
    for (groups, resources, named) in cases {
        sb.clear_requests();
        let mut cmd = env.cmd();
        cmd.args(["tokens", "create", "--name", "misfit"]);
        for g in groups {
            cmd.args(["--permission", g]);
        }
        for r in resources {
            cmd.args(["--resource", r]);
        }
        cmd.assert()
            .code(2)
            .stderr(predicate::str::starts_with("error: ").and(predicate::str::contains(named)))
            .stderr(predicate::str::contains("hint: "));
        let posts: Vec<String> = sb
            .request_lines()
            .into_iter()
            .filter(|l| l.starts_with("POST"))
            .collect();
        assert!(posts.is_empty(), "{groups:?} {resources:?}: {posts:?}");
    }
}

/// Without --resource a group is granted on the account or all zones; a group of another
/// scope (an R2 bucket) fits neither: a usage error naming it, nothing sent. With its resource
/// key it is created.
#[test]
fn a_group_of_another_scope_needs_its_resource_and_nothing_is_sent_without() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    sb.clear_requests();
    let group = "Workers R2 Storage Bucket Item Read";
    env.cmd()
        .args(["tokens", "create", "--name", "r2", "--permission", group])
        .assert()
        .code(2)
        .stderr(
            predicate::str::starts_with("error: ")
                .and(predicate::str::contains("com.cloudflare.edge.r2.bucket"))
                .and(predicate::str::contains("hint: ")),
        );
    let posts = sb
        .request_lines()
        .into_iter()
        .filter(|l| l.starts_with("POST"))
        .count();
    assert_eq!(posts, 0);
    let out = env
        .cmd()
        .args(["tokens", "create", "--name", "r2", "--permission", group])
        .args([
            "--resource",
            "com.cloudflare.edge.r2.bucket.4a5b_default_media",
        ])
        .args(["--json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v = stdout_json(&out);
    assert_eq!(
        v["policies"][0]["resources"]["com.cloudflare.edge.r2.bucket.4a5b_default_media"],
        "*"
    );
}
