//! `reconcile --policy FILE`: the plan (table and JSON), nothing sent without --apply, --apply
//! rotating, setting expiries, disabling and suspending, a second run planning nothing, and a
//! failing delivery reported beside the steps that were done.

use std::process::Output;

use serde_json::Value;

use crate::common::{Sandbox, TestEnv, stdout_json, text};

/// Rules that find nothing, then one scope per token that must yield a step: a stale secret
/// (readonly-auditor), a never-expiring token past max_ttl (zero-trust-sync), an unused token
/// (security-audit), Prefactor's unused tokens, and a Mosquitto token past max_ttl, which
/// Mosquitto cannot change. `deliver` is the `[deliver]` list.
fn policy(env: &TestEnv, deliver: &[String]) -> String {
    let scopes = r#"
[[scope]]
noun = "tokens"
name = "readonly-auditor"
[scope.rules]
rotate_after = "1d"

[[scope]]
noun = "tokens"
name = "zero-trust-sync"
[scope.rules]
max_ttl = "90d"

[[scope]]
noun = "tokens"
name = "security-audit"
[scope.rules]
unused_for = "30d"

[[scope]]
vendor = "prefactor"
[scope.rules]
unused_for = "1d"
rotate_after = "200d"

[[scope]]
vendor = "mosquitto"
name = "ci-deploy"
[scope.rules]
max_ttl = "90d"
"#;
    policy_with(env, scopes, deliver)
}

/// A policy whose rules find nothing but in `scopes` (TOML `[[scope]]` tables), delivering to
/// `deliver`; its path.
fn policy_with(env: &TestEnv, scopes: &str, deliver: &[String]) -> String {
    let to: Vec<String> = deliver.iter().map(|d| format!("{d:?}")).collect();
    let body = format!(
        r#"[rules]
rotate_after = "3650d"
unused_for = "3650d"
require_expiry = false
{scopes}
[deliver]
to = [{}]
"#,
        to.join(", ")
    );
    let path = env.path("policy.toml");
    std::fs::write(&path, body).expect("write policy");
    path.display().to_string()
}

/// A `[deliver]` dotenv sink writing `<home>/out/<name>.env`.
fn dotenv(env: &TestEnv) -> String {
    let dir = env.path("out");
    std::fs::create_dir_all(&dir).expect("out dir");
    format!("dotenv:{}/{{name}}.env", dir.display())
}

fn run(env: &TestEnv, args: &[&str]) -> Output {
    env.cmd().args(args).output().expect("run tokenctl")
}

fn step<'a>(items: &'a [Value], name: &str, action: &str) -> Option<&'a Value> {
    items
        .iter()
        .find(|i| i["name"] == name && i["action"] == action)
}

/// A user of the served sandbox: its Cloudflare account and its Prefactor credential in the
/// environment, so every request is in the sandbox's log.
fn served() -> (Sandbox, TestEnv) {
    let mut first = TestEnv::new();
    let sb = first.sandbox();
    let mut env = sb.vendor_env("prefactor");
    env.set("CLOUDFLARE_BASE_URL", &sb.base_url)
        .set("CLOUDFLARE_ACCOUNT_ID", &sb.account_id)
        .set("CLOUDFLARE_API_TOKEN", &sb.token);
    (sb, env)
}

