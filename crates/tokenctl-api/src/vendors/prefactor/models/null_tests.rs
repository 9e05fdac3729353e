//! Every optional field of the Prefactor models may come as `null` or not at all.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::vendors::arb;

fn token() -> Value {
    json!({
        "id": "013xrzp12g3nqk8n7f8f9jbg8d18q7tm", "token_scope": "agent_deployment",
        "status": "active", "account_id": "013xrzp12g3nqk8ngskn1wtxgka5b0nf",
        "environment_id": "013xrzp12g3nqk8nzxvq7jm2arsfg5h1",
        "agent_id": "013xrzp12g3nqk8nq2w5c8rt1mbv4zha",
        "agent_deployment_id": "013xrzp12g3nqk8nw7d3k9p2fsa6xe1c",
        "expires_at": "2027-01-01T00:00:00Z", "last_used_at": "2026-01-03T00:00:00Z",
        "inserted_at": "2026-01-01T00:00:00Z",
        "available_actions": { "suspend": true, "activate": false, "revoke": true, "delete": false },
        "created_by_admin_user_id": "013xrzp12g3nqk8nh0qrc2b1jfanmvb9",
    })
}

const TOKEN: &[&str] = &[
    "/token_scope",
    "/status",
    "/account_id",
    "/environment_id",
    "/agent_id",
    "/agent_deployment_id",
    "/expires_at",
    "/last_used_at",
    "/inserted_at",
    "/available_actions/suspend",
    "/available_actions",
    "/created_by_admin_user_id",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn tokens_take_null_or_nothing_in_optional_fields(v in arb::nulls_and_gaps(token(), TOKEN)) {
        let t: PrefactorToken = serde_json::from_value(v.clone()).map_err(|e| TestCaseError::fail(format!("{e}: {v}")))?;
        for a in [Action::Suspend, Action::Activate, Action::Revoke, Action::Delete] {
            let _ = t.can_take(a);
        }
        let _ = t.steps();
        let issued = json!({ "status": "success", "details": v, "token": "eyJ.e30.sig" });
        prop_assert!(serde_json::from_value::<PrefactorTokenIssued>(issued).is_ok());
    }
}
