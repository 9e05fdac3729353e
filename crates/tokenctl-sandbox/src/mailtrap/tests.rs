//! The Mailtrap emulator over HTTP.

#![allow(clippy::unwrap_used)]

use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};

use super::seed::{OTHER_ACCOUNT_ID, OTHER_ACCOUNT_TOKEN_NAME};
use super::{ACCOUNT_ID, ADMIN_TOKEN_NAME, READONLY_TOKEN_NAME, SHARED_TOKEN_NAME};
use crate::testing::{TestServer, send};

fn url(sb: &TestServer, rest: &str) -> String {
    format!(
        "{}/mailtrap/api/accounts/{ACCOUNT_ID}/api_tokens{rest}",
        sb.root
    )
}

fn admin(sb: &TestServer) -> String {
    sb.app.snapshot().connections(&sb.root)["mailtrap"]
        .token
        .clone()
}

fn secret_of(sb: &TestServer, name: &str) -> String {
    let state = sb.app.snapshot();
    let token = state.mailtrap.token_by_name(name).unwrap();
    token.value.expose().to_owned()
}

fn id_of(sb: &TestServer, name: &str) -> u64 {
    sb.app.snapshot().mailtrap.token_by_name(name).unwrap().id
}

/// Whole days until the token's `expires_at`.
fn days_left(token: &Value) -> i64 {
    let at: jiff::Timestamp = token["expires_at"].as_str().unwrap().parse().unwrap();
    (at.as_second() - jiff::Timestamp::now().as_second()) / 86_400
}

/// A request with the `Api-Token` header.
fn req(sb: &TestServer, method: Method, url: &str, secret: &str) -> RequestBuilder {
    sb.client.request(method, url).header("Api-Token", secret)
}

#[tokio::test]
async fn connection_and_list() {
    let sb = TestServer::start(8).await;
    let (status, state) = send(sb.client.get(format!("{}/__sandbox/state", sb.root))).await;
    assert_eq!(status, 200);
    let mt = &state["mailtrap"];
    assert_eq!(mt["base_url"], format!("{}/mailtrap", sb.root));
    assert_eq!(mt["account_id"], "1234567");
    assert_eq!(mt["token"], admin(&sb));
    assert!(mt.get("email").is_none());

    let (status, body) = send(req(&sb, Method::GET, &url(&sb, ""), &admin(&sb))).await;
    assert_eq!(status, 200, "{body}");
    let list = body.as_array().unwrap();
    assert_eq!(list.len(), 15, "the other account's token is not listed");
    let shared = list
        .iter()
        .filter(|t| t["name"] == SHARED_TOKEN_NAME)
        .count();
    assert_eq!(shared, 2);
    let first = &list[0];
    assert_eq!(first["id"], 100_001);
    assert_eq!(first["name"], ADMIN_TOKEN_NAME);
    assert_eq!(first["created_by"], "Alice Admin");
    assert!(first["expires_at"].is_null());
    let last4 = first["last_4_digits"].as_str().unwrap();
    assert_eq!(last4.len(), 4);
    assert!(admin(&sb).ends_with(last4));
    assert_eq!(
        first["resources"],
        json!([{ "resource_type": "account", "resource_id": ACCOUNT_ID, "access_level": 100 }])
    );
    assert!(list.iter().all(|t| t.get("token").is_none()));
    assert!(list.iter().any(|t| t["expires_at"].is_string()));

    // Bearer works as well as Api-Token.
    let bearer = sb.client.get(url(&sb, "")).bearer_auth(admin(&sb));
    assert_eq!(send(bearer).await.0, 200);
}

