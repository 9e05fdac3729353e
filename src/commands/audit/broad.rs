//! What makes a token's scope broad (`broad-scope`): the one table of broad resources and
//! permission groups, and any Write group granted on a whole account (not on zones). README.md
//! ("Broad scope") shows the same table.

use crate::kinds::Grant;

/// Resource keys that reach further than one account or one zone.
pub const BROAD_RESOURCES: [(&str, &str); 2] = [
    ("com.cloudflare.api.account.*", "all accounts"),
    ("com.cloudflare.api.account.zone.*", "all zones"),
];

/// Permission groups that can make or widen credentials, add people, or spend money.
pub const BROAD_GROUPS: [(&str, &str); 6] = [
    ("Account API Tokens Write", "can create and edit tokens"),
    ("API Tokens Write", "can create and edit tokens"),
    ("Account Settings Write", "can change members and settings"),
    ("Memberships Write", "can change members"),
    ("Billing Write", "can change billing"),
    ("Access: Service Tokens Write", "can create service tokens"),
];

/// Why `grants` are broad, one short phrase each (deduplicated, in table order); empty when
/// they are not.
pub fn broad(grants: &[Grant]) -> Vec<String> {
    let mut why = Vec::new();
    for (key, what) in BROAD_RESOURCES {
        if grants.iter().any(|g| g.resources.iter().any(|r| r == key)) {
            why.push(what.to_owned());
        }
    }
    for (group, what) in BROAD_GROUPS {
        if grants.iter().any(|g| g.groups.iter().any(|n| n == group)) {
            why.push(format!("{group} ({what})"));
        }
    }
    for g in grants.iter().filter(|g| account_wide(g)) {
        for group in g.groups.iter().filter(|n| n.ends_with(" Write")) {
            let said = format!("{group} on a whole account");
            let named = BROAD_GROUPS.iter().any(|(b, _)| b == group);
            if !named && !why.contains(&said) {
                why.push(said);
            }
        }
    }
    why
}

/// Whether a grant is on whole accounts: an account resource with no zone under it.
fn account_wide(g: &Grant) -> bool {
    const ACCOUNT: &str = "com.cloudflare.api.account.";
    let zone = |r: &String| r.starts_with("com.cloudflare.api.account.zone.");
    g.resources
        .iter()
        .any(|r| r.starts_with(ACCOUNT) && !zone(r))
        && !g.resources.iter().any(zone)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(groups: &[&str], resources: &[&str]) -> Grant {
        Grant {
            groups: groups.iter().map(|s| (*s).to_owned()).collect(),
            resources: resources.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn account_wide_write_is_broad_and_zone_write_is_not() {
        let account = grant(
            &["Workers Scripts Write", "Workers Scripts Read"],
            &["com.cloudflare.api.account.1"],
        );
        assert_eq!(
            broad(&[account]),
            ["Workers Scripts Write on a whole account"]
        );
        let zone = grant(
            &["DNS Write"],
            &[
                "com.cloudflare.api.account.1",
                "com.cloudflare.api.account.zone.abc",
            ],
        );
        assert!(broad(&[zone]).is_empty());
    }

    #[test]
    fn narrow_grants_are_not_broad() {
        let g = grant(&["DNS Write"], &["com.cloudflare.api.account.zone.abc"]);
        assert!(broad(&[g]).is_empty());
    }

    #[test]
    fn all_zones_and_token_writers_are_broad() {
        let g = [
            grant(
                &["DNS Read"],
                &[
                    "com.cloudflare.api.account.1",
                    "com.cloudflare.api.account.zone.*",
                ],
            ),
            grant(
                &["Account API Tokens Write"],
                &["com.cloudflare.api.account.1"],
            ),
        ];
        assert_eq!(
            broad(&g),
            [
                "all zones",
                "Account API Tokens Write (can create and edit tokens)"
            ]
        );
    }
}
