//! Behaviour of the service-token endpoints and the access check over HTTP,
//! and the shape of the seed.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use reqwest::Method;
use serde_json::{Value, json};

use super::{DEFAULT_SERVICE_TOKENS, DEPLOY_BOT_NAME, SHARED_SERVICE_NAME, StoredServiceToken};
use crate::cloudflare::ids::is_uuid;
use crate::cloudflare::permission_groups::{SERVICE_TOKENS_READ, SERVICE_TOKENS_WRITE, id_of};
use crate::cloudflare::{ACCOUNT_ID, ADMIN_EMAIL, CloudflareState, READONLY_TOKEN_NAME, now};
use crate::testing::{TestServer, assert_cf_error, send};
use crate::{SandboxState, SeedOptions};

fn ts(value: &Value) -> Timestamp {
    value.as_str().unwrap().parse().unwrap()
}

fn hours(n: i64) -> SignedDuration {
    SignedDuration::from_hours(n)
}

/// Creates a service token with the admin token; returns the result.
async fn create(sb: &TestServer, body: Value) -> Value {
    let request = sb
        .req(Method::POST, &sb.service_tokens_url(""), &sb.admin())
        .json(&body);
    let (status, created) = send(request).await;
    assert_eq!(status, 201, "{created}");
    created["result"].clone()
}

fn secret(result: &Value) -> String {
    result["client_secret"].as_str().unwrap().to_owned()
}

fn client_id(result: &Value) -> String {
    result["client_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn create_returns_201_and_the_secret_once() {
    let sb = TestServer::start(8).await;
    let before = now();
    let token = create(&sb, json!({ "name": "ci-new" })).await;
    assert_eq!(token["name"], "ci-new");
    assert!(is_uuid(token["id"].as_str().unwrap()), "{token}");
    let cid = client_id(&token);
    assert!(cid.ends_with(".access") && cid.len() == 39, "{cid}");
    let value = secret(&token);
    assert!(value.starts_with("cfast_") && value.len() == 54, "{value}");
    assert_eq!(token["duration"], "8760h", "default duration");
    assert_eq!(token["enabled"], true);
    assert_eq!(token["client_secret_version"], 1);
    assert!(token.get("last_seen_at").is_none());
    assert!(token.get("previous_client_secret_expires_at").is_none());
    let created_at = ts(&token["created_at"]);
    assert!(created_at >= before - SignedDuration::from_secs(1));
    assert_eq!(token["updated_at"], token["created_at"]);
    assert_eq!(ts(&token["expires_at"]), created_at + hours(8760));

    let url = sb.service_tokens_url(&format!("/{}", token["id"].as_str().unwrap()));
    let (status, got) = send(sb.req(Method::GET, &url, &sb.admin())).await;
    assert_eq!(status, 200, "{got}");
    assert!(got["result"].get("client_secret").is_none());
    assert_eq!(got["result"]["client_id"], cid.as_str());

    let (status, checked) = sb.access_check(&cid, &value).await;
    assert_eq!(status, 200, "{checked}");
    assert_eq!(
        checked,
        json!({ "ok": true, "service_token_id": token["id"] })
    );
    let (_, got) = send(sb.req(Method::GET, &url, &sb.admin())).await;
    assert!(got["result"]["last_seen_at"].is_string(), "use is recorded");

    let forever = create(&sb, json!({ "name": "f", "duration": "forever" })).await;
    assert_eq!(forever["duration"], "forever");
    assert!(forever.get("expires_at").is_none(), "{forever}");
    for (duration, span) in [
        ("30m", SignedDuration::from_mins(30)),
        ("2h45m", SignedDuration::from_mins(165)),
        ("300ms", SignedDuration::from_millis(300)),
        ("1.5h", SignedDuration::from_mins(90)),
    ] {
        let t = create(&sb, json!({ "name": duration, "duration": duration })).await;
        assert_eq!(t["duration"], duration);
        assert_eq!(ts(&t["expires_at"]), ts(&t["created_at"]) + span, "{t}");
    }
    let custom = json!({
        "name": "pre-set",
        "enabled": false,
        "client_secret_version": 3,
        "previous_client_secret_expires_at": "2024-11-15T10:30:00Z",
    });
    let t = create(&sb, custom).await;
    assert_eq!(t["enabled"], false);
    assert_eq!(t["client_secret_version"], 3);
    assert_eq!(
        t["previous_client_secret_expires_at"],
        "2024-11-15T10:30:00Z"
    );
    let (status, _) = sb.access_check(&client_id(&t), &secret(&t)).await;
    assert_eq!(status, 403, "created disabled");
}

#[tokio::test]
async fn create_validation() {
    let sb = TestServer::start(8).await;
    let url = sb.service_tokens_url("");
    let count = sb.app.snapshot().cloudflare.service_tokens.len();
    let cases = [
        (json!({}), "/name"),
        (json!({ "name": "" }), "/name"),
        (json!({ "name": "   " }), "/name"),
        (json!({ "name": 7 }), "/name"),
        (json!({ "name": "x", "duration": "1y" }), "/duration"),
        (json!({ "name": "x", "duration": "1d" }), "/duration"),
        (json!({ "name": "x", "duration": "10" }), "/duration"),
        (json!({ "name": "x", "duration": "-1h" }), "/duration"),
        (json!({ "name": "x", "duration": "0s" }), "/duration"),
        (json!({ "name": "x", "duration": "Forever" }), "/duration"),
        (json!({ "name": "x", "duration": "" }), "/duration"),
        (json!({ "name": "x", "duration": 3600 }), "/duration"),
        (json!({ "name": "x", "enabled": "yes" }), "/enabled"),
        (
            json!({ "name": "x", "client_secret_version": -1 }),
            "/client_secret_version",
        ),
        (
            json!({ "name": "x", "client_secret_version": 1.5 }),
            "/client_secret_version",
        ),
        (
            json!({ "name": "x", "previous_client_secret_expires_at": "tomorrow" }),
            "/previous_client_secret_expires_at",
        ),
    ];
    for (body, pointer) in cases {
        let got = send(sb.req(Method::POST, &url, &sb.admin()).json(&body)).await;
        assert_cf_error(&got, 400, 12130);
        assert_eq!(got.1["errors"][0]["source"]["pointer"], pointer, "{body}");
        let message = got.1["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.starts_with("access.api.error.invalid_request: "),
            "{message}"
        );
    }
    let got = send(
        sb.req(Method::POST, &url, &sb.admin())
            .json(&json!({ "name": "x", "duration": "1d" })),
    )
    .await;
    let message = got.1["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("\"1d\"") && message.contains("8760h") && message.contains("forever"),
        "the message says what is accepted: {message}"
    );

    assert_cf_error(
        &send(sb.req(Method::POST, &url, &sb.admin())).await,
        400,
        12130,
    );
    assert_cf_error(
        &send(sb.req(Method::POST, &url, &sb.admin()).json(&json!(["x"]))).await,
        400,
        12130,
    );
    let malformed = sb
        .req(Method::POST, &url, &sb.admin())
        .header("content-type", "application/json")
        .body("{\"name\": ");
    assert_cf_error(&send(malformed).await, 400, 6007);
    assert_eq!(
        sb.app.snapshot().cloudflare.service_tokens.len(),
        count,
        "nothing was created"
    );
}

