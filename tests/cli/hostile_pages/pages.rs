//! Lists that repeat IDs, claim absurd totals, give no total, or never end.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{cloudflare, count, envelope, hex_id, prefactor, run, token, verify};
use crate::support::hostile::{Hostile, Reply, Seen};

/// The page number a Cloudflare list request asks for.
fn page_of(seen: &Seen) -> usize {
    seen.query("page").and_then(|p| p.parse().ok()).unwrap_or(1)
}

/// A Cloudflare token list whose page `n` holds `ids(n)`, with `info(n)` as `result_info`.
fn token_pages(
    ids: impl Fn(usize) -> Vec<usize> + Send + Sync + 'static,
    info: impl Fn(usize) -> Option<Value> + Send + Sync + 'static,
) -> Hostile {
    Hostile::start(move |seen| {
        if let Some(r) = verify(seen) {
            return r;
        }
        if seen.method == "PUT" && seen.path().ends_with("/value") {
            return envelope(json!("rolled-secret-value"), None);
        }
        let n = page_of(seen);
        let items: Vec<Value> = ids(n)
            .into_iter()
            .map(|i| token(&hex_id(i), &format!("tok-{i}")))
            .collect();
        envelope(Value::Array(items), info(n))
    })
}

fn list_ids(out: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(out).expect("json");
    v.as_array()
        .expect("array")
        .iter()
        .map(|t| t["id"].as_str().expect("id").to_owned())
        .collect()
}

