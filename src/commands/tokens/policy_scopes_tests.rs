//! One policy per scope when a create mixes account-scoped and zone-scoped groups.

use serde_json::{Map, json};

use super::*;

fn group(name: &str, scopes: &[&str]) -> PermissionGroup {
    PermissionGroup {
        id: name.into(),
        name: name.into(),
        category: None,
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        extra: Map::new(),
    }
}

fn names(p: &Policy) -> Vec<&str> {
    p.permission_groups.iter().map(|g| g.id.as_str()).collect()
}

const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";

#[test]
fn account_and_zones_each_go_to_the_groups_they_fit() {
    let groups = [
        group("Workers Scripts Write", &[ACCOUNT_SCOPE]),
        group("DNS Write", &[ZONE_SCOPE]),
    ];
    let p = build_policies(&groups, &[Resource::Account, Resource::AllZones], "acct")
        .expect("policies");
    assert_eq!(p.len(), 2, "{p:?}");
    assert_eq!(names(&p[0]), ["Workers Scripts Write"]);
    assert_eq!(
        json!(p[0].resources),
        json!({ "com.cloudflare.api.account.acct": "*" })
    );
    assert_eq!(names(&p[1]), ["DNS Write"]);
    assert_eq!(
        json!(p[1].resources),
        json!({ "com.cloudflare.api.account.acct": { "com.cloudflare.api.account.zone.*": "*" } })
    );
}

#[test]
fn no_resource_replaces_another() {
    // A group of both scopes fits both resources, whose entries share the account's key.
    let both = [group(
        "Access: Apps and Policies Write",
        &[ACCOUNT_SCOPE, ZONE_SCOPE],
    )];
    let p =
        build_policies(&both, &[Resource::Account, Resource::AllZones], "acct").expect("policies");
    assert_eq!(p.len(), 2, "{p:?}");
    assert_eq!(p[0].resources["com.cloudflare.api.account.acct"], "*");
    assert!(p[1].resources["com.cloudflare.api.account.acct"].is_object());
    // One zone and all zones: flat and nested entries never share a map.
    let dns = [group("DNS Write", &[ZONE_SCOPE])];
    let zone = Resource::Zone(ZONE.into());
    let p =
        build_policies(&dns, &[zone.clone(), Resource::AllZones, zone], "acct").expect("policies");
    assert_eq!(p.len(), 2, "{p:?}");
    assert_eq!(p[0].resources.len(), 1, "the repeated zone once");
}

#[test]
fn a_resource_or_a_group_that_fits_nothing_is_a_usage_error() {
    let dns = [group("DNS Write", &[ZONE_SCOPE])];
    let e = build_policies(&dns, &[Resource::Account, Resource::AllZones], "acct")
        .expect_err("account fits no zone group");
    assert!(e.to_string().contains("--resource account"), "{e}");
    let mixed = [
        group("Workers Scripts Write", &[ACCOUNT_SCOPE]),
        group("DNS Write", &[ZONE_SCOPE]),
    ];
    let e = build_policies(&mixed, &[Resource::Account], "acct").expect_err("DNS Write has none");
    assert!(e.to_string().contains("DNS Write"), "{e}");
    // A raw key names its scope; a group without scopes is left to the API.
    let r2 = [group("R2 Read", &["com.cloudflare.edge.r2.bucket"])];
    let key = Resource::Key("com.cloudflare.edge.r2.bucket.acct_default_logs".into());
    assert_eq!(
        build_policies(&r2, std::slice::from_ref(&key), "acct")
            .expect("r2")
            .len(),
        1
    );
    assert!(build_policies(&dns, std::slice::from_ref(&key), "acct").is_err());
    assert!(build_policies(&[group("Unknown", &[])], &[key], "acct").is_ok());
}
