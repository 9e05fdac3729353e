//! Every optional field of every Cloudflare model may come as `null` or not at all.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::vendors::arb;
use crate::vendors::cloudflare::envelope::Envelope;

fn token() -> Value {
    json!({
        "id": "ed17574386854bf78a67040be0a770b0", "name": "ci", "status": "active",
        "issued_on": "2026-01-01T00:00:00Z", "modified_on": "2026-01-02T00:00:00Z",
        "last_used_on": "2026-01-03T00:00:00Z", "expires_on": "2027-01-01T00:00:00Z",
        "not_before": "2026-01-01T00:00:00Z",
        "policies": [{
            "id": "f267e341f3dd4697bd3b9f71dd96247f", "effect": "allow",
            "permission_groups": [{ "id": "c8fed203ed3043cba015a93ad1616f1f", "name": "Zone Read", "meta": {} }],
            "resources": { "com.cloudflare.api.account.zone.*": "*" },
        }],
        "condition": { "request_ip": { "in": ["10.0.0.0/8"], "not_in": ["10.0.0.1/32"] } },
        "value": "cfat_secret",
    })
}

const TOKEN: &[&str] = &[
    "/name",
    "/status",
    "/issued_on",
    "/modified_on",
    "/last_used_on",
    "/expires_on",
    "/not_before",
    "/policies/0/id",
    "/policies/0/effect",
    "/policies/0/permission_groups/0/name",
    "/policies/0/permission_groups/0/meta",
    "/policies/0/permission_groups",
    "/policies/0/resources",
    "/policies",
    "/condition/request_ip/in",
    "/condition/request_ip/not_in",
    "/condition/request_ip",
    "/condition",
];

fn service_token() -> Value {
    json!({
        "id": "f174e90a-fafe-4643-bbbc-4a0ed4fc8415", "name": "ci", "client_id": "abc.access",
        "duration": "8760h", "enabled": true, "expires_at": "2027-01-01T00:00:00Z",
        "last_seen_at": "2026-01-03T00:00:00Z", "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-02T00:00:00Z", "client_secret": "s3cret",
    })
}

const SERVICE_TOKEN: &[&str] = &[
    "/name",
    "/client_id",
    "/duration",
    "/enabled",
    "/expires_at",
    "/last_seen_at",
    "/created_at",
    "/updated_at",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn tokens_take_null_or_nothing_in_optional_fields(v in arb::nulls_and_gaps(token(), TOKEN)) {
        let t: Token = serde_json::from_value(v.clone()).map_err(|e| TestCaseError::fail(format!("{e}: {v}")))?;
        let _ = (t.permission_names(), t.resource_keys(), t.ip_summary());
        prop_assert!(serde_json::from_value::<TokenCreated>(v).is_ok());
    }

    #[test]
    fn service_tokens_take_null_or_nothing_in_optional_fields(v in arb::nulls_and_gaps(service_token(), SERVICE_TOKEN)) {
        prop_assert!(serde_json::from_value::<ServiceToken>(v.clone()).is_ok(), "{}", v);
        prop_assert!(serde_json::from_value::<ServiceTokenIssued>(v.clone()).is_ok(), "{}", v);
    }

    #[test]
    fn other_models_take_null_or_nothing(
        group in arb::nulls_and_gaps(json!({ "id": "c8fed203ed3043cba015a93ad1616f1f", "name": "Zone Read", "category": "dns_and_zones", "scopes": ["com.cloudflare.api.account.zone"] }), &["/name", "/category", "/scopes"]),
        verified in arb::nulls_and_gaps(json!({ "id": "ed17574386854bf78a67040be0a770b0", "status": "active", "expires_on": "2027-01-01T00:00:00Z", "not_before": "2026-01-01T00:00:00Z" }), &["/status", "/expires_on", "/not_before"]),
        envelope in arb::nulls_and_gaps(json!({ "success": true, "errors": [{ "code": 1, "message": "m", "error_chain": [{ "code": 2, "message": "c" }] }], "messages": [], "result": [], "result_info": { "per_page": 20, "total_count": 1 } }), &["/errors/0/error_chain/0/code", "/errors/0/error_chain/0/message", "/errors/0/error_chain", "/errors/0/code", "/errors/0/message", "/errors", "/messages", "/result", "/result_info/per_page", "/result_info/total_count", "/result_info", "/success"]),
    ) {
        prop_assert!(serde_json::from_value::<PermissionGroup>(group.clone()).is_ok(), "{}", group);
        prop_assert!(serde_json::from_value::<Verified>(verified.clone()).is_ok(), "{}", verified);
        prop_assert!(serde_json::from_value::<Envelope<Vec<Token>>>(envelope.clone()).is_ok(), "{}", envelope);
    }
}