#[test]
fn repeated_ids_across_pages_are_rolled_once_with_one_warning() {
    // Page 1: 0..50; page 2 repeats ten of them and adds 40; page 3 repeats two, adds three.
    let server = token_pages(
        |n| match n {
            1 => (0..50).collect(),
            2 => (40..90).collect(),
            3 => vec![0, 89, 90, 91, 92],
            _ => vec![],
        },
        |_| Some(json!({"per_page": 50})),
    );
    let env = cloudflare(&server);
    let (code, stdout, stderr) = run(&env, &["tokens", "roll", "--all", "--yes"]);
    assert_eq!(code, 0, "{stderr}");
    let rolls: Vec<String> = server
        .seen()
        .iter()
        .filter(|s| s.method == "PUT")
        .map(|s| s.path().to_owned())
        .collect();
    let mut per_id: HashMap<&str, usize> = HashMap::new();
    for r in &rolls {
        *per_id.entry(r.as_str()).or_default() += 1;
    }
    assert_eq!(per_id.len(), 93, "every distinct ID rolled");
    assert!(per_id.values().all(|n| *n == 1), "rolled twice: {per_id:?}");
    assert_eq!(
        stdout.matches("rolled-secret-value").count(),
        93,
        "one secret per token"
    );
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(warnings[0].contains("more than once"), "{stderr}");
    assert!(warnings[0].contains("12 repeated"), "{stderr}");

    // A plain list shows each once too, with the same single warning.
    let (code, stdout, stderr) = run(&env, &["tokens", "list", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let ids = list_ids(&stdout);
    assert_eq!(ids.len(), 93);
    assert_eq!(stderr.matches("warning:").count(), 1, "{stderr}");
}

#[test]
fn a_short_page_ends_a_list_that_claims_100000_pages() {
    let server = token_pages(
        |n| match n {
            1 => (0..50).collect(),
            2 => (50..100).collect(),
            3 => (100..107).collect(),
            _ => (1000 * n..1000 * n + 50).collect(),
        },
        |_| Some(json!({"per_page": 50, "total_count": 5_000_000})),
    );
    let env = cloudflare(&server);
    let (code, stdout, stderr) = run(&env, &["tokens", "list", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(list_ids(&stdout).len(), 107);
    assert_eq!(count(&server, "GET", "/tokens"), 3, "pages 1 to 3 only");
}

#[test]
fn without_a_total_pages_are_followed_until_a_short_one() {
    let server = token_pages(
        |n| match n {
            1..=4 => (50 * (n - 1)..50 * n).collect(),
            5 => (200..230).collect(),
            _ => vec![],
        },
        |_| Some(json!({"per_page": 50})),
    );
    let env = cloudflare(&server);
    let (code, stdout, stderr) = run(&env, &["tokens", "list", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(list_ids(&stdout).len(), 230, "not cut at page 1");
    assert_eq!(count(&server, "GET", "/tokens"), 5);

    // No result_info at all: the same.
    let server = token_pages(
        |n| match n {
            1 | 2 => (50 * (n - 1)..50 * n).collect(),
            _ => vec![],
        },
        |_| None,
    );
    let (code, stdout, stderr) = run(&cloudflare(&server), &["tokens", "list", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(list_ids(&stdout).len(), 100);
    assert_eq!(
        count(&server, "GET", "/tokens"),
        3,
        "the empty page 3 ends it"
    );
}

/// A total the pages outgrow (stale, or zero) is not trusted: the list goes on to its first
/// short page, so bulk verbs and audit see every token.
#[test]
fn a_total_lower_than_the_pages_is_followed_on_to_a_short_page() {
    for total in [0, 1, 60] {
        let server = token_pages(
            |n| match n {
                1 | 2 => (50 * (n - 1)..50 * n).collect(),
                3 => (100..107).collect(),
                _ => vec![],
            },
            move |_| Some(json!({"per_page": 50, "total_count": total})),
        );
        let (code, stdout, stderr) = run(&cloudflare(&server), &["tokens", "list", "--json"]);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(list_ids(&stdout).len(), 107, "total_count {total}");
        assert_eq!(count(&server, "GET", "/tokens"), 3, "total_count {total}");
    }
}

/// A page caps memory only if it holds at most what was asked for: a server stuffing more
/// items into its pages is refused, so 100 pages can never add up to gigabytes.
#[test]
fn a_page_stuffed_past_the_page_size_is_refused() {
    let server = token_pages(
        |n| (1000 * n..1000 * n + 51).collect(),
        |_| Some(json!({"per_page": 50})),
    );
    let (code, stdout, stderr) = run(&cloudflare(&server), &["tokens", "list", "--json"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("more than the 50 asked for"), "{stderr}");
    assert!(stdout.is_empty());
    assert_eq!(count(&server, "GET", "/tokens"), 1);
}

#[test]
fn a_list_that_never_ends_is_refused_at_the_cap() {
    let server = token_pages(
        |n| (50 * n..50 * n + 50).collect(),
        |_| Some(json!({"per_page": 50})),
    );
    let env = cloudflare(&server);
    let started = Instant::now();
    let (code, stdout, stderr) = run(&env, &["tokens", "list", "--json"]);
    assert!(started.elapsed() < Duration::from_secs(30), "bounded time");
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.contains("at most 100 pages"), "{stderr}");
    assert_eq!(count(&server, "GET", "/tokens"), 100);

    // Nothing is rolled from such a list.
    let (code, _, stderr) = run(&env, &["tokens", "roll", "--all", "--yes"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(count(&server, "PUT", "/"), 0);
}

#[test]
fn service_token_lists_follow_pages_and_stop_short() {
    let server = Hostile::start(|seen| {
        let n = page_of(seen);
        // The server pages by 20 whatever is asked; no total.
        let items: Vec<Value> = match n {
            1 | 2 => (20 * (n - 1)..20 * n).collect::<Vec<_>>(),
            3 => (40..45).collect(),
            _ => (1000..1020).collect(),
        }
        .into_iter()
        .map(|i| json!({"id": format!("st-{i}"), "name": format!("svc-{i}")}))
        .collect();
        envelope(Value::Array(items), Some(json!({"per_page": 20})))
    });
    let (code, stdout, stderr) = run(&cloudflare(&server), &["service-tokens", "list", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout_len(&stdout), 45);
    assert_eq!(count(&server, "GET", "/service_tokens"), 3);
}

fn stdout_len(stdout: &str) -> usize {
    serde_json::from_str::<Value>(stdout)
        .expect("json")
        .as_array()
        .expect("array")
        .len()
}

/// A Prefactor list: offset-paged by 25, always saying a next page exists.
fn prefactor_pages(item_count: Option<u64>, last_offset: Option<u64>) -> Hostile {
    Hostile::start(move |seen| {
        let offset: u64 = seen
            .query("pagination%5Boffset%5D")
            .or_else(|| seen.query("pagination[offset]"))
            .and_then(|o| o.parse().ok())
            .unwrap_or(0);
        let len = match last_offset {
            Some(l) if offset == l => 3,
            Some(l) if offset > l => 0,
            _ => 25,
        };
        let summaries: Vec<Value> = (offset..offset + len)
            .map(|i| json!({"id": format!("{i:032}"), "status": "active"}))
            .collect();
        let mut pagination = json!({"page_size": 25, "next_page_offset": offset + 25});
        if let Some(c) = item_count {
            pagination["item_count"] = c.into();
        }
        Reply::json(
            200,
            &json!({"status": "success", "pagination": pagination, "summaries": summaries}),
        )
    })
}

#[test]
fn prefactor_lists_stop_short_and_are_capped() {
    let server = prefactor_pages(Some(2_500_000), Some(50));
    let (code, stdout, stderr) = run(&prefactor(&server), &["api-tokens", "list", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout_len(&stdout), 53);
    assert_eq!(count(&server, "GET", "/api_token"), 3);

    let server = prefactor_pages(None, None);
    let started = Instant::now();
    let (code, _, stderr) = run(&prefactor(&server), &["api-tokens", "list", "--json"]);
    assert!(started.elapsed() < Duration::from_secs(30), "bounded time");
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("at most 200 pages"), "{stderr}");
    assert_eq!(count(&server, "GET", "/api_token"), 200);
}
