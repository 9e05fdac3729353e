//! The control routes: request log, faults, latency, connections.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use super::testing::{TestServer, assert_cf_error, send};
use super::{FaultKind, RequestRecord, SandboxState, SeedOptions};

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
async fn a_fault_lets_its_first_after_requests_pass() {
    let sb = TestServer::start(8).await;
    let admin = sb.admin();
    let list = sb.tokens_url("");
    add_fault(
        &sb,
        json!({ "method": "GET", "path_prefix": "/client/v4/accounts", "status": 503, "after": 2 }),
    )
    .await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(send(sb.req(Method::GET, &list, &admin)).await.0);
    }
    assert_eq!(statuses, [200, 200, 503, 200]);
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
        fault: (status == 500).then_some(FaultKind::Status),
    };
    let expected = vec![
        record(500),
        record(200),
        RequestRecord {
            method: "GET".into(),
            path: "/elsewhere".into(),
            query: None,
            status: 404,
            fault: None,
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

/// Sends a raw HTTP/1.1 request and returns everything the server wrote
/// before closing the connection.
async fn raw_exchange(sb: &TestServer, method: &str, path: &str) -> Vec<u8> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = sb.root.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {}\r\n\
         Content-Length: 0\r\n\r\n",
        sb.admin()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut got = Vec::new();
    // A reset may end the read with an error; what arrived before counts.
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut got)).await;
    got
}

fn has_token(sb: &TestServer, id: &str) -> bool {
    sb.app
        .snapshot()
        .cloudflare
        .tokens
        .iter()
        .any(|t| t.id == id)
}

fn fault_kinds(records: &[RequestRecord]) -> Vec<Option<FaultKind>> {
    records.iter().map(|r| r.fault).collect()
}

#[tokio::test]
async fn reset_before_drops_the_connection_and_changes_nothing() {
    let sb = TestServer::start(8).await;
    let target = sb.app.snapshot().cloudflare.tokens[3].clone();
    add_fault(
        &sb,
        json!({ "kind": "reset_before", "method": "DELETE", "times": 1 }),
    )
    .await;
    let path = format!("/client/v4/accounts/{}/tokens/{}", sb.account(), target.id);
    let got = raw_exchange(&sb, "DELETE", &path).await;
    assert!(
        got.is_empty(),
        "nothing answered: {:?}",
        String::from_utf8_lossy(&got)
    );
    assert!(has_token(&sb, &target.id), "nothing was deleted");
    let records = log(&sb).await;
    assert_eq!(fault_kinds(&records), [Some(FaultKind::ResetBefore)]);
    assert_eq!(records[0].status, 0);
    let url = format!("{}{path}", sb.root);
    let (status, _) = send(sb.req(Method::DELETE, &url, &sb.admin())).await;
    assert_eq!(status, 200, "the fault was used up");
}

#[tokio::test]
async fn reset_after_processes_then_drops_the_connection() {
    let sb = TestServer::start(8).await;
    let target = sb.app.snapshot().cloudflare.tokens[3].clone();
    add_fault(&sb, json!({ "kind": "reset_after", "method": "DELETE" })).await;
    let url = sb.tokens_url(&format!("/{}", target.id));
    let err = sb
        .req(Method::DELETE, &url, &sb.admin())
        .send()
        .await
        .unwrap_err();
    assert!(!err.is_connect(), "{err:?}");
    assert!(!has_token(&sb, &target.id), "the delete happened");
    let records = log(&sb).await;
    assert_eq!(fault_kinds(&records), [Some(FaultKind::ResetAfter)]);
    assert_eq!(records[0].status, 200, "the handler's status is logged");
}

#[tokio::test]
async fn truncated_sends_headers_and_part_of_the_body() {
    let sb = TestServer::start(8).await;
    add_fault(&sb, json!({ "kind": "truncated", "method": "GET" })).await;
    let path = format!("/client/v4/accounts/{}/tokens", sb.account());
    let got = String::from_utf8_lossy(&raw_exchange(&sb, "GET", &path).await).into_owned();
    let (head, body) = got.split_once("\r\n\r\n").expect("headers arrived");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let announced: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(str::to_owned)
        })
        .expect("content-length")
        .trim()
        .parse()
        .unwrap();
    assert!(
        !body.is_empty() && body.len() < announced,
        "{} of {announced}",
        body.len()
    );
    assert!(serde_json::from_str::<Value>(body).is_err());

    add_fault(&sb, json!({ "kind": "truncated", "method": "GET" })).await;
    let response = sb
        .req(Method::GET, &sb.tokens_url(""), &sb.admin())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.bytes().await.is_err(), "reqwest sees the cut");
    let records = log(&sb).await;
    assert_eq!(
        fault_kinds(&records),
        [Some(FaultKind::Truncated), Some(FaultKind::Truncated)]
    );
}

#[tokio::test]
async fn invalid_json_and_slow_answers() {
    let sb = TestServer::start(8).await;
    let target = sb.app.snapshot().cloudflare.tokens[3].clone();
    add_fault(&sb, json!({ "kind": "invalid_json", "method": "DELETE" })).await;
    let url = sb.tokens_url(&format!("/{}", target.id));
    let response = sb
        .req(Method::DELETE, &url, &sb.admin())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&body).is_err(), "{body}");
    assert!(!has_token(&sb, &target.id), "the delete happened");

    add_fault(
        &sb,
        json!({ "kind": "slow", "method": "GET", "delay_ms": 300 }),
    )
    .await;
    let started = Instant::now();
    let (status, _) = send(sb.req(Method::GET, &sb.tokens_url("/verify"), &sb.admin())).await;
    assert_eq!(status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let records = log(&sb).await;
    assert_eq!(
        fault_kinds(&records),
        [Some(FaultKind::InvalidJson), Some(FaultKind::Slow)]
    );
}

#[tokio::test]
async fn a_rate_hits_a_repeatable_share_of_requests() {
    async fn pattern(seed: u64) -> Vec<u16> {
        let sb = TestServer::start(8).await;
        add_fault(
            &sb,
            json!({ "status": 503, "rate": 0.3, "seed": seed, "times": 1000 }),
        )
        .await;
        let mut statuses = Vec::new();
        for _ in 0..40 {
            let response = sb
                .req(Method::GET, &sb.tokens_url("/verify"), &sb.admin())
                .send()
                .await
                .unwrap();
            statuses.push(response.status().as_u16());
        }
        let records = log(&sb).await;
        let faulted = records.iter().filter(|r| r.fault.is_some()).count();
        assert_eq!(faulted, statuses.iter().filter(|s| **s == 503).count());
        statuses
    }
    let first = pattern(7).await;
    assert_eq!(first, pattern(7).await, "same seed, same hits");
    let hits = first.iter().filter(|s| **s == 503).count();
    assert!((4..=20).contains(&hits), "{hits} of 40 at rate 0.3");
    assert_ne!(first, pattern(8).await, "another seed, other hits");

    let sb = TestServer::start(8).await;
    let bad = sb
        .client
        .post(format!("{}/__sandbox/faults", sb.root))
        .json(&json!({ "status": 503, "rate": 1.5 }));
    assert_eq!(bad.send().await.unwrap().status(), 400);
    let no_status = sb
        .client
        .post(format!("{}/__sandbox/faults", sb.root))
        .json(&json!({ "kind": "reset_after" }));
    assert_eq!(no_status.send().await.unwrap().status(), 201);
}
