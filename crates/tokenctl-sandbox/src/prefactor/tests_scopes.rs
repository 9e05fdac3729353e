//! The Prefactor emulator's scopes and list items, as the official CLI and the API reference
//! describe them.

#![allow(clippy::unwrap_used)]

use serde_json::{Value, json};

use super::{ACCOUNT_ID, AGENT_ID, ENVIRONMENT_ID};
use crate::testing::{TestServer, send};

fn url(sb: &TestServer, rest: &str) -> String {
    format!("{}/prefactor/api/v1/api_token{rest}", sb.root)
}

fn admin(sb: &TestServer) -> String {
    sb.app.snapshot().connections(&sb.root)["prefactor"]
        .token
        .clone()
}

async fn create(sb: &TestServer, details: Value) -> (u16, Value) {
    let req = sb
        .client
        .post(url(sb, ""))
        .bearer_auth(admin(sb))
        .json(&json!({ "details": details }));
    send(req).await
}

#[tokio::test]
async fn an_agent_deployment_token_names_its_agent_and_deployment() {
    let sb = TestServer::start(8).await;
    let (status, body) = create(
        &sb,
        json!({ "token_scope": "agent_deployment", "agent_id": AGENT_ID, "environment_id": ENVIRONMENT_ID }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let d = &body["details"];
    assert_eq!(d["token_scope"], "agent_deployment");
    assert_eq!(d["agent_id"], AGENT_ID);
    assert_eq!(d["environment_id"], ENVIRONMENT_ID);
    assert!(
        super::valid_id(d["agent_deployment_id"].as_str().unwrap()),
        "{d}"
    );
    // Every answer names both, null where they do not apply.
    let (_, body) = create(&sb, json!({ "token_scope": "account" })).await;
    let d = &body["details"];
    assert!(
        d["agent_id"].is_null() && d["agent_deployment_id"].is_null(),
        "{d}"
    );
    assert!(d.as_object().unwrap().contains_key("agent_deployment_id"));

    // The new token cannot manage tokens.
    let jwt = create(
        &sb,
        json!({ "token_scope": "agent_deployment", "agent_id": AGENT_ID, "environment_id": ENVIRONMENT_ID }),
    )
    .await
    .1["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = send(sb.client.get(url(&sb, "")).bearer_auth(jwt)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("not_permitted"))
    );
}

#[tokio::test]
async fn scope_combinations_are_validated() {
    let sb = TestServer::start(8).await;
    let other_env = "013xrzp12g3nqk8nj9t4f6a2rkm1zv8d"; // of the other account
    for (details, field) in [
        (
            json!({ "token_scope": "agent_deployment", "environment_id": ENVIRONMENT_ID }),
            "agent_id",
        ),
        (
            json!({ "token_scope": "agent_deployment", "agent_id": AGENT_ID }),
            "environment_id",
        ),
        (
            json!({ "token_scope": "agent_deployment", "agent_id": "013xrzp12g3nqk8n0000000000000000", "environment_id": ENVIRONMENT_ID }),
            "agent_id",
        ),
        (
            json!({ "token_scope": "agent_deployment", "agent_id": AGENT_ID, "environment_id": other_env }),
            "environment_id",
        ),
        (
            json!({ "token_scope": "account", "agent_id": AGENT_ID }),
            "agent_id",
        ),
        (
            json!({ "token_scope": "environment", "environment_id": ENVIRONMENT_ID, "agent_id": AGENT_ID }),
            "agent_id",
        ),
        (
            json!({ "token_scope": "account", "environment_id": ENVIRONMENT_ID }),
            "environment_id",
        ),
        (json!({ "token_scope": "environment" }), "environment_id"),
        (json!({ "token_scope": "agent" }), "token_scope"),
    ] {
        let (status, body) = create(&sb, details.clone()).await;
        assert_eq!(status, 422, "{details}: {body}");
        assert_eq!(body["code"], "validation_errors", "{body}");
        assert!(body["errors"][field][0].is_string(), "{details}: {body}");
    }
    // The legacy scope still works.
    let (status, body) = create(
        &sb,
        json!({ "token_scope": "environment", "environment_id": ENVIRONMENT_ID }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn list_items_carry_no_available_actions_but_single_tokens_do() {
    let sb = TestServer::start(8).await;
    let admin = admin(&sb);
    let (status, page) = send(sb.client.get(url(&sb, "")).bearer_auth(&admin)).await;
    assert_eq!(status, 200, "{page}");
    let items = page["summaries"].as_array().unwrap();
    assert!(
        items.iter().all(|t| t.get("available_actions").is_none()),
        "{page}"
    );
    assert!(items.iter().any(|t| t["token_scope"] == "agent_deployment"));
    assert!(items.iter().all(|t| t["account_id"] == ACCOUNT_ID));
    let id = items[1]["id"].as_str().unwrap();
    let (_, one) = send(
        sb.client
            .get(url(&sb, &format!("/{id}")))
            .bearer_auth(&admin),
    )
    .await;
    assert!(one["details"]["available_actions"].is_object(), "{one}");

    // The documented pagination fields, on the last page and past the end.
    let (_, last) = send(
        sb.client
            .get(url(&sb, "?pagination[offset]=30&pagination[page_size]=10"))
            .bearer_auth(&admin),
    )
    .await;
    assert_eq!(
        last["pagination"],
        json!({
            "page_offset": 30, "page_size": 10, "page_count": 4, "item_count": 33,
            "item_start": 31, "item_end": 33, "previous_page_offset": 20, "next_page_offset": null,
        })
    );
    let (_, past) = send(
        sb.client
            .get(url(&sb, "?pagination[offset]=40&pagination[page_size]=10"))
            .bearer_auth(&admin),
    )
    .await;
    assert_eq!(past["pagination"]["item_start"], 0);
    assert_eq!(past["pagination"]["item_end"], 40);
    assert_eq!(past["summaries"], json!([]));
}
