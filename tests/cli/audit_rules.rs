//! `audit`'s posture rules against the embedded sandbox: no-ip-restriction, broad-scope,
//! stale-secret, excess-ttl, duplicate-name. Not reported by default; reported when named in
//! `--reason` or `--fail-on`.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::common::{TestEnv, stdout_json, text};

const POSTURE: &str = "no-ip-restriction,broad-scope,stale-secret,excess-ttl,duplicate-name";

pub(crate) fn audit(env: &TestEnv, args: &[&str]) -> (Vec<Value>, i32) {
    let out = env
        .cmd()
        .args(["--sandbox", "audit", "--json"])
        .args(args)
        .output()
        .expect("run");
    let code = out.status.code().expect("code");
    assert!(code == 0 || code == 10, "{}", text(&out.stderr));
    (stdout_json(&out).as_array().expect("array").clone(), code)
}

/// (name, rule) of every finding.
fn pairs(items: &[Value]) -> BTreeSet<(String, String)> {
    items
        .iter()
        .map(|i| {
            (
                i["name"].as_str().unwrap_or("").to_owned(),
                i["reason"].as_str().expect("reason").to_owned(),
            )
        })
        .collect()
}

fn has(items: &[Value], name: &str, rule: &str) -> bool {
    pairs(items).contains(&(name.to_owned(), rule.to_owned()))
}

fn create(env: &TestEnv, name: &str, permission: &str, extra: &[&str]) {
    env.cmd()
        .args(["--sandbox", "tokens", "create", "--name", name])
        .args(["--permission", permission, "--json"])
        .args(extra)
        .assert()
        .success();
}

#[test]
fn posture_rules_are_not_in_the_default_report() {
    let env = TestEnv::new();
    let (items, code) = audit(&env, &[]);
    assert_eq!(code, 0);
    let rules: BTreeSet<&str> = items.iter().filter_map(|i| i["reason"].as_str()).collect();
    for r in POSTURE.split(',') {
        assert!(!rules.contains(r), "{r} by default");
    }
}

#[test]
fn ip_restriction_and_broad_scope_on_account_tokens() {
    let env = TestEnv::new();
    create(
        &env,
        "wide-open",
        "Account API Tokens Write",
        &["--expires", "30d"],
    );
    create(
        &env,
        "fenced",
        "Account API Tokens Read",
        &["--expires", "30d", "--allow-ip", "203.0.113.0/24"],
    );
    let (items, _) = audit(
        &env,
        &[
            "--reason",
            "no-ip-restriction,broad-scope",
            "--profiles",
            "sandbox-cloudflare",
        ],
    );
    assert!(has(&items, "wide-open", "no-ip-restriction"));
    assert!(has(&items, "wide-open", "broad-scope"));
    assert!(
        !pairs(&items).iter().any(|(n, _)| n == "fenced"),
        "{items:?}"
    );
    // Seeded tokens on all zones are broad too; only account tokens have these rules.
    assert!(
        items
            .iter()
            .filter(|i| i["reason"] == "broad-scope")
            .count()
            > 1
    );
    assert!(items.iter().all(|i| i["noun"] == "tokens"));
    let fix = items
        .iter()
        .find(|i| i["name"] == "wide-open" && i["reason"] == "no-ip-restriction")
        .expect("finding")["fix"]
        .clone();
    assert!(
        fix.as_str().expect("fix").ends_with("--allow-ip CIDR"),
        "{fix}"
    );
}

#[test]
fn stale_secret_follows_rotate_after() {
    let env = TestEnv::new();
    let (items, _) = audit(&env, &["--reason", "stale-secret"]);
    let nouns: BTreeSet<&str> = items.iter().filter_map(|i| i["noun"].as_str()).collect();
    assert!(nouns.len() >= 3, "{nouns:?}");
    let (none, _) = audit(
        &env,
        &["--reason", "stale-secret", "--rotate-after", "36500d"],
    );
    assert!(none.is_empty(), "{none:?}");
    assert!(items.iter().all(|i| i["severity"] == "warning"));
    assert!(
        items
            .iter()
            .all(|i| i["fix"].as_str().expect("fix").contains(" rotate "))
    );
}

#[test]
fn excess_ttl_follows_max_ttl() {
    let env = TestEnv::new();
    create(
        &env,
        "month",
        "Account API Tokens Read",
        &["--expires", "30d"],
    );
    let (short, _) = audit(&env, &["--reason", "excess-ttl", "--max-ttl", "7d"]);
    assert!(has(&short, "month", "excess-ttl"));
    assert!(has(&short, "tokenctl-sandbox-admin", "excess-ttl"));
    let (long, _) = audit(&env, &["--reason", "excess-ttl", "--max-ttl", "60d"]);
    assert!(!has(&long, "month", "excess-ttl"));
    assert!(has(&long, "tokenctl-sandbox-admin", "excess-ttl"));
    // Without --max-ttl the rule finds nothing.
    let (off, _) = audit(&env, &["--reason", "excess-ttl"]);
    assert!(off.is_empty());
}

#[test]
fn duplicate_names_of_live_tokens() {
    let env = TestEnv::new();
    let (items, _) = audit(&env, &["--reason", "duplicate-name"]);
    let names: BTreeSet<&str> = items.iter().filter_map(|i| i["name"].as_str()).collect();
    assert_eq!(
        names,
        BTreeSet::from(["shared-mailtrap", "shared-name", "shared-service"])
    );
    assert_eq!(items.len(), 6);
}

#[test]
fn fail_on_a_posture_rule_reports_it_and_exits_10() {
    let env = TestEnv::new();
    let (items, code) = audit(&env, &["--fail-on", "duplicate-name"]);
    assert_eq!(code, 10);
    assert!(items.iter().any(|i| i["reason"] == "duplicate-name"));
    assert!(items.iter().any(|i| i["reason"] == "expired"));
}
