//! Behaviour of the token endpoints over HTTP: listing, create, update,
//! delete, roll and their validation.

#![allow(clippy::unwrap_used)]

use reqwest::Method;
use serde_json::{Value, json};

use super::permission_groups::id_of;
use super::{ACCOUNT_ID, READONLY_TOKEN_NAME, SHARED_TOKEN_NAME, TokenStatus, now};
use crate::testing::{TestServer, assert_cf_error, send};

/// Breaks a valid create body in one way.
type Mutation = Box<dyn Fn(&mut Value)>;

fn create_body(name: &str) -> Value {
    json!({
        "name": name,
        "policies": [{
            "effect": "allow",
            "permission_groups": [{ "id": id_of("DNS Write") }, { "id": id_of("Zone Read") }],
            "resources": { format!("com.cloudflare.api.account.{ACCOUNT_ID}"): { "com.cloudflare.api.account.zone.*": "*" } },
        }],
    })
}

#[tokio::test]
async fn list_paginates_and_hides_expired() {
    let sb = TestServer::start(64).await;
    let admin = sb.admin();
    let now = now();
    let state = sb.app.snapshot().cloudflare;
    let expired = state
        .tokens
        .iter()
        .filter(|t| t.status(now) == TokenStatus::Expired)
        .count();
    assert!(expired >= 3);

    let mut seen = Vec::new();
    for (page, count) in [(1, 20), (2, 20), (3, 20), (4, 4), (5, 0)] {
        let url = sb.tokens_url(&format!("?per_page=20&page={page}&include_expired=true"));
        let (status, body) = send(sb.req(Method::GET, &url, &admin)).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["success"], true);
        assert_eq!(body["errors"], json!([]));
        let info = &body["result_info"];
        assert_eq!(info["page"], page);
        assert_eq!(info["per_page"], 20);
        assert_eq!(info["count"], count);
        assert_eq!(info["total_count"], 64);
        for token in body["result"].as_array().unwrap() {
            assert!(token.get("value").is_none(), "{token}");
            seen.push(token.clone());
        }
    }
    assert_eq!(seen.len(), 64);
    let issued: Vec<_> = seen
        .iter()
        .map(|t| t["issued_on"].as_str().unwrap().to_owned())
        .collect();
    let mut sorted = issued.clone();
    sorted.sort();
    assert_eq!(issued, sorted, "ascending by issue date");
    assert!(seen.iter().any(|t| t["status"] == "expired"));

    let (_, body) = send(sb.req(
        Method::GET,
        &sb.tokens_url("?per_page=50&direction=desc"),
        &admin,
    ))
    .await;
    assert_eq!(body["result_info"]["total_count"], 64 - expired);
    assert!(
        body["result"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["status"] != "expired")
    );
    let first = body["result"][0]["issued_on"].as_str().unwrap();
    assert_eq!(
        first,
        sorted.last().unwrap(),
        "descending starts with the newest"
    );

    let (_, body) = send(sb.req(Method::GET, &sb.tokens_url(""), &admin)).await;
    assert_eq!(body["result_info"]["per_page"], 20);
    assert_eq!(body["result_info"]["count"], 20);

    for query in [
        "?per_page=4",
        "?per_page=51",
        "?page=0",
        "?direction=up",
        "?include_expired=yes",
    ] {
        let got = send(sb.req(Method::GET, &sb.tokens_url(query), &admin)).await;
        assert_cf_error(&got, 400, 1001);
    }
}