#[test]
fn the_plan_names_each_action_with_its_rule_and_reason() {
    let env = TestEnv::new();
    let path = policy(&env, &[dotenv(&env)]);
    let out = run(
        &env,
        &["--sandbox", "reconcile", "--policy", &path, "--json"],
    );
    assert_eq!(out.status.code(), Some(10), "{}", text(&out.stderr));
    let items = stdout_json(&out).as_array().expect("array").clone();
    let keys = [
        "action", "command", "id", "name", "noun", "profile", "reason", "rule", "vendor",
    ];
    for i in &items {
        let mut got: Vec<&str> = i
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        got.sort_unstable();
        assert_eq!(got, keys, "{i}");
    }
    let rotate = step(&items, "readonly-auditor", "rotate").expect("rotate step");
    assert_eq!(rotate["rule"], "stale-secret");
    assert!(
        rotate["reason"]
            .as_str()
            .is_some_and(|r| r.contains("older") || r.contains("rotate_after 1d")),
        "{rotate}"
    );
    let cmd = rotate["command"].as_str().expect("command");
    assert!(
        cmd.contains("tokens rotate") && cmd.contains("--grace 1h") && cmd.contains("--deliver"),
        "{cmd}"
    );
    assert!(
        cmd.contains("/out/readonly-auditor.env"),
        "placeholders expanded: {cmd}"
    );
    let expiry = step(&items, "zero-trust-sync", "set-expiry").expect("set-expiry step");
    assert_eq!(expiry["rule"], "excess-ttl");
    assert!(
        expiry["command"]
            .as_str()
            .is_some_and(|c| c.ends_with("--expires 90d")),
        "{expiry}"
    );
    let disable = step(&items, "security-audit", "disable").expect("disable step");
    assert_eq!(disable["rule"], "unused");
    assert!(
        items.iter().any(|i| i["vendor"] == "prefactor"
            && i["action"] == "suspend"
            && i["rule"] == "unused"),
        "a Prefactor suspend step"
    );
    let skipped = step(&items, "ci-deploy", "skip").expect("skipped step");
    assert_eq!(skipped["vendor"], "mosquitto");
    assert!(
        skipped["reason"]
            .as_str()
            .is_some_and(|r| r.contains("cannot: Mosquitto has no update endpoint")),
        "{skipped}"
    );

    // The same plan as a table, its count on stderr.
    let out = run(&env, &["--sandbox", "reconcile", "--policy", &path]);
    assert_eq!(out.status.code(), Some(10));
    let table = text(&out.stdout);
    assert!(
        table.contains("ACTION") && table.contains("RULE"),
        "{table}"
    );
    let row = table
        .lines()
        .find(|l| l.contains("readonly-auditor"))
        .expect("row");
    assert!(
        row.contains("rotate") && row.contains("stale-secret"),
        "{row}"
    );
    let err = text(&out.stderr);
    assert!(err.contains("steps to take"), "{err}");
    assert!(err.contains("run it with --apply"), "{err}");
}

#[test]
fn without_apply_nothing_is_sent() {
    let (sb, env) = served();
    let path = policy(&env, &[dotenv(&env)]);
    sb.clear_requests();
    let out = run(&env, &["reconcile", "--policy", &path, "--json"]);
    assert_eq!(out.status.code(), Some(10), "{}", text(&out.stderr));
    let items = stdout_json(&out);
    assert!(
        step(
            items.as_array().expect("array"),
            "readonly-auditor",
            "rotate"
        )
        .is_some()
    );
    let requests = sb.request_lines();
    assert!(!requests.is_empty());
    assert!(
        requests.iter().all(|r| r.starts_with("GET ")),
        "only reads: {requests:?}"
    );
    assert!(
        std::fs::read_dir(env.path("out"))
            .expect("out")
            .next()
            .is_none()
    );
}