#[tokio::test]
async fn list_paginates_and_filters() {
    let sb = TestServer::start(8).await;
    let admin = sb.admin();
    let (status, all) = send(sb.req(Method::GET, &sb.service_tokens_url(""), &admin)).await;
    assert_eq!(status, 200, "{all}");
    let info = &all["result_info"];
    assert_eq!(info["page"], 1);
    assert_eq!(info["per_page"], 1000, "default per_page");
    assert_eq!(info["count"], DEFAULT_SERVICE_TOKENS);
    assert_eq!(info["total_count"], DEFAULT_SERVICE_TOKENS);
    assert_eq!(info["total_pages"], 1);
    let all = all["result"].as_array().unwrap().clone();
    assert!(all.iter().all(|t| t.get("client_secret").is_none()));
    let created: Vec<_> = all.iter().map(|t| ts(&t["created_at"])).collect();
    assert!(created.is_sorted(), "oldest first");

    let mut seen = Vec::new();
    for (page, count) in [(1, 7), (2, 7), (3, 7), (4, 7), (5, 7), (6, 5), (7, 0)] {
        let url = sb.service_tokens_url(&format!("?per_page=7&page={page}"));
        let (status, body) = send(sb.req(Method::GET, &url, &admin)).await;
        assert_eq!(status, 200, "{body}");
        let info = &body["result_info"];
        assert_eq!(info["page"], page);
        assert_eq!(info["per_page"], 7);
        assert_eq!(info["count"], count);
        assert_eq!(info["total_count"], 40);
        assert_eq!(info["total_pages"], 6);
        seen.extend(body["result"].as_array().unwrap().iter().cloned());
    }
    assert_eq!(seen, all, "pages put together give the whole list");

    let (status, _) = send(sb.req(
        Method::GET,
        &sb.service_tokens_url("?per_page=1000"),
        &admin,
    ))
    .await;
    assert_eq!(status, 200);
    for query in [
        "?per_page=1001",
        "?per_page=0",
        "?page=0",
        "?page=x",
        "?per_page=-5",
    ] {
        let got = send(sb.req(Method::GET, &sb.service_tokens_url(query), &admin)).await;
        assert_cf_error(&got, 400, 12130);
    }

    let names = |body: &Value| -> Vec<String> {
        body["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let query = |pairs: &[(&str, &str)]| {
        sb.req(Method::GET, &sb.service_tokens_url(""), &admin)
            .query(pairs)
    };
    let (_, body) = send(query(&[("name", SHARED_SERVICE_NAME)])).await;
    assert_eq!(names(&body), [SHARED_SERVICE_NAME, SHARED_SERVICE_NAME]);
    assert_eq!(body["result_info"]["total_count"], 2);
    let (_, body) = send(query(&[("name", "shared")])).await;
    assert!(names(&body).is_empty(), "name is an exact match");
    let (_, body) = send(query(&[("name", DEPLOY_BOT_NAME)])).await;
    assert_eq!(names(&body), [DEPLOY_BOT_NAME]);
    let (_, body) = send(query(&[("search", "INGRESS")])).await;
    let mut found = names(&body);
    found.sort();
    assert_eq!(found, ["k8s-ingress-prod", "k8s-ingress-staging"]);
    let (_, body) = send(query(&[
        ("search", "ingress"),
        ("name", "k8s-ingress-prod"),
    ]))
    .await;
    assert_eq!(names(&body), ["k8s-ingress-prod"]);
    let (_, body) = send(query(&[
        ("search", "ingress"),
        ("per_page", "1"),
        ("page", "2"),
    ]))
    .await;
    assert_eq!(body["result_info"]["count"], 1);
    assert_eq!(body["result_info"]["total_count"], 2);
    assert_eq!(body["result_info"]["total_pages"], 2);
    let (_, body) = send(query(&[("search", "no-such-token")])).await;
    assert_eq!(body["result_info"]["total_pages"], 0);
}

#[tokio::test]
async fn get_update_delete() {
    let sb = TestServer::start(8).await;
    let admin = sb.admin();
    let bot = sb.service_token(DEPLOY_BOT_NAME);
    let url = sb.service_tokens_url(&format!("/{}", bot.id));
    let (status, got) = send(sb.req(Method::GET, &url, &admin)).await;
    assert_eq!(status, 200, "{got}");
    let before = got["result"].clone();
    assert_eq!(before["name"], DEPLOY_BOT_NAME);
    assert_eq!(before["duration"], "8760h");
    assert!(ts(&before["expires_at"]) > now() + hours(30 * 24));
    let upper = sb.service_tokens_url(&format!("/{}", bot.id.to_uppercase()));
    let (status, _) = send(sb.req(Method::GET, &upper, &admin)).await;
    assert_eq!(status, 200, "ids are compared without case");

    // Nothing sent, nothing changed but updated_at.
    let (status, same) = send(sb.req(Method::PUT, &url, &admin).json(&json!({}))).await;
    assert_eq!(status, 200, "{same}");
    for key in ["name", "duration", "expires_at", "enabled", "client_id"] {
        assert_eq!(same["result"][key], before[key], "{key}");
    }
    assert!(ts(&same["result"]["updated_at"]) > ts(&before["updated_at"]));
    assert!(same["result"].get("client_secret").is_none());

    let body = json!({ "name": "deploy-bot-renamed", "enabled": false });
    let (status, after) = send(sb.req(Method::PUT, &url, &admin).json(&body)).await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(after["result"]["name"], "deploy-bot-renamed");
    assert_eq!(after["result"]["enabled"], false);
    assert_eq!(after["result"]["expires_at"], before["expires_at"]);

    // A new duration restarts the lifetime from now.
    let (_, after) = send(
        sb.req(Method::PUT, &url, &admin)
            .json(&json!({ "duration": "1h" })),
    )
    .await;
    let result = &after["result"];
    assert_eq!(result["duration"], "1h");
    assert_eq!(
        ts(&result["expires_at"]),
        ts(&result["updated_at"]) + hours(1)
    );
    let (_, after) = send(
        sb.req(Method::PUT, &url, &admin)
            .json(&json!({ "duration": "forever" })),
    )
    .await;
    assert!(after["result"].get("expires_at").is_none(), "{after}");

    for body in [
        json!({ "duration": "eternal" }),
        json!({ "name": "" }),
        json!({ "enabled": 1 }),
        json!({ "client_secret_version": 0 }),
    ] {
        let got = send(sb.req(Method::PUT, &url, &admin).json(&body)).await;
        assert_cf_error(&got, 400, 12130);
    }
    assert_cf_error(&send(sb.req(Method::PUT, &url, &admin)).await, 400, 12130);

    let (status, deleted) = send(sb.req(Method::DELETE, &url, &admin)).await;
    assert_eq!(status, 200, "{deleted}");
    assert_eq!(deleted["result"]["id"], bot.id.as_str());
    assert_eq!(deleted["result"]["name"], "deploy-bot-renamed");
    assert!(deleted["result"].get("client_secret").is_none());
    assert_cf_error(&send(sb.req(Method::GET, &url, &admin)).await, 404, 12135);
    assert_cf_error(
        &send(sb.req(Method::DELETE, &url, &admin)).await,
        404,
        12135,
    );
    assert_cf_error(
        &send(sb.req(Method::PUT, &url, &admin).json(&json!({}))).await,
        404,
        12135,
    );
    for action in ["refresh", "rotate"] {
        let url = format!("{url}/{action}");
        assert_cf_error(&send(sb.req(Method::POST, &url, &admin)).await, 404, 12135);
    }
    let got = send(sb.req(Method::GET, &url, &admin)).await;
    assert_eq!(got.1["errors"][0]["message"], "access.api.error.not_found");

    for bad in [
        "not-a-uuid",
        "f174e90afafe4643bbbc4a0ed4fc8415",
        "f174e90a-fafe-4643-bbbc-4a0ed4fc8415-0",
    ] {
        let url = sb.service_tokens_url(&format!("/{bad}"));
        assert_cf_error(&send(sb.req(Method::GET, &url, &admin)).await, 400, 7003);
    }
    let wrong_method = sb.req(Method::PATCH, &sb.service_tokens_url(""), &admin);
    assert_cf_error(&send(wrong_method).await, 405, 7001);
}

#[tokio::test]
async fn refresh_moves_expires_at() {
    let sb = TestServer::start(8).await;
    let admin = sb.admin();
    let now = now();
    let state = sb.app.snapshot().cloudflare;
    let expired = state
        .service_tokens
        .iter()
        .find(|t| t.enabled && t.expired(now) && t.previous_client_secret.is_none())
        .unwrap()
        .clone();
    let (status, checked) = sb
        .access_check(&expired.client_id, expired.client_secret.expose())
        .await;
    assert_eq!(status, 403);
    assert_eq!(checked["ok"], false);
    assert!(
        checked["reason"].as_str().unwrap().contains("expired"),
        "{checked}"
    );

    let url = sb.service_tokens_url(&format!("/{}/refresh", expired.id));
    let (status, refreshed) = send(sb.req(Method::POST, &url, &admin)).await;
    assert_eq!(status, 200, "{refreshed}");
    let result = &refreshed["result"];
    let span = expired.lifetime();
    assert_eq!(
        Some(ts(&result["expires_at"])),
        span.expiry(ts(&result["updated_at"]))
    );
    assert!(ts(&result["expires_at"]) > now);
    assert!(result.get("client_secret").is_none());
    let (status, _) = sb
        .access_check(&expired.client_id, expired.client_secret.expose())
        .await;
    assert_eq!(status, 200, "refreshed tokens work again");

    let forever = state
        .service_tokens
        .iter()
        .find(|t| t.duration == "forever")
        .unwrap();
    let url = sb.service_tokens_url(&format!("/{}/refresh", forever.id));
    let (status, refreshed) = send(sb.req(Method::POST, &url, &admin)).await;
    assert_eq!(status, 200);
    assert!(refreshed["result"].get("expires_at").is_none());
}

#[tokio::test]
async fn rotate_with_and_without_grace() {
    let sb = TestServer::start(8).await;
    let admin = sb.admin();
    let token = create(&sb, json!({ "name": "rotating" })).await;
    let (cid, first) = (client_id(&token), secret(&token));
    let rotate = sb.service_tokens_url(&format!("/{}/rotate", token["id"].as_str().unwrap()));

    // No body: the old secret dies at once.
    let (status, rotated) = send(sb.req(Method::POST, &rotate, &admin)).await;
    assert_eq!(status, 200, "{rotated}");
    let result = &rotated["result"];
    let second = secret(result);
    assert_ne!(second, first);
    assert_eq!(result["client_id"], cid.as_str(), "same Client ID");
    assert_eq!(result["id"], token["id"]);
    assert_eq!(result["client_secret_version"], 2);
    assert_eq!(sb.access_check(&cid, &first).await.0, 403);
    assert_eq!(sb.access_check(&cid, &second).await.0, 200);

    // With a grace period both work until it ends.
    let until = now() + hours(1);
    let body = json!({ "previous_client_secret_expires_at": until.to_string() });
    let (status, rotated) = send(sb.req(Method::POST, &rotate, &admin).json(&body)).await;
    assert_eq!(status, 200, "{rotated}");
    let third = secret(&rotated["result"]);
    assert_eq!(rotated["result"]["client_secret_version"], 3);
    assert_eq!(
        ts(&rotated["result"]["previous_client_secret_expires_at"]),
        until
    );
    assert_eq!(sb.access_check(&cid, &second).await.0, 200, "in grace");
    assert_eq!(sb.access_check(&cid, &third).await.0, 200);
    assert_eq!(
        sb.access_check(&cid, &first).await.0,
        403,
        "only one previous"
    );

    // Moving the grace period into the past revokes the previous secret.
    let url = sb.service_tokens_url(&format!("/{}", token["id"].as_str().unwrap()));
    let past = json!({ "previous_client_secret_expires_at": "2020-01-01T00:00:00Z" });
    let (status, updated) = send(sb.req(Method::PUT, &url, &admin).json(&past)).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["result"]["client_secret_version"], 3, "no rotation");
    let (status, checked) = sb.access_check(&cid, &second).await;
    assert_eq!(status, 403);
    assert!(
        checked["reason"].as_str().unwrap().contains("previous"),
        "{checked}"
    );
    assert_eq!(sb.access_check(&cid, &third).await.0, 200);
    // ... and moving it forward again restores it.
    let later = json!({ "previous_client_secret_expires_at": (now() + hours(2)).to_string() });
    send(sb.req(Method::PUT, &url, &admin).json(&later)).await;
    assert_eq!(sb.access_check(&cid, &second).await.0, 200);

    // A grace in the past on rotate: the old secret dies at once.
    let (_, rotated) = send(sb.req(Method::POST, &rotate, &admin).json(&past)).await;
    let fourth = secret(&rotated["result"]);
    assert_eq!(sb.access_check(&cid, &third).await.0, 403);
    assert_eq!(sb.access_check(&cid, &fourth).await.0, 200);

    let bad = json!({ "previous_client_secret_expires_at": "soon" });
    let got = send(sb.req(Method::POST, &rotate, &admin).json(&bad)).await;
    assert_cf_error(&got, 400, 12130);
    let got = send(sb.req(Method::POST, &rotate, &admin).json(&json!([1]))).await;
    assert_cf_error(&got, 400, 12130);
    assert_eq!(
        sb.access_check(&cid, &fourth).await.0,
        200,
        "failed rotations change nothing"
    );
}

