//! The project token endpoints over HTTP.

#![allow(clippy::unwrap_used)]

use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};

use super::model::MILLIS_THRESHOLD;
use super::seed::token_id;
use super::{CONNECTION_TOKEN_NAME, DEFAULT_PROJECT_ID, MosquittoState, SECOND_PROJECT_ID, now_ms};
use crate::testing::{TestServer, send};
use crate::{RequestRecord, SandboxState, SeedOptions};

fn tokens_url(sb: &TestServer, project: &str, rest: &str) -> String {
    format!("{}/mosquitto/api/projects/{project}/tokens{rest}", sb.root)
}

fn secret_of(sb: &TestServer, name: &str) -> String {
    let state = sb.app.snapshot().mosquitto;
    state.token_by_name(name).unwrap().token.expose().to_owned()
}

fn root(sb: &TestServer) -> String {
    sb.app.snapshot().connections(&sb.root)["mosquitto"]
        .token
        .clone()
}

fn req(sb: &TestServer, method: Method, url: &str) -> RequestBuilder {
    sb.req(method, url, &root(sb))
}

#[track_caller]
fn assert_mq_error(got: &(u16, Value), status: u16, code: &str) {
    let (got_status, body) = got;
    assert_eq!(*got_status, status, "{body}");
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(
        body.get("info").is_none_or(Value::is_object),
        "info is an object when present: {body}"
    );
    assert_eq!(
        body.as_object().unwrap().len(),
        3 + usize::from(body.get("info").is_some())
    );
}

fn create_body(name: &str) -> Value {
    let in_a_year = (now_ms() / 1000 + 365 * 86_400).to_string();
    json!({
        "name": name,
        "role": "editor",
        "brokers": ["broker-eu-1"],
        "type": "restricted",
        "valid_date": in_a_year,
    })
}

