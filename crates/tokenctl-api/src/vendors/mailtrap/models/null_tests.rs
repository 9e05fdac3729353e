//! Every optional field of the Mailtrap models may come as `null` or not at all.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::vendors::arb;

fn token() -> Value {
    json!({
        "id": 2498715, "name": "ci-sender", "last_4_digits": "f00d",
        "created_by": "ops@example.com", "expires_at": "2027-08-01T00:00:00Z",
        "resources": [{"resource_type": "account", "resource_id": 3229, "access_level": 100}],
        "token": "secret",
    })
}

const TOKEN: &[&str] = &[
    "/name",
    "/last_4_digits",
    "/created_by",
    "/expires_at",
    "/resources",
    "/resources/0/resource_type",
    "/resources/0/resource_id",
    "/resources/0/access_level",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn tokens_take_null_or_nothing_in_optional_fields(v in arb::nulls_and_gaps(token(), TOKEN)) {
        let t: MailtrapToken = serde_json::from_value(v.clone()).map_err(|e| TestCaseError::fail(format!("{e}: {v}")))?;
        prop_assert_eq!(t.id, 2498715);
        prop_assert!(serde_json::to_value(&t).is_ok());
        prop_assert!(serde_json::from_value::<MailtrapTokenIssued>(v).is_ok());
    }
}
