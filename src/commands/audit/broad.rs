//! What makes a token's scope broad (`broad-scope`): the one table of broad resources and
//! permission groups. README.md ("Broad scope") shows the same table.

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
    why
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
