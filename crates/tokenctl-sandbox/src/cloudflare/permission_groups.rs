//! The permission-group catalogue account-owned tokens can draw from, and
//! `GET /accounts/{account_id}/tokens/permission_groups`.
//!
//! Identifiers are stable: those Cloudflare's schema shows in its examples
//! are used as given, the rest are derived from the group name.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::Response;
use serde::Serialize;

use super::auth::{Access, Caller, authorize};
use super::envelope::{CfError, ok};
use super::ids::stable_hex32;
use crate::{AppState, lock};

pub const SCOPE_ACCOUNT: &str = "com.cloudflare.api.account";
pub const SCOPE_ZONE: &str = "com.cloudflare.api.account.zone";
pub const SCOPE_R2_BUCKET: &str = "com.cloudflare.edge.r2.bucket";

pub const API_TOKENS_READ: &str = "Account API Tokens Read";
pub const API_TOKENS_WRITE: &str = "Account API Tokens Write";
pub const SERVICE_TOKENS_READ: &str = "Access: Service Tokens Read";
pub const SERVICE_TOKENS_WRITE: &str = "Access: Service Tokens Write";

/// One entry of the catalogue, in the shape the endpoint returns.
#[derive(Debug, Clone, Serialize)]
pub struct PermissionGroup {
    pub id: String,
    pub name: &'static str,
    pub category: &'static str,
    pub scopes: Vec<&'static str>,
}

const A: &[&str] = &[SCOPE_ACCOUNT];
const Z: &[&str] = &[SCOPE_ZONE];
const AZ: &[&str] = &[SCOPE_ACCOUNT, SCOPE_ZONE];
const R2: &[&str] = &[SCOPE_R2_BUCKET];

/// (name, category, scopes, id as published by Cloudflare if known)
type Entry = (
    &'static str,
    &'static str,
    &'static [&'static str],
    Option<&'static str>,
);

#[rustfmt::skip]
const ENTRIES: &[Entry] = &[
    (API_TOKENS_READ, "account_and_billing", A, None),
    (API_TOKENS_WRITE, "account_and_billing", A, None),
    ("Account Settings Read", "account_and_billing", A, None),
    ("Account Settings Write", "account_and_billing", A, None),
    ("Billing Read", "account_and_billing", A, Some("7cf72faf220841aabcfdfab81c43c4f6")),
    ("Billing Write", "account_and_billing", A, None),
    ("Memberships Read", "account_and_billing", A, None),
    (SERVICE_TOKENS_READ, "cloudflare_one_and_zero_trust", A, None),
    (SERVICE_TOKENS_WRITE, "cloudflare_one_and_zero_trust", A, None),
    ("Access: Apps and Policies Read", "cloudflare_one_and_zero_trust", AZ, None),
    ("Access: Apps and Policies Write", "cloudflare_one_and_zero_trust", AZ, None),
    ("Zero Trust Read", "cloudflare_one_and_zero_trust", A, None),
    ("Zero Trust Write", "cloudflare_one_and_zero_trust", A, None),
    ("Cloudflare Tunnel Read", "cloudflare_one_and_zero_trust", A, None),
    ("Cloudflare Tunnel Write", "cloudflare_one_and_zero_trust", A, None),
    ("Zone Read", "dns_and_zones", Z, Some("c8fed203ed3043cba015a93ad1616f1f")),
    ("Zone Write", "dns_and_zones", Z, Some("e6d2666161e84845a636613608cee8d5")),
    ("DNS Read", "dns_and_zones", Z, None),
    ("DNS Write", "dns_and_zones", Z, Some("4755a26eedb94da69e1066d98aa820be")),
    ("Zone Settings Read", "dns_and_zones", Z, None),
    ("Zone Settings Write", "dns_and_zones", Z, None),
    ("SSL and Certificates Read", "dns_and_zones", Z, None),
    ("SSL and Certificates Write", "dns_and_zones", Z, None),
    ("Workers Scripts Read", "developer_platform", A, Some("1a71c399035b4950a1bd1466bbe4f420")),
    ("Workers Scripts Write", "developer_platform", A, Some("e086da7e2179491d91ee5f35b3ca210a")),
    ("Workers KV Storage Read", "developer_platform", A, Some("8b47d2786a534c08a1f94ee8f9f599ef")),
    ("Workers KV Storage Write", "developer_platform", A, Some("f7f0eda5697f475c90846e879bab8666")),
    ("Workers Routes Write", "developer_platform", Z, None),
    ("Pages Read", "developer_platform", A, None),
    ("Pages Write", "developer_platform", A, None),
    ("D1 Read", "developer_platform", A, None),
    ("D1 Write", "developer_platform", A, None),
    ("R2 Storage Read", "developer_platform", A, None),
    ("R2 Storage Write", "developer_platform", A, None),
    ("Workers R2 Storage Bucket Item Read", "developer_platform", R2, None),
    ("Workers R2 Storage Bucket Item Write", "developer_platform", R2, None),
    ("Queues Write", "developer_platform", A, None),
    ("Workers AI Read", "ai_and_machine_learning", A, None),
    ("Workers AI Write", "ai_and_machine_learning", A, None),
    ("AI Gateway Read", "ai_and_machine_learning", A, None),
    ("AI Gateway Write", "ai_and_machine_learning", A, None),
    ("Firewall Services Read", "app_security", Z, None),
    ("Firewall Services Write", "app_security", Z, None),
    ("Bot Management Read", "app_security", Z, None),
    ("Page Shield Read", "app_security", Z, None),
    ("Page Rules Read", "rules_and_configuration", Z, None),
    ("Page Rules Write", "rules_and_configuration", Z, None),
    ("Transform Rules Write", "rules_and_configuration", Z, None),
    ("Config Settings Write", "rules_and_configuration", Z, None),
    ("Cache Purge", "cache_and_performance", Z, None),
    ("Cache Settings Write", "cache_and_performance", Z, None),
    ("Logs Read", "analytics_and_logs", AZ, None),
    ("Logs Write", "analytics_and_logs", AZ, None),
    ("Account Analytics Read", "analytics_and_logs", A, None),
    ("Analytics Read", "analytics_and_logs", Z, None),
    ("Load Balancers Read", "network_services", Z, None),
    ("Load Balancers Write", "network_services", Z, None),
    ("Load Balancing: Monitors and Pools Read", "network_services", A, Some("9d24387c6e8544e2bc4024a03991339f")),
    ("Load Balancing: Monitors and Pools Write", "network_services", A, Some("d2a1802cc9a34e30852f8b33869b2f3c")),
    ("Magic Transit Read", "network_services", A, None),
    ("Stream Read", "media", A, None),
    ("Stream Write", "media", A, None),
    ("Images Read", "media", A, None),
    ("Images Write", "media", A, None),
    ("Email Routing Rules Read", "email_and_messaging", Z, None),
    ("Email Routing Rules Write", "email_and_messaging", Z, None),
    ("Email Routing Addresses Write", "email_and_messaging", A, None),
    ("Intel Read", "other", A, None),
    ("Notifications Read", "other", A, None),
];

