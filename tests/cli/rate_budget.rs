//! The rate budget follows what the server says: a run waits when the server says nothing is
//! left (Mailtrap's `X-Ratelimit-*`, Cloudflare's `Ratelimit` / `Ratelimit-Policy`, as the
//! sandbox sends them), and does not wait when the answers carry no such headers.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{Sandbox, TestEnv, stdout_json, text};
use crate::support::hostile::{Hostile, Reply};

/// Sets a vendor's quota in the sandbox.
fn quota(sb: &Sandbox, vendor: &str, limit: u32, window_secs: u64) {
    ureq::put(&format!("{}/__sandbox/rate_limits/{vendor}", sb.root))
        .send_json(json!({ "limit": limit, "window_secs": window_secs }))
        .expect("set quota");
}

fn statuses(sb: &Sandbox) -> Vec<u64> {
    sb.requests()
        .iter()
        .filter_map(|r| r["status"].as_u64())
        .collect()
}

#[test]
fn mailtrap_saying_none_left_makes_the_next_request_wait() {
    let mut env = TestEnv::new();
    let sb = Sandbox::start(&[], &[]);
    let mt = &sb.connections["mailtrap"];
    env.set("MAILTRAP_BASE_URL", mt["base_url"].as_str().expect("url"))
        .set(
            "MAILTRAP_ACCOUNT_ID",
            mt["account_id"].as_str().expect("account"),
        )
        .set("MAILTRAP_API_TOKEN", mt["token"].as_str().expect("token"));
    // One request per 10 s: the list that finds the token by name leaves nothing.
    quota(&sb, "mailtrap", 1, 10);
    sb.clear_requests();
    let started = Instant::now();
    let out = env
        .cmd()
        .args([
            "api-tokens",
            "reset",
            "terraform-mailtrap",
            "--yes",
            "--json",
        ])
        .output()
        .expect("run");
    let took = started.elapsed();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout_json(&out)["token"].is_string());
    assert!(
        took >= Duration::from_secs(9),
        "waited for the window: {took:?}"
    );
    assert_eq!(
        statuses(&sb),
        [200, 200],
        "no 429: the budget waited instead"
    );
}

#[test]
fn cloudflare_saying_none_left_makes_the_next_page_wait_for_the_reset() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    quota(&sb, "cloudflare", 1, 3);
    sb.clear_requests();
    let started = Instant::now();
    let out = env
        .cmd()
        .args(["tokens", "list", "--include-expired", "--json"])
        .output()
        .expect("run");
    let took = started.elapsed();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let seen = statuses(&sb);
    assert!(seen.len() >= 2, "several pages: {seen:?}");
    assert!(seen.iter().all(|s| *s == 200), "no 429: {seen:?}");
    let want = Duration::from_secs(2 * (seen.len() as u64 - 1));
    assert!(
        took >= want,
        "each page waited for a reset: {took:?} for {seen:?}"
    );
    assert_eq!(
        stdout_json(&out).as_array().expect("array").len(),
        64,
        "every token listed"
    );
}

#[test]
fn without_the_headers_the_same_run_does_not_wait() {
    let token = json!({
        "id": 42, "name": "ci", "last_4_digits": "abcd", "created_by": "x", "expires_at": null
    });
    let server = Hostile::start(move |req| {
        if req.method == "POST" {
            let mut issued = token.clone();
            issued["id"] = 43.into();
            issued["name"] = "ci 43".into();
            issued["token"] = "a-new-secret-value".into();
            Reply::json(200, &issued)
        } else {
            Reply::json(200, &Value::Array(vec![token.clone()]))
        }
    });
    let mut env = TestEnv::new();
    env.set("MAILTRAP_BASE_URL", &server.url)
        .set("MAILTRAP_ACCOUNT_ID", "1234567")
        .set("MAILTRAP_API_TOKEN", "not-this-one");
    let started = Instant::now();
    let out = env
        .cmd()
        .args(["api-tokens", "reset", "ci", "--yes", "--json"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(server.seen().len(), 2);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "{took:?}");
}

/// A server that says no request is left until tomorrow does not make tokenctl wait silently
/// past `--timeout`: it stops at once with the rate-limit code and says when to retry.
#[test]
fn a_budget_that_frees_up_only_after_the_timeout_is_exit_7_at_once() {
    use crate::support::hostile::{Hostile, Reply};
    let server = Hostile::start(|seen| {
        let page: u64 = seen.query("page").and_then(|p| p.parse().ok()).unwrap_or(1);
        let items: Vec<serde_json::Value> = (0..50)
            .map(|i| serde_json::json!({"id": format!("{:032x}", page * 100 + i), "name": "t", "status": "active"}))
            .collect();
        Reply::json(
            200,
            &serde_json::json!({"success": true, "errors": [], "messages": [], "result": items,
                                "result_info": {"page": page, "per_page": 50, "count": 50, "total_count": 500}}),
        )
        .header("Ratelimit", "\"default\";r=0;t=86400")
        .header("Ratelimit-Policy", "\"default\";q=1200;w=300")
    });
    let mut env = crate::common::TestEnv::new();
    env.set("CLOUDFLARE_BASE_URL", &format!("{}/client/v4", server.url))
        .set("CLOUDFLARE_API_TOKEN", "x")
        .set("CLOUDFLARE_ACCOUNT_ID", &"a".repeat(32));
    let started = std::time::Instant::now();
    let out = env
        .cmd()
        .args(["--timeout", "3s", "tokens", "list", "--json"])
        .output()
        .expect("run");
    let stderr = crate::common::text(&out.stderr);
    assert_eq!(out.status.code(), Some(7), "{stderr}");
    assert!(stderr.contains("rate budget is used up"), "{stderr}");
    assert!(stderr.contains("retry in"), "{stderr}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        server.seen().len(),
        1,
        "nothing sent after the server said none is left"
    );
}