#[tokio::test]
async fn get_create_delete() {
    let sb = TestServer::start(8).await;
    let admin = admin(&sb);
    let id = id_of(&sb, "ci-email-tests");
    let (status, body) = send(req(&sb, Method::GET, &url(&sb, &format!("/{id}")), &admin)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"], "ci-email-tests");
    assert_eq!(body["resources"].as_array().unwrap().len(), 2);
    assert!(body.get("token").is_none());

    let create = req(&sb, Method::POST, &url(&sb, ""), &admin).json(&json!({
        "name": "new-sender",
        "resources": [
            { "resource_type": "domain", "resource_id": 4001, "access_level": 100 },
            { "resource_type": "sandbox", "resource_id": 3001, "access_level": 10 },
        ],
    }));
    let (status, created) = send(create).await;
    assert_eq!(status, 200, "{created}");
    let secret = created["token"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 32);
    assert_eq!(created["last_4_digits"], secret[28..]);
    assert_eq!(created["created_by"], ADMIN_TOKEN_NAME);
    // Since 2026-08 a new token expires after 365 days by default.
    let left = days_left(&created);
    assert!((364..=365).contains(&left), "{created}");
    assert_eq!(created["resources"][1]["access_level"], 10);
    let new_id = created["id"].as_u64().unwrap();
    assert!(new_id > 100_016);

    let one = url(&sb, &format!("/{new_id}"));
    let (status, got) = send(req(&sb, Method::GET, &one, &admin)).await;
    assert_eq!(status, 200);
    assert!(got.get("token").is_none());
    assert_eq!(got["name"], "new-sender");

    let response = req(&sb, Method::DELETE, &one, &admin).send().await.unwrap();
    assert_eq!(response.status(), 204);
    assert!(response.bytes().await.unwrap().is_empty());
    let (status, body) = send(req(&sb, Method::GET, &one, &admin)).await;
    assert_eq!((status, body), (404, json!({ "error": "Not Found" })));
    let (status, _) = send(req(&sb, Method::DELETE, &one, &admin)).await;
    assert_eq!(status, 404);
    // Non-integer ids and unknown paths are routing 404s.
    let (status, body) = send(req(&sb, Method::GET, &url(&sb, "/abc"), &admin)).await;
    assert_eq!((status, body), (404, json!({ "error": "Not Found" })));
    let nowhere = format!("{}/mailtrap/api/nowhere", sb.root);
    let (status, body) = send(req(&sb, Method::GET, &nowhere, &admin)).await;
    assert_eq!((status, body), (404, json!({ "error": "Not Found" })));
}

#[tokio::test]
async fn validation_errors() {
    let sb = TestServer::start(8).await;
    let admin = admin(&sb);
    let post = |body: Value| req(&sb, Method::POST, &url(&sb, ""), &admin).json(&body);
    let (status, body) = send(post(json!({
        "name": " ",
        "resources": [{ "resource_type": "account", "resource_id": ACCOUNT_ID, "access_level": 10 }],
    })))
    .await;
    assert_eq!(
        (status, body),
        (422, json!({ "errors": { "name": ["can't be blank"] } }))
    );
    // The live API refuses a token with no permissions, with this very body.
    let no_permissions = json!({
        "errors": { "base": ["No permissions selected. Please choose at least one."] }
    });
    for body in [
        json!({ "name": "x" }),
        json!({ "name": "x", "resources": [] }),
    ] {
        assert_eq!(send(post(body)).await, (422, no_permissions.clone()));
    }
    let (status, body) = send(post(json!({
        "name": "x",
        "resources": [
            { "resource_type": "galaxy", "resource_id": 1, "access_level": 10 },
            { "resource_type": "project", "resource_id": 9999, "access_level": 10 },
            { "resource_type": "account", "resource_id": ACCOUNT_ID, "access_level": 50 },
        ],
    })))
    .await;
    assert_eq!(status, 422, "{body}");
    let base = body["errors"]["base"].as_array().unwrap();
    assert_eq!(base.len(), 3, "{body}");
    assert!(base.iter().all(Value::is_string));
    assert!(body["errors"].get("name").is_none());
    let not_json = req(&sb, Method::POST, &url(&sb, ""), &admin)
        .header("content-type", "application/json")
        .body("{nope");
    assert_eq!(
        send(not_json).await,
        (400, json!({ "error": "Bad Request" }))
    );
}

#[tokio::test]
async fn reset_keeps_the_old_token_for_the_grace_period() {
    let sb = TestServer::start(8).await;
    let admin = admin(&sb);
    let id = id_of(&sb, "terraform-mailtrap");
    let old_secret = secret_of(&sb, "terraform-mailtrap");
    let reset = url(&sb, &format!("/{id}/reset"));
    let (status, fresh) = send(req(&sb, Method::POST, &reset, &admin)).await;
    assert_eq!(status, 200, "{fresh}");
    let new_secret = fresh["token"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, old_secret);
    assert_ne!(fresh["id"], id);
    // The live API names the new token `<old name> <new id>`, with the default expiry.
    assert_eq!(
        fresh["name"],
        format!("terraform-mailtrap {}", fresh["id"].as_u64().unwrap())
    );
    assert!((364..=365).contains(&days_left(&fresh)), "{fresh}");
    assert_eq!(
        fresh["resources"],
        json!([{ "resource_type": "account", "resource_id": ACCOUNT_ID, "access_level": 100 }])
    );
    // The old one now expires in 12 hours, and still works until then.
    let (_, old) = send(req(&sb, Method::GET, &url(&sb, &format!("/{id}")), &admin)).await;
    let expires: jiff::Timestamp = old["expires_at"].as_str().unwrap().parse().unwrap();
    let left = expires.as_second() - jiff::Timestamp::now().as_second();
    assert!((12 * 3600 - 60..=12 * 3600).contains(&left), "{left}");
    assert_eq!(
        send(req(&sb, Method::GET, &url(&sb, ""), &old_secret))
            .await
            .0,
        200
    );
    assert_eq!(
        send(req(&sb, Method::GET, &url(&sb, ""), &new_secret))
            .await
            .0,
        200
    );
    // Once reset (it is in its grace period now), it cannot be reset again.
    let (status, body) = send(req(&sb, Method::POST, &reset, &admin)).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["errors"]["base"][0]
            .as_str()
            .unwrap()
            .contains("already been reset")
    );
    // Its replacement, which has the default expiry, can be reset.
    let replacement = url(&sb, &format!("/{}/reset", fresh["id"]));
    assert_eq!(
        send(req(&sb, Method::POST, &replacement, &admin)).await.0,
        200
    );
    // So can a seeded token with an expiry (2 days): the grace period, being sooner, wins.
    let expiring = id_of(&sb, "contractor-temp");
    let other = url(&sb, &format!("/{expiring}/reset"));
    assert_eq!(send(req(&sb, Method::POST, &other, &admin)).await.0, 200);
    let (_, old) = send(req(
        &sb,
        Method::GET,
        &url(&sb, &format!("/{expiring}")),
        &admin,
    ))
    .await;
    let expires: jiff::Timestamp = old["expires_at"].as_str().unwrap().parse().unwrap();
    let left = expires.as_second() - jiff::Timestamp::now().as_second();
    assert!((12 * 3600 - 60..=12 * 3600).contains(&left), "{left}");

    // Resetting the connection token moves the connection to the new one.
    let reset_admin = url(&sb, "/100001/reset");
    let (status, fresh) = send(req(&sb, Method::POST, &reset_admin, &admin)).await;
    assert_eq!(status, 200);
    assert_eq!(self::admin(&sb), fresh["token"].as_str().unwrap());
}