static CATALOGUE: LazyLock<Vec<PermissionGroup>> = LazyLock::new(|| {
    ENTRIES
        .iter()
        .map(|&(name, category, scopes, id)| PermissionGroup {
            id: id.map_or_else(
                || stable_hex32(&format!("permission-group:{name}")),
                str::to_owned,
            ),
            name,
            category,
            scopes: scopes.to_vec(),
        })
        .collect()
});

/// Every permission group, in catalogue order.
pub fn catalogue() -> &'static [PermissionGroup] {
    &CATALOGUE
}

/// The group with this id.
pub fn find(id: &str) -> Option<&'static PermissionGroup> {
    CATALOGUE.iter().find(|g| g.id == id)
}

/// The group with exactly this name.
pub fn by_name(name: &str) -> Option<&'static PermissionGroup> {
    CATALOGUE.iter().find(|g| g.name == name)
}

/// The id of a group the sandbox itself relies on.
pub fn id_of(name: &str) -> &'static str {
    by_name(name).map_or("", |g| g.id.as_str())
}

/// `GET /accounts/{account_id}/tokens/permission_groups?name=&scope=`
pub(super) async fn list(
    State(app): State<AppState>,
    caller: Caller,
    uri: Uri,
    Path(account_id): Path<String>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, CfError> {
    let mut state = lock(&app.state);
    authorize(
        &mut state.cloudflare,
        &caller,
        &uri,
        &account_id,
        Access::Read,
    )?;
    let Query(query) = query.map_err(|e| CfError::invalid(e.body_text()))?;
    let name = query.get("name").map(|n| n.to_lowercase());
    let scope = query.get("scope");
    let groups: Vec<&PermissionGroup> = catalogue()
        .iter()
        .filter(|g| {
            name.as_ref()
                .is_none_or(|n| g.name.to_lowercase().contains(n))
        })
        .filter(|g| scope.is_none_or(|s| g.scopes.iter().any(|x| x == s)))
        .collect();
    Ok(ok(groups))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn catalogue_is_consistent() {
        let groups = catalogue();
        assert!(groups.len() >= 50);
        let ids: HashSet<_> = groups.iter().map(|g| g.id.as_str()).collect();
        let names: HashSet<_> = groups.iter().map(|g| g.name).collect();
        assert_eq!(ids.len(), groups.len());
        assert_eq!(names.len(), groups.len());
        for g in groups {
            assert_eq!(g.id.len(), 32);
            assert!(g.id.bytes().all(|b| b.is_ascii_hexdigit()));
            assert!(!g.scopes.is_empty());
        }
        assert_eq!(id_of("Zone Read"), "c8fed203ed3043cba015a93ad1616f1f");
        assert_eq!(id_of(API_TOKENS_WRITE).len(), 32);
        assert_eq!(id_of(SERVICE_TOKENS_READ).len(), 32);
        assert_eq!(id_of(SERVICE_TOKENS_WRITE).len(), 32);
    }
}
