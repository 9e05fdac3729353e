//! The control routes: request log, faults, latency, connections.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use super::testing::{TestServer, assert_cf_error, send};
use super::{RequestRecord, SandboxState, SeedOptions};

async fn log(sb: &TestServer) -> Vec<RequestRecord> {
    let url = format!("{}/__sandbox/requests", sb.root);
    sb.client
        .get(url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn add_fault(sb: &TestServer, fault: Value) {
    let url = format!("{}/__sandbox/faults", sb.root);
    let response = sb.client.post(url).json(&fault).send().await.unwrap();
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn faults_fire_the_given_number_of_times() {
    let sb = TestServer::start(8).await;
    let admin = sb.admin();
    let list = sb.tokens_url("");
    add_fault(
        &sb,
        json!({ "method": "GET", "path_prefix": "/client/v4/accounts", "status": 429, "retry_after": 7, "times": 1 }),
    )
    .await;
    let response = sb.req(Method::GET, &list, &admin).send().await.unwrap();
    assert_eq!(response.headers()["retry-after"], "7");
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let got = (429, response.json::<Value>().await.unwrap());
    assert_cf_error(&got, 429, 971);
    let (status, _) = send(sb.req(Method::GET, &list, &admin)).await;
    assert_eq!(status, 200, "the fault was used up");

    add_fault(&sb, json!({ "status": 502, "body": "html", "times": 2 })).await;
    add_fault(&sb, json!({ "method": "POST", "status": 503, "times": 1 })).await;
    for _ in 0..2 {
        let response = sb.req(Method::GET, &list, &admin).send().await.unwrap();
        assert_eq!(response.status(), 502);
        assert!(response.headers().get("retry-after").is_none());
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(response.text().await.unwrap().contains("502 Bad Gateway"));
    }
    let (status, _) = send(sb.req(Method::GET, &list, &admin)).await;
    assert_eq!(status, 200);
    let pending: Vec<Value> = sb
        .client
        .get(format!("{}/__sandbox/faults", sb.root))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(pending.len(), 1, "the POST fault is still armed");
    let cleared = sb
        .client
        .delete(format!("{}/__sandbox/faults", sb.root))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), 204);
    let post = sb.req(Method::POST, &list, &admin).json(&json!({}));
    assert_cf_error(&send(post).await, 400, 1001);

    let bad = sb
        .client
        .post(format!("{}/__sandbox/faults", sb.root))
        .json(&json!({ "status": 42 }));
    assert_eq!(bad.send().await.unwrap().status(), 400);
}

#[tokio::test]
async fn requests_are_logged() {
    let sb = TestServer::start(8).await;
    let admin = sb.admin();
    add_fault(&sb, json!({ "status": 500, "times": 1 })).await;
    let _ = sb
        .req(Method::GET, &sb.tokens_url("?page=2"), &admin)
        .send()
        .await
        .unwrap();
    let _ = sb
        .req(Method::GET, &sb.tokens_url("?page=2"), &admin)
        .send()
        .await
        .unwrap();
    let _ = sb
        .client
        .get(format!("{}/elsewhere", sb.root))
        .send()
        .await
        .unwrap();
    let path = format!("/client/v4/accounts/{}/tokens", sb.account());
    let record = |status| RequestRecord {
        method: "GET".into(),
        path: path.clone(),
        query: Some("page=2".into()),
        status,
    };
    let expected = vec![
        record(500),
        record(200),
        RequestRecord {
            method: "GET".into(),
            path: "/elsewhere".into(),
            query: None,
            status: 404,
        },
    ];
    assert_eq!(log(&sb).await, expected, "control routes are not logged");
    let cleared = sb
        .client
        .delete(format!("{}/__sandbox/requests", sb.root))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), 204);
    assert!(log(&sb).await.is_empty());
}

#[tokio::test]
async fn latency_delays_vendor_requests_only() {
    let sb = TestServer::with_latency(8, Duration::from_millis(150)).await;
    let started = Instant::now();
    let (status, _) = send(sb.req(Method::GET, &sb.tokens_url("/verify"), &sb.admin())).await;
    assert_eq!(status, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
    let started = Instant::now();
    let _ = log(&sb).await;
    assert!(started.elapsed() < Duration::from_millis(150));
}

#[tokio::test]
async fn state_route_gives_connections() {
    let sb = TestServer::start(8).await;
    let (status, body) = send(sb.client.get(format!("{}/__sandbox/state", sb.root))).await;
    assert_eq!(status, 200);
    let cf = &body["cloudflare"];
    assert_eq!(cf["base_url"], format!("{}/client/v4", sb.root));
    assert_eq!(cf["account_id"], sb.account());
    assert_eq!(cf["token"], sb.admin());
    assert_eq!(cf["email"], "admin@acme.example");
    let key = cf["api_key"].as_str().unwrap();
    assert_eq!(key, sb.app.snapshot().cloudflare.global_api_key.expose());
    assert_eq!(key.len(), 37);
}

#[test]
fn connections_and_serialisation() {
    let state = SandboxState::seeded(&SeedOptions {
        account_tokens: 8,
        ..SeedOptions::default()
    });
    let connections = state.connections("http://127.0.0.1:9/");
    let cf = &connections["cloudflare"];
    assert_eq!(cf.base_url, "http://127.0.0.1:9/client/v4");
    let json = serde_json::to_string(&state).unwrap();
    let back: SandboxState = serde_json::from_str(&json).unwrap();
    assert_eq!(
        back.connections("http://x")["cloudflare"].token,
        state.connections("http://x")["cloudflare"].token
    );
    let debug = format!("{state:?}");
    assert!(!debug.contains(&cf.token), "Debug never shows secrets");
    assert!(!debug.contains(cf.api_key.as_deref().unwrap()));
    let service = &state.cloudflare.service_tokens[0];
    assert!(!debug.contains(service.client_secret.expose()));
    assert_eq!(
        back.cloudflare.service_tokens[0].client_secret,
        service.client_secret
    );
}
