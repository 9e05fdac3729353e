//! Authentication, authorisation, identifiers, the permission-group
//! catalogue and the seed's shape.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use reqwest::Method;
use serde_json::{Value, json};

use super::permission_groups::{API_TOKENS_READ, API_TOKENS_WRITE, id_of};
use super::{
    ACCOUNT_ID, ADMIN_TOKEN_NAME, CloudflareState, READONLY_TOKEN_NAME, SHARED_TOKEN_NAME,
    TokenStatus, now,
};
use crate::SeedOptions;
use crate::testing::{TestServer, assert_cf_error, send};

fn token_body(name: &str, groups: &[&str]) -> Value {
    // Zone-scoped groups are granted on zones (all of the account's), the others on the account.
    let zone_only = groups.iter().all(|g| {
        super::permission_groups::by_name(g)
            .is_some_and(|g| g.scopes == [super::permission_groups::SCOPE_ZONE])
    });
    let account = format!("com.cloudflare.api.account.{ACCOUNT_ID}");
    let resources = if zone_only {
        json!({ account: { "com.cloudflare.api.account.zone.*": "*" } })
    } else {
        json!({ account: "*" })
    };
    let groups: Vec<_> = groups.iter().map(|g| json!({ "id": id_of(g) })).collect();
    json!({
        "name": name,
        "policies": [{
            "effect": "allow",
            "permission_groups": groups,
            "resources": resources,
        }],
    })
}