#[tokio::test]
async fn version_bump_via_put_rotates() {
    let sb = TestServer::start(8).await;
    let admin = sb.admin();
    let token = create(&sb, json!({ "name": "bumped" })).await;
    let (cid, first) = (client_id(&token), secret(&token));
    let id = token["id"].as_str().unwrap().to_owned();
    let url = sb.service_tokens_url(&format!("/{id}"));
    let current = |sb: &TestServer| -> StoredServiceToken {
        let state = sb.app.snapshot().cloudflare;
        state
            .service_tokens
            .into_iter()
            .find(|t| t.id == id)
            .unwrap()
    };

    let same = json!({ "client_secret_version": 1 });
    let (status, _) = send(sb.req(Method::PUT, &url, &admin).json(&same)).await;
    assert_eq!(status, 200);
    assert_eq!(
        current(&sb).client_secret.expose(),
        first,
        "same version, same secret"
    );

    let bump = json!({ "client_secret_version": 2 });
    let (status, updated) = send(sb.req(Method::PUT, &url, &admin).json(&bump)).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["result"]["client_secret_version"], 2);
    assert!(
        updated["result"].get("client_secret").is_none(),
        "PUT never reveals the new secret"
    );
    let second = current(&sb).client_secret.expose().to_owned();
    assert_ne!(second, first);
    assert_eq!(sb.access_check(&cid, &first).await.0, 403, "no grace given");
    assert_eq!(sb.access_check(&cid, &second).await.0, 200);

    let until = now() + hours(24);
    let bump = json!({
        "client_secret_version": 5,
        "previous_client_secret_expires_at": until.to_string(),
    });
    let (_, updated) = send(sb.req(Method::PUT, &url, &admin).json(&bump)).await;
    assert_eq!(updated["result"]["client_secret_version"], 5);
    let third = current(&sb).client_secret.expose().to_owned();
    assert_eq!(sb.access_check(&cid, &second).await.0, 200, "in grace");
    assert_eq!(sb.access_check(&cid, &third).await.0, 200);

    let lower = json!({ "client_secret_version": 4 });
    let got = send(sb.req(Method::PUT, &url, &admin).json(&lower)).await;
    assert_cf_error(&got, 400, 12130);
    assert_eq!(current(&sb).client_secret_version, 5);
}