#[tokio::test]
async fn connection_and_list() {
    let sb = TestServer::start(8).await;
    let connection = &sb.app.snapshot().connections(&sb.root)["mosquitto"];
    assert_eq!(connection.base_url, format!("{}/mosquitto", sb.root));
    assert_eq!(connection.account_id, "");
    assert_eq!(connection.project_id.as_deref(), Some(DEFAULT_PROJECT_ID));
    assert!(connection.email.is_none() && connection.api_key.is_none());
    assert_eq!(connection.token, secret_of(&sb, CONNECTION_TOKEN_NAME));

    let (status, body) = send(req(
        &sb,
        Method::GET,
        &tokens_url(&sb, DEFAULT_PROJECT_ID, ""),
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    let tokens = body.as_array().unwrap();
    assert_eq!(tokens.len(), 15);
    let keys = [
        "id",
        "project_id",
        "role_id",
        "issuer",
        "name",
        "hash",
        "issue_date",
        "valid_date",
        "last_used_date",
        "brokers",
        "type",
    ];
    for token in tokens {
        assert!(token.get("token").is_none(), "no secret in a list: {token}");
        assert_eq!(token["project_id"], DEFAULT_PROJECT_ID);
        let object = token.as_object().unwrap();
        assert!(object.keys().all(|k| keys.contains(&k.as_str())), "{token}");
        assert!(token["issue_date"].is_i64() && token["valid_date"].is_i64());
        assert_eq!(token["hash"].as_str().unwrap().len(), 64);
    }
    let root = tokens
        .iter()
        .find(|t| t["name"] == CONNECTION_TOKEN_NAME)
        .unwrap();
    assert_eq!(root["role_id"], "root");
    assert_eq!(root["type"], "unrestricted");
    assert_eq!(
        root["id"],
        token_id(DEFAULT_PROJECT_ID, CONNECTION_TOKEN_NAME)
    );
    let restricted = tokens
        .iter()
        .find(|t| t["name"] == "eu-fleet-editor")
        .unwrap();
    assert_eq!(restricted["type"], "restricted");
    assert_eq!(restricted["brokers"], json!(["broker-eu-1"]));
    for role in ["admin", "editor", "viewer", "root"] {
        assert!(tokens.iter().any(|t| t["role_id"] == role), "{role}");
    }
    assert!(tokens.iter().any(|t| t.get("last_used_date").is_none()));

    let (status, body) = send(sb.req(
        Method::GET,
        &tokens_url(&sb, SECOND_PROJECT_ID, ""),
        &secret_of(&sb, "staging-admin"),
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn dates_come_in_both_units() {
    let sb = TestServer::start(8).await;
    let (_, body) = send(req(
        &sb,
        Method::GET,
        &tokens_url(&sb, DEFAULT_PROJECT_ID, ""),
    ))
    .await;
    let tokens = body.as_array().unwrap();
    let date = |name: &str, field: &str| {
        let token = tokens.iter().find(|t| t["name"] == name).unwrap();
        token[field].as_i64().unwrap()
    };
    let now = now_ms();
    // Position 0: issue and last use in milliseconds, validity in seconds.
    let issued = date(CONNECTION_TOKEN_NAME, "issue_date");
    let valid = date(CONNECTION_TOKEN_NAME, "valid_date");
    assert!(issued >= MILLIS_THRESHOLD && issued < now, "{issued}");
    assert!(valid < MILLIS_THRESHOLD && valid * 1000 > now, "{valid}");
    assert!(date(CONNECTION_TOKEN_NAME, "last_used_date") >= MILLIS_THRESHOLD);
    // Position 1 (platform-admin): all in seconds; 2 (ci-deploy): all in milliseconds.
    for field in ["issue_date", "valid_date", "last_used_date"] {
        assert!(date("platform-admin", field) < MILLIS_THRESHOLD, "{field}");
        assert!(date("ci-deploy", field) >= MILLIS_THRESHOLD, "{field}");
    }
    // Expired tokens, in either unit, are listed.
    let legacy = date("legacy-integration", "valid_date");
    assert!(legacy < MILLIS_THRESHOLD && legacy * 1000 < now);
    let old = date("old-admin-2023", "valid_date");
    assert!(old >= MILLIS_THRESHOLD && old < now);
    let staging = date("staging-viewer-eu", "valid_date");
    assert!(staging < MILLIS_THRESHOLD && staging * 1000 < now);
}

#[tokio::test]
async fn create_shows_the_secret_once_and_it_works() {
    let sb = TestServer::start(8).await;
    let url = tokens_url(&sb, DEFAULT_PROJECT_ID, "");
    let (status, created) =
        send(req(&sb, Method::POST, &url).json(&create_body("eu-sensor"))).await;
    assert_eq!(status, 200, "{created}");
    let secret = created["token"].as_str().unwrap().to_owned();
    assert!(!secret.is_empty());
    assert_eq!(created["name"], "eu-sensor");
    assert_eq!(created["role_id"], "editor");
    assert_eq!(created["type"], "restricted");
    assert_eq!(created["brokers"], json!(["broker-eu-1"]));
    assert_eq!(created["project_id"], DEFAULT_PROJECT_ID);
    assert_eq!(created["issuer"], "admin@acme.example");
    assert!(created["issue_date"].as_i64().unwrap() >= MILLIS_THRESHOLD);
    assert!(
        created["valid_date"].as_i64().unwrap() < MILLIS_THRESHOLD,
        "kept as sent"
    );
    assert!(created.get("last_used_date").is_none());

    let (_, listed) = send(req(&sb, Method::GET, &url)).await;
    let found = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == created["id"])
        .unwrap();
    assert!(found.get("token").is_none());
    assert_eq!(listed.as_array().unwrap().len(), 16);

    // An editor may list, not create; its use is recorded in milliseconds.
    let (status, _) = send(sb.req(Method::GET, &url, &secret)).await;
    assert_eq!(status, 200);
    let got = send(sb.req(Method::POST, &url, &secret).json(&create_body("x"))).await;
    assert_mq_error(&got, 403, "NOT_ALLOWED");
    let (_, listed) = send(req(&sb, Method::GET, &url)).await;
    let found = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == created["id"])
        .unwrap();
    assert!(found["last_used_date"].as_i64().unwrap() >= MILLIS_THRESHOLD);

    // An RFC 3339 or plain date becomes milliseconds.
    let mut body = create_body("dated");
    body["valid_date"] = json!("2999-01-01T00:00:00Z");
    body["type"] = json!("unrestricted");
    body["brokers"] = json!([]);
    body["role"] = json!("admin");
    let (status, created) = send(req(&sb, Method::POST, &url).json(&body)).await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["valid_date"], 32_472_144_000_000_i64);
    assert_eq!(created["brokers"], json!([]));
    body["valid_date"] = json!("2999-01-01");
    let (_, created) = send(req(&sb, Method::POST, &url).json(&body)).await;
    assert_eq!(created["valid_date"], 32_472_144_000_000_i64);
}

#[tokio::test]
async fn create_validation() {
    let sb = TestServer::start(8).await;
    let url = tokens_url(&sb, DEFAULT_PROJECT_ID, "");
    let mut admin_restricted = create_body("bad");
    admin_restricted["role"] = json!("admin");
    let got = send(req(&sb, Method::POST, &url).json(&admin_restricted)).await;
    assert_mq_error(&got, 403, "NOT_ALLOWED");
    assert!(got.1["message"].as_str().unwrap().contains("admin"));

    let past = (now_ms() / 1000 - 60).to_string();
    let cases: Vec<(&str, Value)> = vec![
        ("name", json!("")),
        ("role", json!("root")),
        ("type", json!("limited")),
        ("brokers", json!([])),
        ("brokers", json!("broker-eu-1")),
        ("valid_date", json!(past)),
        ("valid_date", json!("soon")),
        ("valid_date", json!(4_102_444_800_i64)),
        ("valid_date", Value::Null),
    ];
    for (field, value) in cases {
        let mut body = create_body("bad");
        body[field] = value.clone();
        let got = send(req(&sb, Method::POST, &url).json(&body)).await;
        assert_mq_error(&got, 400, "BAD_REQUEST");
        assert_eq!(got.1["info"]["field"], field, "{field} = {value}");
    }
    let got = send(
        req(&sb, Method::POST, &url)
            .header("content-type", "application/json")
            .body("{not json"),
    )
    .await;
    assert_mq_error(&got, 400, "BAD_REQUEST");
    let (_, listed) = send(req(&sb, Method::GET, &url)).await;
    assert_eq!(listed.as_array().unwrap().len(), 15, "nothing was created");
}

#[tokio::test]
async fn delete_returns_true_then_404() {
    let sb = TestServer::start(8).await;
    let id = token_id(DEFAULT_PROJECT_ID, "monitoring-viewer");
    let url = tokens_url(&sb, DEFAULT_PROJECT_ID, &format!("/{id}"));
    let (status, body) = send(req(&sb, Method::DELETE, &url)).await;
    assert_eq!((status, body), (200, json!(true)));
    let got = send(req(&sb, Method::DELETE, &url)).await;
    assert_mq_error(&got, 404, "NOT_FOUND");
    assert_eq!(got.1["info"]["tokenId"], id);
    assert!(
        sb.app
            .snapshot()
            .mosquitto
            .token_by_name("monitoring-viewer")
            .is_none()
    );

    let root_id = token_id(DEFAULT_PROJECT_ID, CONNECTION_TOKEN_NAME);
    let root_url = tokens_url(&sb, DEFAULT_PROJECT_ID, &format!("/{root_id}"));
    assert_mq_error(
        &send(req(&sb, Method::DELETE, &root_url)).await,
        403,
        "NOT_ALLOWED",
    );
    let viewer = secret_of(&sb, "support-readonly");
    let other = tokens_url(
        &sb,
        DEFAULT_PROJECT_ID,
        &format!("/{}", token_id(DEFAULT_PROJECT_ID, "ci-deploy")),
    );
    assert_mq_error(
        &send(sb.req(Method::DELETE, &other, &viewer)).await,
        403,
        "NOT_ALLOWED",
    );
}

#[tokio::test]
async fn errors_have_the_platform_shape() {
    let sb = TestServer::start(8).await;
    let url = tokens_url(&sb, DEFAULT_PROJECT_ID, "");
    let got = send(sb.client.get(&url)).await;
    assert_mq_error(&got, 401, "UNAUTHORIZED");
    assert_mq_error(
        &send(sb.req(Method::GET, &url, "nope")).await,
        401,
        "UNAUTHORIZED",
    );
    let expired = secret_of(&sb, "legacy-integration");
    assert_mq_error(
        &send(sb.req(Method::GET, &url, &expired)).await,
        401,
        "UNAUTHORIZED",
    );

    let missing = tokens_url(&sb, "00000000-0000-4000-8000-000000000000", "");
    let got = send(req(&sb, Method::GET, &missing)).await;
    assert_mq_error(&got, 404, "NOT_FOUND");
    assert_eq!(
        got.1["info"]["projectId"],
        "00000000-0000-4000-8000-000000000000"
    );
    let got = send(req(&sb, Method::POST, &missing).json(&create_body("x"))).await;
    assert_mq_error(&got, 404, "NOT_FOUND");
    let got = send(req(
        &sb,
        Method::DELETE,
        &format!("{}/{}", missing.trim_end_matches('/'), "abc"),
    ))
    .await;
    assert_mq_error(&got, 404, "NOT_FOUND");

    let foreign = tokens_url(&sb, SECOND_PROJECT_ID, "");
    assert_mq_error(
        &send(req(&sb, Method::GET, &foreign)).await,
        403,
        "NOT_ALLOWED",
    );

    let no_route = format!(
        "{}/mosquitto/api/projects/{DEFAULT_PROJECT_ID}/nothing",
        sb.root
    );
    assert_mq_error(
        &send(req(&sb, Method::GET, &no_route)).await,
        404,
        "NOT_FOUND",
    );
    let one = tokens_url(&sb, DEFAULT_PROJECT_ID, "/some-id");
    assert_mq_error(&send(req(&sb, Method::GET, &one)).await, 404, "NOT_FOUND");
}

#[tokio::test]
async fn requests_are_logged_and_faulted() {
    let sb = TestServer::start(8).await;
    let fault = json!({ "path_prefix": "/mosquitto", "status": 500, "times": 1 });
    let response = sb
        .client
        .post(format!("{}/__sandbox/faults", sb.root))
        .json(&fault)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let url = tokens_url(&sb, DEFAULT_PROJECT_ID, "");
    assert_mq_error(
        &send(req(&sb, Method::GET, &url)).await,
        500,
        "INTERNAL_SERVER_ERROR",
    );
    let (status, _) = send(req(&sb, Method::GET, &url)).await;
    assert_eq!(status, 200);
    let log: Vec<RequestRecord> = sb
        .client
        .get(format!("{}/__sandbox/requests", sb.root))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let path = format!("/mosquitto/api/projects/{DEFAULT_PROJECT_ID}/tokens");
    let statuses: Vec<_> = log
        .iter()
        .filter(|r| r.path == path)
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [500, 200]);
}

#[test]
fn old_states_load_with_an_empty_platform() {
    let state = SandboxState::seeded(&SeedOptions {
        account_tokens: 8,
        ..SeedOptions::default()
    });
    let mut json = serde_json::to_value(&state).unwrap();
    json.as_object_mut().unwrap().remove("mosquitto").unwrap();
    let old: SandboxState = serde_json::from_value(json).unwrap();
    assert!(old.mosquitto.projects.is_empty());
    let connection = &old.connections("http://x")["mosquitto"];
    assert_eq!(connection.token, "");
    assert!(connection.project_id.is_none());

    let fresh = MosquittoState::seeded();
    let back: MosquittoState =
        serde_json::from_str(&serde_json::to_string(&fresh).unwrap()).unwrap();
    let secret = fresh.connection("http://x").token;
    assert_eq!(back.connection("http://x").token, secret);
    assert!(
        !format!("{fresh:?}").contains(&secret),
        "Debug never shows secrets"
    );
}