#[tokio::test]
async fn create_returns_the_secret_once() {
    let sb = TestServer::start(16).await;
    let admin = sb.admin();
    let mut body = create_body("ci-new");
    body["condition"] = json!({ "request_ip": { "in": ["127.0.0.0/8", "2001:db8::/32"] } });
    body["expires_on"] = json!("2999-01-01T00:00:00Z");
    body["policies"][0]["permission_groups"][0]["meta"] = json!({ "key": "k", "value": "v" });
    let (status, created) =
        send(sb.req(Method::POST, &sb.tokens_url(""), &admin).json(&body)).await;
    assert_eq!(status, 200, "{created}");
    let token = &created["result"];
    let value = token["value"].as_str().unwrap();
    assert!(value.starts_with("cfat_") && (40..=80).contains(&value.len()));
    assert_eq!(token["status"], "active");
    assert_eq!(token["name"], "ci-new");
    assert_eq!(token["expires_on"], "2999-01-01T00:00:00Z");
    assert!(token.get("last_used_on").is_none());
    assert_eq!(token["condition"]["request_ip"]["in"][1], "2001:db8::/32");
    let policy = &token["policies"][0];
    assert_eq!(policy["id"].as_str().unwrap().len(), 32);
    assert_eq!(policy["permission_groups"][0]["name"], "DNS Write");
    assert_eq!(policy["permission_groups"][0]["meta"]["key"], "k");
    assert_eq!(policy["permission_groups"][1]["name"], "Zone Read");

    let id = token["id"].as_str().unwrap();
    let (status, got) = send(sb.req(Method::GET, &sb.tokens_url(&format!("/{id}")), &admin)).await;
    assert_eq!(status, 200);
    assert!(got["result"].get("value").is_none());
    assert_eq!(got["result"]["policies"], token["policies"]);

    let (status, verified) = send(sb.req(Method::GET, &sb.tokens_url("/verify"), value)).await;
    assert_eq!(status, 200, "{verified}");
    assert_eq!(verified["result"]["id"], id);
    assert_eq!(verified["result"]["status"], "active");
}

#[tokio::test]
async fn create_validation() {
    let sb = TestServer::start(8).await;
    let admin = sb.admin();
    let zone_res =
        json!({ "com.cloudflare.api.account.zone.0123456789abcdef0123456789abcdef": "*" });
    let cases: Vec<(&str, Mutation)> = vec![
        (
            "/name",
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("name");
            }),
        ),
        ("/name", Box::new(|b| b["name"] = json!("x".repeat(121)))),
        ("/name", Box::new(|b| b["name"] = json!("  "))),
        ("/policies", Box::new(|b| b["policies"] = json!([]))),
        (
            "/policies",
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("policies");
            }),
        ),
        (
            "/policies/0/id",
            Box::new(|b| b["policies"][0]["id"] = json!("f267e341f3dd4697bd3b9f71dd96247f")),
        ),
        (
            "/policies/0/effect",
            Box::new(|b| b["policies"][0]["effect"] = json!("maybe")),
        ),
        (
            "/policies/0/permission_groups",
            Box::new(|b| b["policies"][0]["permission_groups"] = json!([])),
        ),
        (
            "/policies/0/permission_groups/1/id",
            Box::new(|b| {
                b["policies"][0]["permission_groups"][1]["id"] =
                    json!("ffffffffffffffffffffffffffffffff")
            }),
        ),
        (
            "/policies/0/resources",
            Box::new(|b| b["policies"][0]["resources"] = json!({})),
        ),
        (
            "/policies/0/resources",
            Box::new(|b| {
                b["policies"][0]["resources"] =
                    json!({ "com.cloudflare.api.account.zone.nothex": "*" })
            }),
        ),
        (
            "/policies/0/resources",
            Box::new(|b| {
                b["policies"][0]["resources"] =
                    json!({ "com.cloudflare.api.account.0123456789abcdef0123456789abcdef": "*" })
            }),
        ),
        (
            "/policies/0/resources",
            Box::new(move |b| {
                let mut mixed = zone_res.clone();
                mixed[format!("com.cloudflare.api.account.{ACCOUNT_ID}")] =
                    json!({ "com.cloudflare.api.account.zone.*": "*" });
                b["policies"][0]["resources"] = mixed;
            }),
        ),
        (
            "/condition/request_ip/in/1",
            Box::new(|b| {
                b["condition"] = json!({ "request_ip": { "in": ["10.0.0.0/8", "10.0.0.0/33"] } })
            }),
        ),
        (
            "/condition/request_ip/not_in/0",
            Box::new(|b| b["condition"] = json!({ "request_ip": { "not_in": ["not-an-ip"] } })),
        ),
        (
            "/expires_on",
            Box::new(|b| b["expires_on"] = json!("2020-01-01T00:00:00Z")),
        ),
        (
            "/expires_on",
            Box::new(|b| b["expires_on"] = json!("tomorrow")),
        ),
        (
            "/not_before",
            Box::new(|b| {
                b["expires_on"] = json!("2999-01-01T00:00:00Z");
                b["not_before"] = json!("2999-06-01T00:00:00Z");
            }),
        ),
    ];
    for (pointer, mutate) in cases {
        let mut body = create_body("bad");
        mutate(&mut body);
        let got = send(sb.req(Method::POST, &sb.tokens_url(""), &admin).json(&body)).await;
        assert_cf_error(&got, 400, 1001);
        assert_eq!(
            got.1["errors"][0]["source"]["pointer"], pointer,
            "{}",
            got.1
        );
    }

    let malformed = sb
        .req(Method::POST, &sb.tokens_url(""), &admin)
        .header("content-type", "application/json")
        .body("{\"name\": ");
    assert_cf_error(&send(malformed).await, 400, 6007);
    let not_json = sb
        .req(Method::POST, &sb.tokens_url(""), &admin)
        .header("content-type", "text/plain")
        .body(create_body("x").to_string());
    assert_cf_error(&send(not_json).await, 400, 6003);
    let empty = sb.req(Method::POST, &sb.tokens_url(""), &admin);
    assert_cf_error(&send(empty).await, 400, 1001);
    assert_eq!(
        sb.app.snapshot().cloudflare.tokens.len(),
        8,
        "nothing was created"
    );
}