#[tokio::test]
async fn auth_errors() {
    let sb = TestServer::start(8).await;
    let list = url(&sb, "");
    let unauthorized = json!({ "error": "Incorrect API token" });
    assert_eq!(
        send(sb.client.get(&list)).await,
        (401, unauthorized.clone())
    );
    assert_eq!(
        send(req(&sb, Method::GET, &list, "0123456789abcdef")).await,
        (401, unauthorized.clone())
    );
    let basic = sb.client.get(&list).basic_auth("u", Some("p"));
    assert_eq!(send(basic).await.0, 401);
    let expired = secret_of(&sb, "legacy-smtp-relay");
    assert_eq!(
        send(req(&sb, Method::GET, &list, &expired)).await,
        (401, unauthorized)
    );

    let forbidden = json!({ "errors": "Account access forbidden" });
    let viewer = secret_of(&sb, READONLY_TOKEN_NAME);
    assert_eq!(
        send(req(&sb, Method::GET, &list, &viewer)).await,
        (403, forbidden.clone())
    );
    let other = secret_of(&sb, OTHER_ACCOUNT_TOKEN_NAME);
    assert_eq!(
        send(req(&sb, Method::GET, &list, &other)).await,
        (403, forbidden.clone())
    );
    let foreign = format!(
        "{}/mailtrap/api/accounts/{OTHER_ACCOUNT_ID}/api_tokens",
        sb.root
    );
    assert_eq!(
        send(req(&sb, Method::GET, &foreign, &admin(&sb))).await,
        (403, forbidden)
    );
    let (status, body) = send(req(&sb, Method::GET, &foreign, &other)).await;
    assert_eq!(status, 200);
    assert_eq!(body.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn requests_are_logged_and_faults_use_mailtrap_shapes() {
    let sb = TestServer::start(8).await;
    let fault = json!({ "path_prefix": "/mailtrap/", "status": 401, "times": 1 });
    let added = sb
        .client
        .post(format!("{}/__sandbox/faults", sb.root))
        .json(&fault);
    assert_eq!(added.send().await.unwrap().status(), 201);
    let list = url(&sb, "");
    let got = send(req(&sb, Method::GET, &list, &admin(&sb))).await;
    assert_eq!(got, (401, json!({ "error": "Incorrect API token" })));
    assert_eq!(send(req(&sb, Method::GET, &list, &admin(&sb))).await.0, 200);
    let log: Vec<Value> = sb
        .client
        .get(format!("{}/__sandbox/requests", sb.root))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let path = format!("/mailtrap/api/accounts/{ACCOUNT_ID}/api_tokens");
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["path"], path);
    assert_eq!(log[0]["status"], 401);
    assert_eq!(log[1]["status"], 200);
}

#[test]
fn states_saved_before_mailtrap_still_load() {
    let state = crate::SandboxState::seeded(&crate::SeedOptions::default());
    let mut json = serde_json::to_value(&state).unwrap();
    json.as_object_mut().unwrap().remove("mailtrap").unwrap();
    let back: crate::SandboxState = serde_json::from_value(json).unwrap();
    assert!(back.mailtrap.tokens.is_empty());
    let connection = &back.connections("http://x")["mailtrap"];
    assert_eq!(connection.token, "");
    assert_eq!(connection.base_url, "http://x/mailtrap");
}

#[tokio::test]
async fn answers_carry_the_rate_limit_and_429_past_it() {
    let sb = TestServer::start(8).await;
    let admin = admin(&sb);
    let list = url(&sb, "");
    let response = req(&sb, Method::GET, &list, &admin).send().await.unwrap();
    let header = |r: &reqwest::Response, name: &str| {
        r.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    assert_eq!(
        header(&response, "x-ratelimit-limit").as_deref(),
        Some("150")
    );
    assert_eq!(
        header(&response, "x-ratelimit-remaining").as_deref(),
        Some("149")
    );
    let quota = json!({ "limit": 2, "window_secs": 60 });
    let set = sb
        .client
        .put(format!("{}/__sandbox/rate_limits/mailtrap", sb.root))
        .json(&quota);
    assert_eq!(send(set).await, (200, quota));
    for left in ["1", "0"] {
        let r = req(&sb, Method::GET, &list, &admin).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(header(&r, "x-ratelimit-remaining").as_deref(), Some(left));
    }
    let (status, body) = send(req(&sb, Method::GET, &list, &admin)).await;
    assert_eq!(
        (status, body),
        (429, json!({ "errors": "Rate limit exceeded" }))
    );
    // Each token has its own budget.
    let other = secret_of(&sb, "terraform-mailtrap");
    assert_eq!(send(req(&sb, Method::GET, &list, &other)).await.0, 200);
}