#[tokio::test]
async fn disabled_tokens_fail_the_access_check() {
    let sb = TestServer::start(8).await;
    let admin = sb.admin();
    let token = create(&sb, json!({ "name": "switch" })).await;
    let (cid, first) = (client_id(&token), secret(&token));
    let id = token["id"].as_str().unwrap();
    let rotate = sb.service_tokens_url(&format!("/{id}/rotate"));
    let grace = json!({ "previous_client_secret_expires_at": (now() + hours(1)).to_string() });
    let (_, rotated) = send(sb.req(Method::POST, &rotate, &admin).json(&grace)).await;
    let second = secret(&rotated["result"]);

    let url = sb.service_tokens_url(&format!("/{id}"));
    let off = json!({ "enabled": false });
    let (status, _) = send(sb.req(Method::PUT, &url, &admin).json(&off)).await;
    assert_eq!(status, 200);
    for value in [&first, &second] {
        let (status, checked) = sb.access_check(&cid, value).await;
        assert_eq!(status, 403);
        assert!(
            checked["reason"].as_str().unwrap().contains("disabled"),
            "{checked}"
        );
    }
    let on = json!({ "enabled": true });
    send(sb.req(Method::PUT, &url, &admin).json(&on)).await;
    assert_eq!(sb.access_check(&cid, &first).await.0, 200);
    assert_eq!(sb.access_check(&cid, &second).await.0, 200);
}