/// Creates a token with the admin token and returns (id, secret).
async fn create(sb: &TestServer, body: &Value) -> (String, String) {
    let (status, created) = send(
        sb.req(Method::POST, &sb.tokens_url(""), &sb.admin())
            .json(body),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let result = &created["result"];
    (
        result["id"].as_str().unwrap().to_owned(),
        result["value"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn credentials_are_checked() {
    let sb = TestServer::start(8).await;
    let list = sb.tokens_url("");
    assert_cf_error(&send(sb.client.get(&list)).await, 400, 9106);
    let basic = sb.client.get(&list).header("authorization", "Basic abc");
    let got = send(basic).await;
    assert_cf_error(&got, 400, 6003);
    assert_eq!(got.1["errors"][0]["error_chain"][0]["code"], 6111);
    assert_cf_error(
        &send(sb.req(Method::GET, &list, "cfat_nope")).await,
        401,
        1000,
    );
    assert_cf_error(
        &send(sb.req(Method::GET, &sb.tokens_url("/verify"), "cfat_nope")).await,
        401,
        1000,
    );

    let (status, verified) =
        send(sb.req(Method::GET, &sb.tokens_url("/verify"), &sb.admin())).await;
    assert_eq!(status, 200);
    assert_eq!(verified["result"]["status"], "active");
    assert!(verified["result"].get("expires_on").is_none());
    assert_eq!(
        verified["messages"][0]["message"],
        "This API Token is valid and active"
    );
}

#[tokio::test]
async fn permissions_are_enforced() {
    let sb = TestServer::start(8).await;
    let reader = sb.secret_of(READONLY_TOKEN_NAME);
    let (status, _) = send(sb.req(Method::GET, &sb.tokens_url(""), &reader)).await;
    assert_eq!(status, 200);
    let shared_id = sb
        .app
        .snapshot()
        .cloudflare
        .token_by_name(SHARED_TOKEN_NAME)
        .unwrap()
        .id
        .clone();
    let (status, _) = send(sb.req(
        Method::GET,
        &sb.tokens_url(&format!("/{shared_id}")),
        &reader,
    ))
    .await;
    assert_eq!(status, 200);
    let post = sb
        .req(Method::POST, &sb.tokens_url(""), &reader)
        .json(&token_body("x", &["DNS Read"]));
    assert_cf_error(&send(post).await, 403, 9109);
    let roll = sb
        .req(
            Method::PUT,
            &sb.tokens_url(&format!("/{shared_id}/value")),
            &reader,
        )
        .json(&json!({}));
    assert_cf_error(&send(roll).await, 403, 9109);
    let delete = sb.req(
        Method::DELETE,
        &sb.tokens_url(&format!("/{shared_id}")),
        &reader,
    );
    assert_cf_error(&send(delete).await, 403, 9109);

    // Other permission groups grant nothing here, and deny beats allow.
    let (_, dns) = create(&sb, &token_body("dns-only", &["DNS Write"])).await;
    assert_cf_error(
        &send(sb.req(Method::GET, &sb.tokens_url(""), &dns)).await,
        403,
        9109,
    );
    let (status, _) = send(sb.req(Method::GET, &sb.tokens_url("/verify"), &dns)).await;
    assert_eq!(status, 200, "verify needs no permission");
    let mut denied = token_body("denied", &[API_TOKENS_WRITE]);
    let mut deny = denied["policies"][0].clone();
    deny["effect"] = json!("deny");
    deny["permission_groups"] = json!([{ "id": id_of(API_TOKENS_WRITE) }]);
    denied["policies"].as_array_mut().unwrap().push(deny);
    let (_, denied) = create(&sb, &denied).await;
    assert_cf_error(
        &send(sb.req(Method::GET, &sb.tokens_url(""), &denied)).await,
        403,
        9109,
    );
    // The account wildcard covers the account.
    let mut wildcard = token_body("wildcard", &[API_TOKENS_READ]);
    wildcard["policies"][0]["resources"] = json!({ "com.cloudflare.api.account.*": "*" });
    let (_, wildcard) = create(&sb, &wildcard).await;
    let (status, _) = send(sb.req(Method::GET, &sb.tokens_url(""), &wildcard)).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn account_ids_are_checked() {
    let sb = TestServer::start(8).await;
    let admin = sb.admin();
    let short = format!("{}/client/v4/accounts/abc123/tokens", sb.root);
    let got = send(sb.req(Method::GET, &short, &admin)).await;
    assert_cf_error(&got, 400, 7003);
    let message = got.1["errors"][0]["message"].as_str().unwrap();
    assert_eq!(
        message,
        "Could not route to /client/v4/accounts/abc123/tokens, perhaps your object identifier is invalid?"
    );
    let foreign = format!("{}/client/v4/accounts/{}/tokens", sb.root, "0".repeat(32));
    assert_cf_error(
        &send(sb.req(Method::GET, &foreign, &admin)).await,
        403,
        9109,
    );
    let foreign_verify = format!("{foreign}/verify");
    assert_cf_error(
        &send(sb.req(Method::GET, &foreign_verify, &admin)).await,
        403,
        9109,
    );

    let unknown = format!("{}/client/v4/accounts/{ACCOUNT_ID}/nothing", sb.root);
    assert_cf_error(
        &send(sb.req(Method::GET, &unknown, &admin)).await,
        400,
        7000,
    );
    let wrong_method = sb.req(Method::PATCH, &sb.tokens_url(""), &admin);
    assert_cf_error(&send(wrong_method).await, 405, 7001);
}

#[tokio::test]
async fn token_state_gates_use() {
    let sb = TestServer::start(8).await;
    let admin = sb.admin();
    let list = sb.tokens_url("");
    let verify = sb.tokens_url("/verify");

    // Disabled: unusable, but verify reports it.
    let body = token_body("soon-disabled", &[API_TOKENS_READ]);
    let (id, secret) = create(&sb, &body).await;
    let mut disabled = body.clone();
    disabled["status"] = json!("disabled");
    let (status, _) = send(
        sb.req(Method::PUT, &sb.tokens_url(&format!("/{id}")), &admin)
            .json(&disabled),
    )
    .await;
    assert_eq!(status, 200);
    assert_cf_error(&send(sb.req(Method::GET, &list, &secret)).await, 401, 1000);
    let (status, verified) = send(sb.req(Method::GET, &verify, &secret)).await;
    assert_eq!(status, 200);
    assert_eq!(verified["result"]["status"], "disabled");

    // Not valid yet.
    let mut later = token_body("later", &[API_TOKENS_READ]);
    later["not_before"] = json!("2998-01-01T00:00:00Z");
    later["expires_on"] = json!("2999-01-01T00:00:00Z");
    let (_, secret) = create(&sb, &later).await;
    assert_cf_error(&send(sb.req(Method::GET, &list, &secret)).await, 401, 1000);
    let (_, verified) = send(sb.req(Method::GET, &verify, &secret)).await;
    assert_eq!(verified["result"]["not_before"], "2998-01-01T00:00:00Z");
    assert_eq!(verified["result"]["expires_on"], "2999-01-01T00:00:00Z");

    // IP conditions: the caller is 127.0.0.1.
    let mut elsewhere = token_body("elsewhere", &[API_TOKENS_READ]);
    elsewhere["condition"] = json!({ "request_ip": { "in": ["203.0.113.0/24"] } });
    let (_, secret) = create(&sb, &elsewhere).await;
    let got = send(sb.req(Method::GET, &list, &secret)).await;
    assert_cf_error(&got, 403, 9109);
    assert!(
        got.1["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("127.0.0.1")
    );
    let mut excluded = token_body("excluded", &[API_TOKENS_READ]);
    excluded["condition"] = json!({ "request_ip": { "not_in": ["127.0.0.1/32"] } });
    let (_, secret) = create(&sb, &excluded).await;
    assert_cf_error(&send(sb.req(Method::GET, &list, &secret)).await, 403, 9109);
    let mut here = token_body("here", &[API_TOKENS_READ]);
    here["condition"] =
        json!({ "request_ip": { "in": ["127.0.0.0/8"], "not_in": ["10.0.0.0/8"] } });
    let (here_id, secret) = create(&sb, &here).await;
    let (status, _) = send(sb.req(Method::GET, &list, &secret)).await;
    assert_eq!(status, 200);

    // Use is recorded.
    let state = sb.app.snapshot().cloudflare;
    let used = &state.tokens[state.find(&here_id).unwrap()];
    assert!(used.last_used_on.is_some());
}

#[tokio::test]
async fn permission_groups_filter() {
    let sb = TestServer::start(8).await;
    let reader = sb.secret_of(READONLY_TOKEN_NAME);
    let (status, all) =
        send(sb.req(Method::GET, &sb.tokens_url("/permission_groups"), &reader)).await;
    assert_eq!(status, 200, "{all}");
    let all = all["result"].as_array().unwrap().clone();
    assert!(all.len() >= 50);
    assert!(
        all.iter()
            .all(|g| g["category"].is_string() && g["scopes"].is_array())
    );

    let url = sb.tokens_url("/permission_groups");
    let query = sb
        .req(Method::GET, &url, &reader)
        .query(&[("name", "account api tokens")]);
    let (_, found) = send(query).await;
    let names: Vec<_> = found["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].clone())
        .collect();
    assert_eq!(
        names,
        [json!(API_TOKENS_READ), json!("Account API Tokens Write")]
    );
    assert_eq!(found["result"][0]["id"], id_of(API_TOKENS_READ));

    let query = sb.req(Method::GET, &url, &reader).query(&[
        ("scope", "com.cloudflare.api.account.zone"),
        ("name", "DNS"),
    ]);
    let (_, found) = send(query).await;
    let names: Vec<_> = found["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].clone())
        .collect();
    assert_eq!(names, [json!("DNS Read"), json!("DNS Write")]);

    let encoded = format!("{url}?name=Account%20Settings%20Read");
    let (_, found) = send(sb.req(Method::GET, &encoded, &reader)).await;
    assert_eq!(found["result"].as_array().unwrap().len(), 1);
}

#[test]
fn seed_has_a_realistic_mix() {
    for count in [0, 64, 500] {
        let state = CloudflareState::seeded(&SeedOptions {
            account_tokens: count,
            ..SeedOptions::default()
        });
        assert_eq!(state.tokens.len(), count.max(4));
        assert_eq!(state.account_id, ACCOUNT_ID);
        assert_eq!(state.account_id.len(), 32);
        let admin = &state.tokens[state.find(&state.admin_token_id).unwrap()];
        assert_eq!(admin.name, ADMIN_TOKEN_NAME);
        assert!(admin.usable(now()) && admin.expires_on.is_none());
        assert!(state.token_by_name(READONLY_TOKEN_NAME).is_some());
        let mut names: HashMap<&str, usize> = HashMap::new();
        for t in &state.tokens {
            *names.entry(t.name.as_str()).or_default() += 1;
            assert_eq!(t.id.len(), 32);
            assert!(t.issued_on <= t.modified_on);
            assert!(t.last_used_on.is_none_or(|at| at >= t.issued_on));
        }
        assert_eq!(names[SHARED_TOKEN_NAME], 2);
        assert!(
            names
                .iter()
                .all(|(n, c)| *c == 1 || *n == SHARED_TOKEN_NAME)
        );
    }
    let state = CloudflareState::seeded(&SeedOptions::default());
    let again = CloudflareState::seeded(&SeedOptions::default());
    let ids = |s: &CloudflareState| s.tokens.iter().map(|t| t.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&state), ids(&again), "deterministic ids");
    let now = now();
    let day = jiff::SignedDuration::from_hours(24);
    let count =
        |f: &dyn Fn(&super::StoredToken) -> bool| state.tokens.iter().filter(|t| f(t)).count();
    assert!(count(&|t| t.status(now) == TokenStatus::Disabled) >= 3);
    assert!(count(&|t| t.status(now) == TokenStatus::Expired) >= 3);
    assert!(
        count(&|t| t
            .expires_on
            .is_some_and(|at| at < now && at > now - day * 30))
            >= 2
    );
    assert!(
        count(&|t| t
            .expires_on
            .is_some_and(|at| at > now && at < now + day * 7))
            >= 3
    );
    assert!(count(&|t| t.expires_on.is_none()) >= 20);
    assert!(count(&|t| t.not_before.is_some_and(|at| at > now)) >= 2);
    assert!(count(&|t| t.condition.request_ip.is_some()) >= 3);
    assert!(count(&|t| t.last_used_on.is_none()) >= 5);
    assert!(count(&|t| t.policies.len() > 1) >= 5);
    assert!(count(&|t| t.value.expose().starts_with("cfat_")) > 32);
}
