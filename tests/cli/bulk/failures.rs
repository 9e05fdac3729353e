//! Partial failures: one token's request fails, the rest are done, and the exit code follows
//! the failures (9 whenever a rotation's answer was lost).

use jiff::Timestamp;
use serde_json::{Value, json};

use super::{Bulk, Noun, Selects, VERBS, clear_faults, id_of, outcomes, ts};
use crate::common::text;

/// One token's request fails: the others are done, the JSON says which, the summary counts
/// them, and the exit code is the failure's.
#[test]
fn a_partial_failure_reports_every_outcome_and_exits_with_its_code() {
    for (noun, verb) in VERBS {
        let b = Bulk::new(noun);
        // Never the profile's own token: acting on it would lock the rest of the run out.
        let soon = Timestamp::now()
            .checked_add(jiff::SignedDuration::from_hours(24 * 60))
            .expect("ts");
        let (mut args, selected): (Vec<&str>, Box<Selects>) = match noun {
            Noun::Tokens => (
                vec![verb, "--name", "ci-*"],
                Box::new(|t: &Value| t["name"].as_str().is_some_and(|n| n.starts_with("ci-"))),
            ),
            Noun::ServiceTokens => (
                vec![verb, "--name", "[a-c]*"],
                Box::new(|t: &Value| t["name"].as_str().is_some_and(|n| n.starts_with('b'))),
            ),
            Noun::Mailtrap => (
                vec![verb, "--name", "[a-s]*-*"],
                Box::new(|t: &Value| {
                    t["name"]
                        .as_str()
                        .is_some_and(|n| n.contains('-') && n < "t")
                }),
            ),
            Noun::Prefactor if verb == "delete" => (
                vec![verb, "--status", "revoked"],
                Box::new(|t: &Value| t["status"] == "revoked"),
            ),
            Noun::Prefactor => (
                vec![verb, "--status", "active", "--expiring-within", "60d"],
                Box::new(move |t: &Value| {
                    t["status"] == "active"
                        && ts(&t["expires_at"]).is_some_and(|e| e > Timestamp::now() && e <= soon)
                }),
            ),
        };
        let before = b.list();
        let victim = before
            .iter()
            .find(|t| selected(t))
            .map(id_of)
            .expect("a victim");
        // 404 is not retried; every other token goes through.
        b.sb.fault(json!({"status": 404, "path_prefix": b.path_of(&victim), "times": 10}));
        if verb == "rotate" {
            args.extend(["--grace", "1h"]);
        }
        let (out, items) = b.run_json(&args, 5);
        let failed: Vec<&Value> = items.iter().filter(|v| v["outcome"] == "failed").collect();
        assert_eq!(failed.len(), 1, "{noun:?} {verb}: {items:?}");
        assert_eq!(id_of(failed[0]), victim);
        assert!(failed[0]["error"].as_str().is_some_and(|e| !e.is_empty()));
        let done = items.iter().filter(|v| v["outcome"] == "done").count();
        let skipped = items.iter().filter(|v| v["outcome"] == "skipped").count();
        assert!(done >= 1, "{noun:?} {verb}: {items:?}");
        let err = text(&out.stderr);
        let past = match verb {
            "delete" => "Deleted",
            "roll" => "Rolled",
            "refresh" => "Refreshed",
            "rotate" => "Rotated",
            "revoke" => "Revoked",
            _ => "Suspended",
        };
        assert!(
            err.contains(&format!("{past} {done}, failed 1, skipped {skipped}.")),
            "{err}"
        );
        assert!(err.contains("failed: ") && err.contains(&victim), "{err}");
        assert!(err.contains("error: "), "{err}");
    }
}

#[test]
fn exit_codes_follow_the_failures() {
    let b = Bulk::new(Noun::ServiceTokens);
    let all = b.list();
    let pick = |prefix: &str| -> Vec<String> {
        all.iter()
            .filter(|t| t["name"].as_str().is_some_and(|n| n.starts_with(prefix)))
            .map(id_of)
            .collect()
    };
    // Two failures with the same code: that code.
    let k8s = pick("k8s-");
    for id in &k8s {
        b.sb.fault(json!({"status": 404, "path_prefix": b.path_of(id), "times": 10}));
    }
    b.run_json(&["refresh", "--name", "k8s-*"], 5);
    clear_faults(&b.sb);
    // Different codes: 1.
    b.sb.fault(json!({"status": 404, "path_prefix": b.path_of(&k8s[0]), "times": 10}));
    b.sb.fault(json!({"status": 422, "path_prefix": b.path_of(&k8s[1]), "times": 10}));
    let (_, items) = b.run_json(&["refresh", "--name", "k8s-*"], 1);
    assert_eq!(outcomes(&items), ["failed", "failed"]);
    clear_faults(&b.sb);
    // A rotation whose answer is lost wins over any other failure: exit 9, with a hint.
    let g = pick("g");
    assert!(g.len() >= 3, "{g:?}");
    b.sb.fault(json!({"kind": "reset_after", "method": "POST", "path_prefix": b.path_of(&g[0]), "times": 10}));
    b.sb.fault(json!({"status": 404, "path_prefix": b.path_of(&g[1]), "times": 10}));
    let (out, items) = b.run_json(&["rotate", "--name", "g*", "--grace", "1h"], 9);
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("tokenctl service-tokens get {}", g[0])) && err.contains("hint: "),
        "{err}"
    );
    let by_id = |id: &str| items.iter().find(|v| id_of(v) == id).expect("item").clone();
    assert_eq!(by_id(&g[0])["outcome"], "failed");
    assert!(
        by_id(&g[0])["hint"]
            .as_str()
            .is_some_and(|h| h.contains("to see whether it happened"))
    );
    assert_eq!(by_id(&g[1])["outcome"], "failed");
    assert_eq!(by_id(&g[2])["outcome"], "done");
    // The lost rotation was sent once, never retried.
    let sent =
        b.sb.request_lines()
            .iter()
            .filter(|l| l.contains(&format!("{}/rotate", g[0])))
            .count();
    assert_eq!(sent, 1);
}