#[tokio::test]
async fn access_check_rules() {
    let sb = TestServer::start(8).await;
    let url = format!("{}/__sandbox/access/check", sb.root);
    let (status, body) = send(sb.client.get(&url)).await;
    assert_eq!(status, 403);
    assert_eq!(body["ok"], false);
    assert!(
        body["reason"]
            .as_str()
            .unwrap()
            .contains("CF-Access-Client-Id")
    );
    let bot = sb.service_token(DEPLOY_BOT_NAME);
    let (status, _) = sb
        .access_check("nobody.access", bot.client_secret.expose())
        .await;
    assert_eq!(status, 403);
    let (status, body) = sb.access_check(&bot.client_id, "wrong").await;
    assert_eq!(status, 403);
    assert!(body["reason"].as_str().unwrap().contains("does not match"));

    // The seed has rotated tokens whose previous secret is, or is no
    // longer, in its grace period.
    let now = now();
    let state = sb.app.snapshot().cloudflare;
    let usable = |t: &&StoredServiceToken| t.enabled && !t.expired(now);
    let in_grace = state
        .service_tokens
        .iter()
        .filter(usable)
        .find(|t| {
            t.previous_client_secret_expires_at
                .is_some_and(|at| at > now)
        })
        .unwrap();
    let previous = in_grace.previous_client_secret.as_ref().unwrap().expose();
    assert_eq!(sb.access_check(&in_grace.client_id, previous).await.0, 200);
    let over = state
        .service_tokens
        .iter()
        .filter(usable)
        .find(|t| {
            t.previous_client_secret.is_some()
                && t.previous_client_secret_expires_at
                    .is_some_and(|at| at <= now)
        })
        .unwrap();
    let previous = over.previous_client_secret.as_ref().unwrap().expose();
    assert_eq!(sb.access_check(&over.client_id, previous).await.0, 403);
    assert_eq!(
        sb.access_check(&over.client_id, over.client_secret.expose())
            .await
            .0,
        200
    );

    // Control routes are not logged.
    let log: Vec<Value> = sb
        .client
        .get(format!("{}/__sandbox/requests", sb.root))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(log.is_empty(), "{log:?}");
}