#[test]
fn apply_without_yes_off_a_terminal_is_refused() {
    let (sb, env) = served();
    let path = policy(&env, &[dotenv(&env)]);
    sb.clear_requests();
    let out = run(&env, &["reconcile", "--policy", &path, "--apply"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--yes"), "{}", text(&out.stderr));
    assert_eq!(sb.request_lines(), Vec::<String>::new());
}

#[test]
fn apply_under_dry_run_is_refused_for_the_plan() {
    let (sb, env) = served();
    let path = policy(&env, &[dotenv(&env)]);
    sb.clear_requests();
    let out = run(
        &env,
        &[
            "--dry-run",
            "reconcile",
            "--policy",
            &path,
            "--apply",
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("without --apply is the rehearsal"), "{err}");
    assert_eq!(sb.request_lines(), Vec::<String>::new());
}

#[test]
fn apply_on_a_terminal_shows_the_plan_and_asks() {
    let (sb, env) = served();
    let path = policy(&env, &[dotenv(&env)]);
    sb.clear_requests();
    let out = env
        .tty_cmd()
        .args(["reconcile", "--policy", &path, "--apply"])
        .write_stdin("n\n")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("readonly-auditor"),
        "the plan first: {}",
        text(&out.stdout)
    );
    let err = text(&out.stderr);
    assert!(
        err.contains("Apply the ") && err.contains("cancelled"),
        "{err}"
    );
    let requests = sb.request_lines();
    assert!(
        requests.iter().all(|r| r.starts_with("GET ")),
        "declined: only reads: {requests:?}"
    );
}

#[test]
fn apply_fixes_the_plan_and_a_second_run_plans_nothing() {
    let (sb, env) = served();
    let path = policy(&env, &[dotenv(&env)]);
    let old_id = sb.token_id("readonly-auditor");
    let out = run(
        &env,
        &["reconcile", "--policy", &path, "--apply", "--yes", "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let outcomes = stdout_json(&out).as_array().expect("array").clone();
    for o in &outcomes {
        let want = if o["action"] == "skip" {
            "skipped"
        } else {
            "done"
        };
        assert_eq!(o["outcome"], want, "{o}");
        assert_eq!(o["error"], Value::Null, "{o}");
    }
    let suspended: Vec<&str> = outcomes
        .iter()
        .filter(|o| o["action"] == "suspend")
        .map(|o| o["id"].as_str().expect("id"))
        .collect();
    assert!(!suspended.is_empty());

    // The consumer's file holds a new secret that works; the old token is on its way out.
    let file = std::fs::read_to_string(env.path("out/readonly-auditor.env")).expect("dotenv");
    let secret = file
        .lines()
        .find_map(|l| l.strip_prefix("TOKEN="))
        .expect("TOKEN line")
        .trim_matches('\'')
        .to_owned();
    let (status, v) = sb.api(
        "GET",
        &format!("/accounts/{}/tokens/verify", sb.account_id),
        &secret,
        None,
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["result"]["status"], "active");
    assert_ne!(v["result"]["id"], old_id.as_str());
    let tokens = |name: &str| -> Vec<Value> {
        let out = run(&env, &["tokens", "list", "--json", "--name", name]);
        stdout_json(&out).as_array().expect("array").clone()
    };
    let old = tokens("readonly-auditor")
        .into_iter()
        .find(|t| t["id"] == old_id.as_str())
        .expect("old token");
    assert!(old["expires_on"].is_string(), "retiring: {old}");
    let ztc = &tokens("zero-trust-sync")[0];
    assert!(ztc["expires_on"].is_string(), "an expiry now: {ztc}");
    assert_eq!(tokens("security-audit")[0]["status"], "disabled");
    for id in suspended {
        let out = run(&env, &["api-tokens", "get", id, "--json"]);
        assert_eq!(stdout_json(&out)["status"], "suspended", "{id}");
    }

    // Idempotent: right after, nothing to do.
    let out = run(&env, &["reconcile", "--policy", &path, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let again = stdout_json(&out);
    assert!(
        again
            .as_array()
            .expect("array")
            .iter()
            .all(|i| i["action"] == "skip"),
        "{again}"
    );
}

#[test]
fn a_failed_delivery_is_reported_and_the_other_steps_are_done() {
    let (sb, env) = served();
    let dotenv = dotenv(&env);
    let path = policy(
        &env,
        &[dotenv, "exec:test {name} != readonly-auditor".into()],
    );
    let old_id = sb.token_id("readonly-auditor");
    let out = run(&env, &["reconcile", "--policy", &path, "--apply", "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    let row = |name: &str, action: &str| {
        table
            .lines()
            .find(|l| l.contains(name) && l.contains(action))
            .unwrap_or_else(|| panic!("no {action} row for {name}: {table}"))
            .to_owned()
    };
    let failed = row("readonly-auditor", "rotate");
    assert!(
        failed.contains("failed") && failed.contains("--deliver exec"),
        "{failed}"
    );
    assert!(row("zero-trust-sync", "set-expiry").contains("done"));
    assert!(row("security-audit", "disable").contains("done"));
    let err = text(&out.stderr);
    assert!(err.contains("1 of "), "{err}");
    // The old token was left as it was: it still works and was not set to expire.
    let (_, v) = sb.api(
        "GET",
        &format!("/accounts/{}/tokens/{old_id}", sb.account_id),
        &sb.token,
        None,
    );
    assert_eq!(v["result"]["status"], "active", "{v}");
    assert!(v["result"]["expires_on"].is_null(), "{v}");
}

#[test]
fn a_bad_policy_is_refused_with_file_line_and_key() {
    let env = TestEnv::new();
    let path = env.path("policy.toml");
    std::fs::write(&path, "[rules]\nrotate_after = \"soon\"\n").expect("write");
    let out = env
        .cmd()
        .args(["--sandbox", "reconcile", "--policy"])
        .arg(&path)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("{}:2: key `rotate_after`:", path.display())),
        "{err}"
    );
}

#[test]
fn a_deliver_sink_that_does_not_fit_a_noun_is_a_skipped_step_that_says_why() {
    let env = TestEnv::new();
    let out_dir = env.path("out");
    std::fs::create_dir_all(&out_dir).expect("out dir");
    // One dotenv key: an account token's secret fits it; a service token's two fields do not.
    let scopes = r#"
[[scope]]
name = "readonly-auditor"
[scope.rules]
rotate_after = "1d"

[[scope]]
noun = "service-tokens"
name = "deploy-bot"
[scope.rules]
rotate_after = "1d"
"#;
    let sink = format!("dotenv:{}/{{name}}.env#API_TOKEN", out_dir.display());
    let path = policy_with(&env, scopes, &[sink]);
    let out = run(
        &env,
        &["--sandbox", "reconcile", "--policy", &path, "--json"],
    );
    assert_eq!(out.status.code(), Some(10), "{}", text(&out.stderr));
    let items = stdout_json(&out).as_array().expect("array").clone();
    assert!(
        step(&items, "readonly-auditor", "rotate").is_some(),
        "{items:?}"
    );
    assert!(step(&items, "deploy-bot", "rotate").is_none(), "{items:?}");
    let skip = step(&items, "deploy-bot", "skip").expect("a skipped step");
    assert_eq!(skip["rule"], "stale-secret");
    let reason = skip["reason"].as_str().expect("reason");
    assert!(
        reason.contains("[deliver] does not fit") && reason.contains("2 field(s)"),
        "{reason}"
    );
    // --apply rotates what fits and sends nothing for the skipped step.
    let out = run(
        &env,
        &[
            "--sandbox",
            "reconcile",
            "--policy",
            &path,
            "--apply",
            "--yes",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let done = stdout_json(&out).as_array().expect("array").clone();
    let skipped = step(&done, "deploy-bot", "skip").expect("skipped");
    assert_eq!(skipped["outcome"], "skipped", "{skipped}");
    assert!(out_dir.join("readonly-auditor.env").exists());
    assert!(!out_dir.join("deploy-bot.env").exists());
}

#[test]
fn a_deliver_sink_that_cannot_be_written_is_a_skipped_step_and_apply_sends_nothing_for_it() {
    let (sb, env) = served();
    let missing = env.path("no/such/dir");
    let path = policy(
        &env,
        &[format!("dotenv:{}/{{name}}.env", missing.display())],
    );
    let out = run(&env, &["reconcile", "--policy", &path, "--json"]);
    let items = stdout_json(&out).as_array().expect("array").clone();
    assert!(
        step(&items, "readonly-auditor", "rotate").is_none(),
        "{items:?}"
    );
    let skip = step(&items, "readonly-auditor", "skip").expect("a skipped step");
    let reason = skip["reason"].as_str().expect("reason");
    assert!(
        reason.contains("[deliver] cannot be written") && reason.contains("does not exist"),
        "{reason}"
    );
    sb.clear_requests();
    let out = run(
        &env,
        &["reconcile", "--policy", &path, "--apply", "--yes", "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let id = skip["id"].as_str().expect("id");
    assert!(
        !sb.request_lines()
            .iter()
            .any(|r| r.starts_with("POST ") && r.contains("/tokens")
                || r.contains(id) && !r.starts_with("GET ")),
        "nothing sent for the skipped rotation: {:?}",
        sb.request_lines()
    );
}

#[test]
fn a_mosquitto_token_whose_role_cannot_be_copied_is_skipped_so_reconcile_settles() {
    let env = TestEnv::new();
    let scopes = r#"
[[scope]]
vendor = "mosquitto"
name = "tokenctl-sandbox-root"
[scope.rules]
rotate_after = "1s"
"#;
    let path = policy_with(&env, scopes, &[dotenv(&env)]);
    let plan = &["--sandbox", "reconcile", "--policy", &path, "--json"];
    let out = run(&env, plan);
    let items = stdout_json(&out).as_array().expect("array").clone();
    let root = "tokenctl-sandbox-root";
    assert!(step(&items, root, "rotate").is_none(), "{items:?}");
    let skip = step(&items, root, "skip").expect("a skipped step");
    assert!(
        skip["reason"]
            .as_str()
            .is_some_and(|r| r.contains("'root'") && r.contains("a copy cannot be made")),
        "{skip}"
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "nothing to do: {}",
        text(&out.stderr)
    );
}
