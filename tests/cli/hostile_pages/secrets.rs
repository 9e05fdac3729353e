//! Secret-issuing answers that carry no secret (missing, null, empty): exit 9 with the command
//! that checks whether the change happened, never an empty secret printed as if it worked.

use serde_json::{Value, json};

use super::{cloudflare, envelope, mailtrap, mosquitto, prefactor, run, token, verify};
use crate::common::TestEnv;
use crate::support::hostile::{Hostile, Reply};

const ST: &str = "0d3c6e2a-7b1f-4c5d-9e8a-1b2c3d4e5f60";

/// Asserts the run ends with exit 9, a hint naming `check`, and no secret-looking output.
fn unknown(env: &TestEnv, args: &[&str], check: &str, case: &str) {
    let (code, stdout, stderr) = run(env, args);
    assert_eq!(code, 9, "{args:?} ({case}): {stderr}");
    assert!(
        stderr.contains(&format!("hint: run `{check}")),
        "{args:?} ({case}): {stderr}"
    );
    assert!(stdout.trim().is_empty(), "{args:?} ({case}): {stdout}");
}

/// A Cloudflare server answering every change with `issued` as the result.
fn cloudflare_issuing(issued: Value) -> Hostile {
    Hostile::start(move |seen| {
        if let Some(r) = verify(seen) {
            return r;
        }
        if seen.path().ends_with("/permission_groups") {
            return envelope(
                json!([{"id": "c8fed203ed3043cba015a93ad1616f1f", "name": "Account API Tokens Read",
                        "scopes": ["com.cloudflare.api.account"]}]),
                None,
            );
        }
        match seen.method.as_str() {
            "GET" => envelope(json!([]), Some(json!({"per_page": 50, "total_count": 0}))),
            _ => envelope(issued.clone(), None),
        }
    })
}

#[test]
fn cloudflare_issuing_verbs_without_a_secret_are_outcome_unknown() {
    let tid = "0123456789abcdef0123456789abcd01";
    let created_empty = {
        let mut t = token(tid, "ci-new");
        t["value"] = json!("");
        t
    };
    let service_empty =
        json!({"id": ST, "name": "svc", "client_id": "cid.access", "client_secret": ""});
    let cases: Vec<(&str, Value)> = vec![
        ("null", Value::Null),
        ("empty", json!("")),
        ("blank", json!("  ")),
        ("token without value", token(tid, "ci-new")),
        ("empty value", created_empty),
        (
            "service token without secret",
            json!({"id": ST, "name": "svc"}),
        ),
        ("empty client secret", service_empty),
    ];
    for (case, issued) in cases {
        let server = cloudflare_issuing(issued);
        let env = cloudflare(&server);
        unknown(
            &env,
            &[
                "tokens",
                "create",
                "--name",
                "ci-new",
                "--permission",
                "Account API Tokens Read",
            ],
            "tokenctl tokens list --name 'ci-new'",
            case,
        );
        unknown(
            &env,
            &["tokens", "roll", tid, "--yes"],
            &format!("tokenctl tokens get {tid} --json"),
            case,
        );
        unknown(
            &env,
            &["service-tokens", "create", "--name", "svc"],
            "tokenctl service-tokens list --name 'svc'",
            case,
        );
        unknown(
            &env,
            &["service-tokens", "rotate", ST, "--yes"],
            &format!("tokenctl service-tokens get {ST}"),
            case,
        );
    }
}

#[test]
fn mailtrap_issuing_verbs_without_a_secret_are_outcome_unknown() {
    for (case, secret) in [
        ("missing", None),
        ("null", Some(Value::Null)),
        ("empty", Some(json!(""))),
    ] {
        let server = Hostile::start(move |seen| {
            let mut t =
                json!({"id": 5, "name": "ci-sender", "last_4_digits": "abcd", "expires_at": null});
            if seen.method == "POST"
                && let Some(s) = &secret
            {
                t["token"] = s.clone();
            }
            Reply::json(200, &t)
        });
        let env = mailtrap(&server);
        unknown(
            &env,
            &[
                "api-tokens",
                "create",
                "--name",
                "ci-sender",
                "--resource",
                "account:1:admin",
            ],
            "tokenctl api-tokens list",
            case,
        );
        unknown(
            &env,
            &["api-tokens", "reset", "5", "--yes"],
            "tokenctl api-tokens list",
            case,
        );
    }
}

#[test]
fn prefactor_and_mosquitto_creates_without_a_secret_are_outcome_unknown() {
    for (case, secret) in [
        ("missing", None),
        ("null", Some(Value::Null)),
        ("empty", Some(json!(""))),
    ] {
        let s = secret.clone();
        let server = Hostile::start(move |_| {
            let mut v = json!({"status": "success", "details": {"id": "013xrzp12g3nqk8n7f8f9jbg8d18q7tm", "status": "active"}});
            if let Some(s) = &s {
                v["token"] = s.clone();
            }
            Reply::json(200, &v)
        });
        unknown(
            &prefactor(&server),
            &[
                "api-tokens",
                "create",
                "--scope",
                "account",
                "--account",
                "013xrzp12g3nqk8ngskn1wtxgka5b0nf",
            ],
            "tokenctl api-tokens list",
            case,
        );
        let server = Hostile::start(move |_| {
            let mut v = json!({"id": "t1", "name": "dash", "type": "unrestricted"});
            if let Some(s) = &secret {
                v["token"] = s.clone();
            }
            Reply::json(200, &v)
        });
        unknown(
            &mosquitto(&server),
            &[
                "project-tokens",
                "create",
                "--project",
                "p1",
                "--name",
                "dash",
                "--role",
                "viewer",
            ],
            "tokenctl project-tokens list",
            case,
        );
    }
}