#[tokio::test]
async fn global_api_key_authenticates() {
    let sb = TestServer::start(8).await;
    let list = sb.service_tokens_url("");
    let (status, body) = send(sb.key_req(Method::GET, &list)).await;
    assert_eq!(status, 200, "{body}");
    let create = sb
        .key_req(Method::POST, &list)
        .json(&json!({ "name": "by-key" }));
    let (status, body) = send(create).await;
    assert_eq!(status, 201, "{body}");

    let connection = sb.app.snapshot().connections(&sb.root)["cloudflare"].clone();
    let email = connection.email.unwrap();
    let key = connection.api_key.unwrap();
    assert_eq!(email, ADMIN_EMAIL);
    let with = |email: Option<&str>, key: Option<&str>| {
        let mut request = sb.client.get(&list);
        if let Some(email) = email {
            request = request.header("x-auth-email", email);
        }
        if let Some(key) = key {
            request = request.header("x-auth-key", key);
        }
        request
    };
    let (status, _) = send(with(Some(&email.to_uppercase()), Some(&key))).await;
    assert_eq!(status, 200, "emails compare without case");
    let wrong = send(with(
        Some(&email),
        Some("0123456789abcdef0123456789abcdef01234"),
    ))
    .await;
    assert_cf_error(&wrong, 403, 9103);
    assert_eq!(
        wrong.1["errors"][0]["message"],
        "Unknown X-Auth-Key or X-Auth-Email"
    );
    assert_cf_error(
        &send(with(Some("someone@else.example"), Some(&key))).await,
        403,
        9103,
    );
    assert_cf_error(&send(with(Some(&email), None)).await, 400, 9106);
    assert_cf_error(&send(with(None, Some(&key))).await, 400, 9106);
    assert_cf_error(&send(with(Some(""), Some(&key))).await, 400, 9106);
    assert_cf_error(&send(sb.client.get(&list)).await, 400, 9106);

    let foreign = format!(
        "{}/client/v4/accounts/{}/access/service_tokens",
        sb.root,
        "0".repeat(32)
    );
    assert_cf_error(&send(sb.key_req(Method::GET, &foreign)).await, 403, 9109);
    let too_long = format!(
        "{}/client/v4/accounts/{}/access/service_tokens",
        sb.root,
        "0".repeat(33)
    );
    assert_cf_error(&send(sb.key_req(Method::GET, &too_long)).await, 400, 7003);

    // Account API tokens take only Bearer tokens.
    assert_cf_error(
        &send(sb.key_req(Method::GET, &sb.tokens_url(""))).await,
        400,
        9106,
    );
}

