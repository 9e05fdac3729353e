//! Every optional field of the Mosquitto models may come as `null` or not at all.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::vendors::arb;

fn token() -> Value {
    json!({
        "id": "t1", "project_id": "p1", "role_id": "viewer", "issuer": "admin@example.com",
        "name": "dashboards", "hash": "abc", "issue_date": 1_767_225_600,
        "valid_date": 1_798_761_600_000_u64, "last_used_date": 1_767_312_000,
        "brokers": ["broker-1"], "type": "restricted", "token": "secret",
    })
}

const TOKEN: &[&str] = &[
    "/project_id",
    "/role_id",
    "/issuer",
    "/name",
    "/hash",
    "/issue_date",
    "/valid_date",
    "/last_used_date",
    "/brokers",
    "/type",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn tokens_take_null_or_nothing_in_optional_fields(v in arb::nulls_and_gaps(token(), TOKEN)) {
        let t: MosquittoToken = serde_json::from_value(v.clone()).map_err(|e| TestCaseError::fail(format!("{e}: {v}")))?;
        for d in [t.issue_date, t.valid_date, t.last_used_date].into_iter().flatten() {
            let _ = unix_time(d);
        }
        prop_assert!(serde_json::from_value::<MosquittoTokenIssued>(v).is_ok());
    }
}