#[tokio::test]
async fn quota_of_500_tokens() {
    let sb = TestServer::start(500).await;
    let got = send(
        sb.req(Method::POST, &sb.tokens_url(""), &sb.admin())
            .json(&create_body("one-too-many")),
    )
    .await;
    assert_cf_error(&got, 400, 1001);
    assert!(
        got.1["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("500")
    );
}

#[tokio::test]
async fn update_replaces_and_delete_removes() {
    let sb = TestServer::start(8).await;
    let admin = sb.admin();
    let state = sb.app.snapshot().cloudflare;
    let shared = state
        .tokens
        .iter()
        .rev()
        .find(|t| t.name == SHARED_TOKEN_NAME)
        .unwrap();
    assert!(shared.expires_on.is_some());
    let url = sb.tokens_url(&format!("/{}", shared.id));
    let (_, before) = send(sb.req(Method::GET, &url, &admin)).await;
    let before = before["result"].clone();

    let mut body = before.clone();
    body["name"] = json!("renamed");
    body["status"] = json!("disabled");
    body.as_object_mut().unwrap().remove("expires_on");
    let (status, after) = send(sb.req(Method::PUT, &url, &admin).json(&body)).await;
    assert_eq!(status, 200, "{after}");
    let after = &after["result"];
    assert_eq!(after["name"], "renamed");
    assert_eq!(after["status"], "disabled");
    assert!(
        after.get("expires_on").is_none(),
        "absent members are cleared"
    );
    assert_eq!(after["id"], before["id"]);
    assert_eq!(after["issued_on"], before["issued_on"]);
    assert_eq!(after["policies"], before["policies"], "policy ids are kept");
    assert_ne!(after["modified_on"], before["modified_on"]);

    let minimal = json!({ "name": "renamed", "policies": before["policies"] });
    let (_, reenabled) = send(sb.req(Method::PUT, &url, &admin).json(&minimal)).await;
    assert_eq!(
        reenabled["result"]["status"], "active",
        "PUT without status re-activates"
    );

    let mut expired = minimal.clone();
    expired["status"] = json!("expired");
    assert_cf_error(
        &send(sb.req(Method::PUT, &url, &admin).json(&expired)).await,
        400,
        1001,
    );
    let no_policies = json!({ "name": "x" });
    assert_cf_error(
        &send(sb.req(Method::PUT, &url, &admin).json(&no_policies)).await,
        400,
        1001,
    );

    let (status, deleted) = send(sb.req(Method::DELETE, &url, &admin)).await;
    assert_eq!(status, 200, "{deleted}");
    assert_eq!(deleted["result"]["id"], shared.id);
    assert_cf_error(&send(sb.req(Method::GET, &url, &admin)).await, 404, 1003);
    assert_cf_error(
        &send(sb.req(Method::DELETE, &url, &admin).json(&json!({}))).await,
        404,
        1003,
    );
    assert_cf_error(
        &send(sb.req(Method::PUT, &url, &admin).json(&minimal)).await,
        404,
        1003,
    );

    let other = &state.tokens[2];
    let url = sb.tokens_url(&format!("/{}", other.id));
    let (status, _) = send(sb.req(Method::DELETE, &url, &admin).json(&json!({}))).await;
    assert_eq!(status, 200, "DELETE takes an empty JSON body");
    let too_long = sb.tokens_url(&format!("/{}", "a".repeat(33)));
    assert_cf_error(
        &send(sb.req(Method::GET, &too_long, &admin)).await,
        400,
        7003,
    );
}

#[tokio::test]
async fn roll_replaces_the_secret() {
    let sb = TestServer::start(8).await;
    let admin = sb.admin();
    let old = sb.secret_of(READONLY_TOKEN_NAME);
    let id = sb
        .app
        .snapshot()
        .cloudflare
        .token_by_name(READONLY_TOKEN_NAME)
        .unwrap()
        .id
        .clone();
    let url = sb.tokens_url(&format!("/{id}/value"));

    assert_cf_error(&send(sb.req(Method::PUT, &url, &admin)).await, 400, 1001);
    assert_cf_error(
        &send(sb.req(Method::PUT, &url, &admin).json(&json!([]))).await,
        400,
        1001,
    );
    let (status, _) = send(sb.req(Method::GET, &sb.tokens_url("/verify"), &old)).await;
    assert_eq!(status, 200, "failed rolls change nothing");

    let (status, rolled) = send(sb.req(Method::PUT, &url, &admin).json(&json!({}))).await;
    assert_eq!(status, 200, "{rolled}");
    let new = rolled["result"].as_str().unwrap();
    assert_ne!(new, old);
    assert_cf_error(
        &send(sb.req(Method::GET, &sb.tokens_url("/verify"), &old)).await,
        401,
        1000,
    );
    let (status, verified) = send(sb.req(Method::GET, &sb.tokens_url("/verify"), new)).await;
    assert_eq!(status, 200);
    assert_eq!(verified["result"]["id"], id.as_str());
    let (status, _) = send(sb.req(Method::GET, &sb.tokens_url(""), new)).await;
    assert_eq!(status, 200, "permissions survive a roll");

    // Rolling the connection token itself: the connection follows.
    let admin_id = sb.app.snapshot().cloudflare.admin_token_id;
    let url = sb.tokens_url(&format!("/{admin_id}/value"));
    let (_, rolled) = send(sb.req(Method::PUT, &url, &admin).json(&json!({}))).await;
    let (_, connections) = send(sb.client.get(format!("{}/__sandbox/state", sb.root))).await;
    assert_eq!(connections["cloudflare"]["token"], rolled["result"]);
    assert_cf_error(
        &send(sb.req(Method::GET, &sb.tokens_url(""), &admin)).await,
        401,
        1000,
    );
}