#[tokio::test]
async fn bearer_tokens_need_the_access_groups() {
    let sb = TestServer::start(8).await;
    let list = sb.service_tokens_url("");
    let reader = sb.secret_of(READONLY_TOKEN_NAME);
    assert_cf_error(&send(sb.req(Method::GET, &list, &reader)).await, 403, 9109);
    assert_cf_error(
        &send(sb.req(Method::GET, &list, "cfat_nope")).await,
        401,
        1000,
    );

    let token_with = |name: &str, group: &str| {
        json!({
            "name": name,
            "policies": [{
                "effect": "allow",
                "permission_groups": [{ "id": id_of(group) }],
                "resources": { format!("com.cloudflare.api.account.{ACCOUNT_ID}"): "*" },
            }],
        })
    };
    let mut secrets = HashMap::new();
    for (name, group) in [
        ("st-read", SERVICE_TOKENS_READ),
        ("st-write", SERVICE_TOKENS_WRITE),
    ] {
        let request = sb
            .req(Method::POST, &sb.tokens_url(""), &sb.admin())
            .json(&token_with(name, group));
        let (status, created) = send(request).await;
        assert_eq!(status, 200, "{created}");
        secrets.insert(
            name,
            created["result"]["value"].as_str().unwrap().to_owned(),
        );
    }
    let bot = sb.service_token(DEPLOY_BOT_NAME);
    let one = sb.service_tokens_url(&format!("/{}", bot.id));
    let read = &secrets["st-read"];
    assert_eq!(send(sb.req(Method::GET, &list, read)).await.0, 200);
    assert_eq!(send(sb.req(Method::GET, &one, read)).await.0, 200);
    let post = sb
        .req(Method::POST, &list, read)
        .json(&json!({ "name": "x" }));
    assert_cf_error(&send(post).await, 403, 9109);
    let refresh = sb.req(Method::POST, &format!("{one}/refresh"), read);
    assert_cf_error(&send(refresh).await, 403, 9109);
    let write = &secrets["st-write"];
    assert_eq!(send(sb.req(Method::GET, &list, write)).await.0, 200);
    let post = sb
        .req(Method::POST, &list, write)
        .json(&json!({ "name": "x" }));
    assert_eq!(send(post).await.0, 201);
    let rotate = sb.req(Method::POST, &format!("{one}/rotate"), write);
    assert_eq!(send(rotate).await.0, 200);
    // Service-token groups grant nothing on account tokens.
    assert_cf_error(
        &send(sb.req(Method::GET, &sb.tokens_url(""), write)).await,
        403,
        9109,
    );
}

