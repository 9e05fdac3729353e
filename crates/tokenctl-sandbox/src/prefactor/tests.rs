//! The Prefactor emulator over HTTP.

#![allow(clippy::unwrap_used)]

use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};

use super::seed::ADMIN_TOKEN_ID;
use super::{ACCOUNT_ID, ENVIRONMENT_ID, OTHER_ACCOUNT_ID, Scope, Status};
use crate::testing::{TestServer, send};

fn url(sb: &TestServer, rest: &str) -> String {
    format!("{}/prefactor/api/v1/api_token{rest}", sb.root)
}

fn admin(sb: &TestServer) -> String {
    sb.app.snapshot().connections(&sb.root)["prefactor"]
        .token
        .clone()
}

fn req(sb: &TestServer, method: Method, url: &str, secret: &str) -> RequestBuilder {
    sb.client.request(method, url).bearer_auth(secret)
}

/// Id and secret of the first main-account token matching `pred`.
fn pick(sb: &TestServer, pred: impl Fn(&super::PrefactorToken) -> bool) -> (String, String) {
    let state = sb.app.snapshot();
    let token = state
        .prefactor
        .tokens
        .iter()
        .find(|t| t.account_id == ACCOUNT_ID && t.id != ADMIN_TOKEN_ID && pred(t))
        .unwrap();
    (token.id.clone(), token.value.expose().to_owned())
}

#[track_caller]
fn assert_error(got: &(u16, Value), status: u16, code: &str) {
    let (got_status, body) = got;
    assert_eq!(*got_status, status, "{body}");
    assert_eq!(body["status"], "error", "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(body["message"].is_string(), "{body}");
}

#[tokio::test]
async fn connection_and_paginated_list() {
    let sb = TestServer::start(8).await;
    let (_, state) = send(sb.client.get(format!("{}/__sandbox/state", sb.root))).await;
    let pf = &state["prefactor"];
    assert_eq!(pf["base_url"], format!("{}/prefactor", sb.root));
    assert_eq!(pf["account_id"], ACCOUNT_ID);
    assert_eq!(pf["token"], admin(&sb));
    assert_eq!(admin(&sb).split('.').count(), 3, "JWT-shaped");

    let admin = admin(&sb);
    let (status, first) = send(req(&sb, Method::GET, &url(&sb, ""), &admin)).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["status"], "success");
    assert_eq!(
        first["pagination"],
        json!({
            "page_offset": 0,
            "page_size": 25,
            "page_count": 2,
            "item_count": 33,
            "item_start": 1,
            "item_end": 25,
            "previous_page_offset": null,
            "next_page_offset": 25,
        })
    );
    let summaries = first["summaries"].as_array().unwrap();
    assert_eq!(summaries.len(), 25);
    assert_eq!(summaries[0]["id"], ADMIN_TOKEN_ID);
    assert!(summaries.iter().all(|s| s["account_id"] == ACCOUNT_ID));
    assert!(summaries.iter().all(|s| s.get("token").is_none()));
    let statuses: Vec<&str> = summaries
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    for status in ["active", "suspended", "revoked"] {
        assert!(statuses.contains(&status), "{status}");
    }
    assert!(summaries.iter().any(|s| s["token_scope"] == "environment"));

    let page2 = url(
        &sb,
        "?pagination%5Boffset%5D=25&pagination%5Bpage_size%5D=25",
    );
    let (status, second) = send(req(&sb, Method::GET, &page2, &admin)).await;
    assert_eq!(status, 200);
    assert_eq!(second["summaries"].as_array().unwrap().len(), 8);
    assert!(second["pagination"]["next_page_offset"].is_null());

    let small = url(&sb, "?pagination[offset]=30&pagination[page_size]=2");
    let (_, body) = send(req(&sb, Method::GET, &small, &admin)).await;
    assert_eq!(body["pagination"]["next_page_offset"], 32);
    assert_eq!(body["summaries"].as_array().unwrap().len(), 2);
    let filtered = url(&sb, &format!("?account_id={ACCOUNT_ID}"));
    let (status, body) = send(req(&sb, Method::GET, &filtered, &admin)).await;
    assert_eq!(status, 200);
    assert_eq!(body["pagination"]["item_count"], 33);

    let too_big = url(&sb, "?pagination[page_size]=101");
    assert_error(
        &send(req(&sb, Method::GET, &too_big, &admin)).await,
        400,
        "bad_request",
    );
    let not_number = url(&sb, "?pagination[offset]=x");
    assert_error(
        &send(req(&sb, Method::GET, &not_number, &admin)).await,
        400,
        "bad_request",
    );
    let foreign = url(&sb, &format!("?account_id={OTHER_ACCOUNT_ID}"));
    assert_error(
        &send(req(&sb, Method::GET, &foreign, &admin)).await,
        403,
        "not_permitted",
    );
}

