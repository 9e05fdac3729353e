//! Which resources a permission group can be granted on: account-scoped groups take the
//! account (`com.cloudflare.api.account.ID`), zone-scoped groups take zones
//! (`com.cloudflare.api.account.zone.ID`, or all of an account's zones nested under the
//! account's key), R2 bucket groups take buckets. A policy holds groups of one scope, so a
//! create that mixes account and zone groups needs one policy per scope.

use serde_json::{Map, Value};

use super::envelope::CfError;
use super::model::PermissionGroupRef;
use super::permission_groups;

/// The scope of a resource key: the key less its last part.
fn scope_of(key: &str) -> &str {
    key.rsplit_once('.').map_or("", |(scope, _)| scope)
}

/// The resources a policy's map grants, flattened: a nested account entry grants its inner
/// keys.
fn granted(resources: &Map<String, Value>) -> Vec<&str> {
    resources
        .iter()
        .flat_map(|(key, value)| match value {
            Value::Object(inner) => inner.keys().map(String::as_str).collect::<Vec<_>>(),
            _ => vec![key.as_str()],
        })
        .collect()
}

/// Refuses a policy granting a group on a resource outside the group's scopes.
pub fn check(
    ptr: &str,
    groups: &[PermissionGroupRef],
    resources: &Map<String, Value>,
) -> Result<(), CfError> {
    for group in groups {
        let Some(known) = permission_groups::find(&group.id) else {
            continue;
        };
        for key in granted(resources) {
            if !known.scopes.contains(&scope_of(key)) {
                return Err(CfError::invalid_at(
                    &format!("{ptr}/resources"),
                    format!(
                        "Permission group {} ({}) does not apply to resource {key}",
                        known.name,
                        known.scopes.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use reqwest::Method;
    use serde_json::json;

    use super::super::ACCOUNT_ID;
    use super::super::permission_groups::id_of;
    use crate::testing::{TestServer, send};

    #[tokio::test]
    async fn a_policy_grants_its_groups_only_on_resources_of_their_scope() {
        let sb = TestServer::start(8).await;
        let admin = sb.admin();
        let account = format!("com.cloudflare.api.account.{ACCOUNT_ID}");
        let all_zones = json!({ &account: { "com.cloudflare.api.account.zone.*": "*" } });
        let policy = |groups: &[&str], resources: &serde_json::Value| {
            json!({
                "effect": "allow",
                "permission_groups": groups.iter().map(|g| json!({ "id": id_of(g) })).collect::<Vec<_>>(),
                "resources": resources,
            })
        };
        let create = |policies: Vec<serde_json::Value>| {
            let body = json!({ "name": "scoped", "policies": policies });
            send(sb.req(Method::POST, &sb.tokens_url(""), &admin).json(&body))
        };
        // Mixed groups in one policy: the zone group does not apply to the account, nor the
        // account group to zones.
        for resources in [json!({ &account: "*" }), all_zones.clone()] {
            let got = create(vec![policy(
                &["Workers Scripts Write", "DNS Write"],
                &resources,
            )])
            .await;
            assert_eq!(got.0, 400, "{}", got.1);
            assert_eq!(got.1["success"], false);
            assert_eq!(
                got.1["errors"][0]["source"]["pointer"],
                "/policies/0/resources"
            );
        }
        // One policy per scope is taken; so is a group of both scopes on either.
        let got = create(vec![
            policy(&["Workers Scripts Write"], &json!({ &account: "*" })),
            policy(&["DNS Write"], &all_zones),
            policy(
                &["Access: Apps and Policies Write"],
                &json!({ &account: "*" }),
            ),
            policy(&["Access: Apps and Policies Write"], &all_zones),
        ])
        .await;
        assert_eq!(got.0, 200, "{}", got.1);
        assert_eq!(got.1["result"]["policies"].as_array().unwrap().len(), 4);
    }
}