#[test]
fn seed_has_every_state() {
    let state = CloudflareState::seeded(&SeedOptions::default());
    let tokens = &state.service_tokens;
    assert_eq!(tokens.len(), DEFAULT_SERVICE_TOKENS);
    let now = now();
    let count = |f: &dyn Fn(&StoredServiceToken) -> bool| tokens.iter().filter(|t| f(t)).count();
    let week = hours(7 * 24);
    assert!(
        count(&|t| t.created_at > now - week && t.duration == "8760h") >= 3,
        "fresh"
    );
    assert!(
        count(&|t| t.enabled && t.expires_at.is_some_and(|at| at > now && at < now + week)) >= 5,
        "expiring within a week"
    );
    assert!(count(&|t| t.expired(now)) >= 5, "expired");
    assert!(count(&|t| t.duration == "forever" && t.expires_at.is_none()) >= 4);
    assert!(count(&|t| !t.enabled) >= 3, "disabled");
    assert!(count(&|t| t.last_seen_at.is_none()) >= 5, "never seen");
    assert!(
        count(&|t| t.last_seen_at.is_some_and(|at| at > now - hours(3))) >= 5,
        "recently seen"
    );
    assert!(
        count(&|t| t.previous_client_secret.is_some()
            && t.previous_client_secret_expires_at
                .is_some_and(|at| at > now))
            >= 3,
        "previous secret in grace"
    );
    assert!(count(&|t| t.client_secret.expose().starts_with("cfast_")) > 20);
    assert!(
        count(&|t| t.client_secret.expose().len() == 64) >= 5,
        "older hex secrets"
    );
    for t in tokens {
        assert!(is_uuid(&t.id), "{}", t.id);
        assert!(t.client_id.ends_with(".access"));
        assert!(t.created_at <= t.updated_at, "{}", t.name);
        assert!(t.updated_at <= now);
        assert!(
            t.last_seen_at
                .is_none_or(|at| at >= t.created_at && at <= now)
        );
        if t.duration != "forever" {
            assert_eq!(
                t.lifetime().expiry(t.created_at),
                t.expires_at,
                "{}",
                t.name
            );
        }
    }
    let bot: Vec<_> = tokens
        .iter()
        .filter(|t| t.name == DEPLOY_BOT_NAME)
        .collect();
    assert_eq!(bot.len(), 1);
    assert!(bot[0].enabled && bot[0].duration == "8760h");
    assert!(bot[0].expires_at.unwrap() > now + hours(30 * 24));
    let mut names: HashMap<&str, usize> = HashMap::new();
    for t in tokens {
        *names.entry(t.name.as_str()).or_default() += 1;
    }
    assert_eq!(names[SHARED_SERVICE_NAME], 2);
    assert!(
        names
            .iter()
            .all(|(n, c)| *c == 1 || *n == SHARED_SERVICE_NAME)
    );
    for name in [
        "github-actions-deploy",
        "k8s-ingress-prod",
        "grafana-agent",
        "backup-job",
    ] {
        assert_eq!(names[name], 1, "{name}");
    }

    let again = CloudflareState::seeded(&SeedOptions::default());
    let ids_of = |s: &CloudflareState| s.tokens.iter().map(|t| t.id.clone()).collect::<Vec<_>>();
    assert_eq!(
        ids_of(&state),
        ids_of(&CloudflareState::seeded(&SeedOptions {
            service_tokens: 0,
            ..SeedOptions::default()
        })),
        "account tokens do not depend on the service tokens"
    );
    let ids = |s: &CloudflareState| {
        s.service_tokens
            .iter()
            .map(|t| (t.id.clone(), t.client_id.clone(), t.name.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&state), ids(&again), "deterministic ids and names");
    assert_ne!(
        state.service_tokens[0].client_secret, again.service_tokens[0].client_secret,
        "random secrets"
    );
    assert_ne!(state.global_api_key, again.global_api_key);
    assert_eq!(state.email, ADMIN_EMAIL);
}

#[test]
fn seed_size_is_configurable() {
    for (asked, got) in [(0, 3), (3, 3), (10, 10), (40, 40), (200, 200)] {
        let state = CloudflareState::seeded(&SeedOptions {
            service_tokens: asked,
            ..SeedOptions::default()
        });
        let tokens = &state.service_tokens;
        assert_eq!(tokens.len(), got);
        assert_eq!(tokens[0].name, DEPLOY_BOT_NAME);
        let shared = tokens
            .iter()
            .filter(|t| t.name == SHARED_SERVICE_NAME)
            .count();
        assert_eq!(shared, 2);
        let mut names: Vec<_> = tokens.iter().map(|t| t.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(
            names.len(),
            got - 1,
            "names are unique but for shared-service"
        );
        assert_eq!(state.tokens.len(), 64);
    }
}

#[test]
fn old_states_still_load() {
    let state = SandboxState::seeded(&SeedOptions::default());
    let mut json = serde_json::to_value(&state).unwrap();
    let cf = json["cloudflare"].as_object_mut().unwrap();
    for key in ["email", "global_api_key", "service_tokens"] {
        assert!(cf.remove(key).is_some(), "{key}");
    }
    let old: SandboxState = serde_json::from_value(json).unwrap();
    assert!(old.cloudflare.service_tokens.is_empty());
    assert_eq!(old.cloudflare.email, ADMIN_EMAIL);
    assert!(old.cloudflare.global_api_key.is_empty());
    let connection = &old.connections("http://x")["cloudflare"];
    assert!(connection.email.is_none() && connection.api_key.is_none());
    let shown = serde_json::to_value(connection).unwrap();
    assert!(shown.get("email").is_none() && shown.get("api_key").is_none());
    assert_eq!(old.cloudflare.tokens.len(), state.cloudflare.tokens.len());
}

#[tokio::test]
async fn an_old_state_has_no_global_key() {
    let mut state = SandboxState::seeded(&SeedOptions::default());
    state.cloudflare.global_api_key = Default::default();
    let sb = TestServer::from_state(state).await;
    let request = sb
        .client
        .get(sb.service_tokens_url(""))
        .header("x-auth-email", ADMIN_EMAIL)
        .header("x-auth-key", "");
    assert_cf_error(&send(request).await, 400, 9106);
    let request = sb
        .client
        .get(sb.service_tokens_url(""))
        .header("x-auth-email", ADMIN_EMAIL)
        .header("x-auth-key", "anything");
    assert_cf_error(&send(request).await, 403, 9103);
}