#[tokio::test]
async fn create_and_get() {
    let sb = TestServer::start(8).await;
    let admin = admin(&sb);
    let body = json!({ "details": {
        "token_scope": "environment",
        "account_id": ACCOUNT_ID,
        "environment_id": ENVIRONMENT_ID,
        "expires_at": "2099-01-01T00:00:00Z",
    }});
    let (status, created) = send(req(&sb, Method::POST, &url(&sb, ""), &admin).json(&body)).await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["status"], "success");
    let jwt = created["token"].as_str().unwrap();
    assert!(
        jwt.starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."),
        "{jwt}"
    );
    let details = &created["details"];
    let id = details["id"].as_str().unwrap().to_owned();
    assert!(super::valid_id(&id));
    assert_eq!(details["type"], "api_token");
    assert_eq!(details["token_scope"], "environment");
    assert_eq!(details["environment_id"], ENVIRONMENT_ID);
    assert_eq!(details["status"], "active");
    assert_eq!(details["expires_at"], "2099-01-01T00:00:00Z");
    assert_eq!(details["created_by_admin_user_id"], super::ADMIN_USER_ID);
    assert!(details["last_used_at"].is_null());
    assert!(details["inserted_at"].is_string());
    assert_eq!(
        details["available_actions"],
        json!({ "activate": false, "delete": false, "revoke": true, "suspend": true })
    );

    let (status, got) = send(req(&sb, Method::GET, &url(&sb, &format!("/{id}")), &admin)).await;
    assert_eq!(status, 200);
    assert_eq!(got, json!({ "status": "success", "details": details }));

    // The bare ApiToken_DetailsForCreate works too; account and expiry
    // default.
    let bare = json!({ "token_scope": "account" });
    let (status, created) = send(req(&sb, Method::POST, &url(&sb, ""), &admin).json(&bare)).await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["details"]["account_id"], ACCOUNT_ID);
    assert!(created["details"]["environment_id"].is_null());
    assert!(created["details"]["expires_at"].is_string());
    // The new token authenticates.
    let secret = created["token"].as_str().unwrap();
    assert_eq!(
        send(req(&sb, Method::GET, &url(&sb, ""), secret)).await.0,
        200
    );
}

#[tokio::test]
async fn validation_errors() {
    let sb = TestServer::start(8).await;
    let admin = admin(&sb);
    let post = |details: Value| {
        req(&sb, Method::POST, &url(&sb, ""), &admin).json(&json!({ "details": details }))
    };
    let got = send(post(json!({ "token_scope": "environment" }))).await;
    assert_error(&got, 422, "validation_errors");
    assert!(
        got.1["errors"]["environment_id"][0].is_string(),
        "{}",
        got.1
    );

    let got = send(post(
        json!({ "token_scope": "account", "account_id": "013xrzp12g3nqk8n0000000000000000" }),
    ))
    .await;
    assert_error(&got, 422, "validation_errors");
    assert_eq!(got.1["errors"]["account_id"], json!(["does not exist"]));

    let got = send(post(
        json!({ "token_scope": "galaxy", "expires_at": "2001-01-01T00:00:00Z" }),
    ))
    .await;
    assert_error(&got, 422, "validation_errors");
    assert!(got.1["errors"]["token_scope"][0].is_string());
    assert!(got.1["errors"]["expires_at"][0].is_string());

    let got = send(post(json!({ "token_scope": "environment", "environment_id": "013xrzp12g3nqk8nj9t4f6a2rkm1zv8d" }))).await;
    assert_error(&got, 422, "validation_errors");

    let got = send(post(
        json!({ "token_scope": "account", "account_id": OTHER_ACCOUNT_ID }),
    ))
    .await;
    assert_error(&got, 403, "not_permitted");

    let not_json = req(&sb, Method::POST, &url(&sb, ""), &admin)
        .header("content-type", "application/json")
        .body("{nope");
    assert_error(&send(not_json).await, 400, "bad_request");
}

#[tokio::test]
async fn lifecycle() {
    let sb = TestServer::start(8).await;
    let admin = admin(&sb);
    let (id, secret) = pick(&sb, |t| {
        t.status == Status::Active
            && t.token_scope == Scope::Account
            && t.expires_at > jiff::Timestamp::now()
    });
    let act = |action: &str| {
        req(
            &sb,
            Method::POST,
            &url(&sb, &format!("/{id}/{action}")),
            &admin,
        )
        .json(&json!({}))
    };
    let one = url(&sb, &format!("/{id}"));
    assert_eq!(
        send(req(&sb, Method::GET, &url(&sb, ""), &secret)).await.0,
        200
    );

    assert_error(&send(act("activate")).await, 422, "invalid_action");
    assert_error(
        &send(req(&sb, Method::DELETE, &one, &admin)).await,
        422,
        "invalid_action",
    );

    let (status, body) = send(act("suspend")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["details"]["status"], "suspended");
    assert_eq!(
        body["details"]["available_actions"],
        json!({ "activate": true, "delete": false, "revoke": true, "suspend": false })
    );
    assert_error(
        &send(req(&sb, Method::GET, &url(&sb, ""), &secret)).await,
        401,
        "not_authenticated",
    );
    assert_error(&send(act("suspend")).await, 422, "invalid_action");

    let (status, body) = send(act("activate")).await;
    assert_eq!(
        (status, &body["details"]["status"]),
        (200, &json!("active"))
    );
    assert_eq!(
        send(req(&sb, Method::GET, &url(&sb, ""), &secret)).await.0,
        200
    );

    let (status, body) = send(act("revoke")).await;
    assert_eq!(
        (status, &body["details"]["status"]),
        (200, &json!("revoked"))
    );
    assert_eq!(
        body["details"]["available_actions"],
        json!({ "activate": false, "delete": true, "revoke": false, "suspend": false })
    );
    assert_error(
        &send(req(&sb, Method::GET, &url(&sb, ""), &secret)).await,
        401,
        "not_authenticated",
    );
    for action in ["suspend", "activate", "revoke"] {
        let got = send(act(action)).await;
        assert_error(&got, 422, "invalid_action");
        assert!(got.1["message"].as_str().unwrap().contains("revoked"));
    }

    let (status, body) = send(req(&sb, Method::DELETE, &one, &admin)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["details"]["id"], id.as_str());
    assert_error(
        &send(req(&sb, Method::GET, &one, &admin)).await,
        404,
        "not_found",
    );
    assert_error(
        &send(req(&sb, Method::DELETE, &one, &admin)).await,
        404,
        "not_found",
    );

    // Revoke works from suspended too.
    let (other, _) = pick(&sb, |t| t.status == Status::Suspended);
    let revoke = url(&sb, &format!("/{other}/revoke"));
    let (status, body) = send(req(&sb, Method::POST, &revoke, &admin).json(&json!({}))).await;
    assert_eq!(
        (status, &body["details"]["status"]),
        (200, &json!("revoked"))
    );
}

#[tokio::test]
async fn auth_and_not_found() {
    let sb = TestServer::start(8).await;
    let list = url(&sb, "");
    assert_error(&send(sb.client.get(&list)).await, 401, "not_authenticated");
    assert_error(
        &send(req(&sb, Method::GET, &list, "eyJ.nope.x")).await,
        401,
        "not_authenticated",
    );
    let basic = sb.client.get(&list).basic_auth("u", Some("p"));
    assert_error(&send(basic).await, 401, "not_authenticated");
    let (_, revoked) = pick(&sb, |t| t.status == Status::Revoked);
    assert_error(
        &send(req(&sb, Method::GET, &list, &revoked)).await,
        401,
        "not_authenticated",
    );
    let now = jiff::Timestamp::now();
    let (_, expired) = pick(&sb, |t| t.status == Status::Active && t.expires_at < now);
    assert_error(
        &send(req(&sb, Method::GET, &list, &expired)).await,
        401,
        "not_authenticated",
    );
    let (_, env) = pick(&sb, |t| {
        t.status == Status::Active && t.token_scope == Scope::Environment && t.expires_at > now
    });
    assert_error(
        &send(req(&sb, Method::GET, &list, &env)).await,
        403,
        "not_permitted",
    );

    let admin = admin(&sb);
    let state = sb.app.snapshot();
    let foreign = state
        .prefactor
        .tokens
        .iter()
        .find(|t| t.account_id == OTHER_ACCOUNT_ID)
        .unwrap();
    let foreign_url = url(&sb, &format!("/{}", foreign.id));
    assert_error(
        &send(req(&sb, Method::GET, &foreign_url, &admin)).await,
        404,
        "not_found",
    );
    assert_error(
        &send(req(&sb, Method::GET, &url(&sb, "/NOT-AN-ID"), &admin)).await,
        404,
        "not_found",
    );
    let nowhere = format!("{}/prefactor/api/v2/whatever", sb.root);
    assert_error(
        &send(req(&sb, Method::GET, &nowhere, &admin)).await,
        404,
        "not_found",
    );
    assert_error(
        &send(req(&sb, Method::PUT, &list, &admin)).await,
        405,
        "method_not_allowed",
    );

    // Faults answer in Prefactor's shape.
    let fault = json!({ "path_prefix": "/prefactor/", "status": 503, "times": 1 });
    let added = sb
        .client
        .post(format!("{}/__sandbox/faults", sb.root))
        .json(&fault);
    assert_eq!(added.send().await.unwrap().status(), 201);
    assert_error(
        &send(req(&sb, Method::GET, &list, &admin)).await,
        503,
        "internal_error",
    );
    assert_eq!(send(req(&sb, Method::GET, &list, &admin)).await.0, 200);
}

#[test]
fn states_saved_before_prefactor_still_load() {
    let state = crate::SandboxState::seeded(&crate::SeedOptions::default());
    assert_eq!(state.prefactor.tokens.len(), 41);
    assert!(
        state
            .prefactor
            .tokens
            .iter()
            .all(|t| super::valid_id(&t.id))
    );
    let mut json = serde_json::to_value(&state).unwrap();
    json.as_object_mut().unwrap().remove("prefactor").unwrap();
    let back: crate::SandboxState = serde_json::from_value(json).unwrap();
    assert!(back.prefactor.tokens.is_empty());
    assert_eq!(back.connections("http://x")["prefactor"].token, "");
}
