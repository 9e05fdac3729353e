//! Building token policies from flags: permission groups by name or ID, resources, IP
//! conditions, or a policy file.

use std::path::PathBuf;

use serde_json::{Map, Value, json};

use crate::error::CliError;
use crate::files::{describe_cap, read_capped};
use crate::vendors::cloudflare::{
    Cloudflare, IpCondition, PermissionGroup, PermissionGroupRef, Policy, looks_like_id,
};

const ACCOUNT_SCOPE: &str = "com.cloudflare.api.account";
const ZONE_SCOPE: &str = "com.cloudflare.api.account.zone";

/// A `--resource` value.
#[derive(Clone, Debug, PartialEq)]
pub enum Resource {
    /// The profile's account.
    Account,
    /// Every zone of the profile's account.
    AllZones,
    Zone(String),
    /// A resource key as the API takes it.
    Key(String),
}

pub fn parse_resource(s: &str) -> Result<Resource, String> {
    let s = s.trim();
    if s == "account" {
        return Ok(Resource::Account);
    }
    if s == "zones" || s == "zone:*" {
        return Ok(Resource::AllZones);
    }
    if let Some(id) = s.strip_prefix("zone:") {
        if !looks_like_id(id) {
            return Err(format!(
                "invalid zone ID '{id}': a zone ID is 32 hexadecimal characters"
            ));
        }
        return Ok(Resource::Zone(id.to_ascii_lowercase()));
    }
    if s.starts_with("com.cloudflare.") && !s.contains(char::is_whitespace) {
        return Ok(Resource::Key(s.to_owned()));
    }
    Err(format!(
        "invalid resource '{s}': use account, zones, zone:ZONE_ID or a com.cloudflare.… resource key"
    ))
}

/// A `--allow-ip`/`--deny-ip` value: a CIDR, or a bare address (taken as /32 or /128).
pub fn parse_cidr(s: &str) -> Result<String, String> {
    let s = s.trim();
    if let Ok(net) = s.parse::<ipnet::IpNet>() {
        if net.trunc() != net {
            return Err(format!(
                "'{s}' has host bits set; did you mean {}?",
                net.trunc()
            ));
        }
        return Ok(net.to_string());
    }
    if let Ok(ip) = s.parse::<std::net::IpAddr>() {
        return Ok(ipnet::IpNet::from(ip).to_string());
    }
    Err(format!(
        "invalid CIDR '{s}': use an address range such as 203.0.113.0/24 or 2001:db8::/32"
    ))
}

fn resource_map(resources: &[Resource], account: &str) -> Map<String, Value> {
    let mut map = Map::new();
    for r in resources {
        match r {
            Resource::Account => {
                map.insert(format!("{ACCOUNT_SCOPE}.{account}"), json!("*"));
            }
            Resource::AllZones => {
                map.insert(
                    format!("{ACCOUNT_SCOPE}.{account}"),
                    json!({ format!("{ZONE_SCOPE}.*"): "*" }),
                );
            }
            Resource::Zone(id) => {
                map.insert(format!("{ZONE_SCOPE}.{id}"), json!("*"));
            }
            Resource::Key(k) => {
                map.insert(k.clone(), json!("*"));
            }
        }
    }
    map
}

/// Resolves `--permission` values (names or IDs) against the live permission-group list.
pub async fn resolve_permissions(
    cf: &Cloudflare,
    wanted: &[String],
) -> anyhow::Result<Vec<PermissionGroup>> {
    let all = cf.permission_groups(None, None).await?;
    let mut picked: Vec<PermissionGroup> = Vec::new();
    for w in wanted {
        let found = all
            .iter()
            .find(|g| g.id.eq_ignore_ascii_case(w) || g.name.eq_ignore_ascii_case(w));
        match found {
            Some(g) if !picked.iter().any(|p| p.id == g.id) => picked.push(g.clone()),
            Some(_) => {}
            None => {
                let needle = w.to_lowercase();
                let close: Vec<&str> = all
                    .iter()
                    .filter(|g| g.name.to_lowercase().contains(&needle))
                    .map(|g| g.name.as_str())
                    .take(5)
                    .collect();
                let hint = if close.is_empty() {
                    "see `tokenctl tokens permission-groups`".to_owned()
                } else {
                    format!("did you mean: {}?", close.join(", "))
                };
                return Err(CliError::usage(format!("unknown permission group '{w}'"))
                    .with_hint(hint)
                    .into());
            }
        }
    }
    Ok(picked)
}

/// Policies for the chosen groups. With explicit resources, one policy holds them all. With
/// none, account-scoped groups apply to the account and zone-scoped groups to all its zones, as
/// the dashboard does.
pub fn build_policies(
    groups: &[PermissionGroup],
    resources: &[Resource],
    account: &str,
) -> Vec<Policy> {
    let refs = |gs: &[&PermissionGroup]| -> Vec<PermissionGroupRef> {
        gs.iter()
            .map(|g| PermissionGroupRef {
                id: g.id.clone(),
                name: Some(g.name.clone()),
                meta: None,
            })
            .collect()
    };
    let policy = |gs: Vec<PermissionGroupRef>, res: Map<String, Value>| Policy {
        id: None,
        effect: "allow".into(),
        permission_groups: gs,
        resources: res,
    };
    if !resources.is_empty() {
        let all: Vec<&PermissionGroup> = groups.iter().collect();
        return vec![policy(refs(&all), resource_map(resources, account))];
    }
    let (zone, account_groups): (Vec<&PermissionGroup>, Vec<&PermissionGroup>) =
        groups.iter().partition(|g| {
            g.scopes.iter().any(|s| s == ZONE_SCOPE) && !g.scopes.iter().any(|s| s == ACCOUNT_SCOPE)
        });
    let mut out = Vec::new();
    if !account_groups.is_empty() {
        out.push(policy(
            refs(&account_groups),
            resource_map(&[Resource::Account], account),
        ));
    }
    if !zone.is_empty() {
        out.push(policy(
            refs(&zone),
            resource_map(&[Resource::AllZones], account),
        ));
    }
    out
}

/// The largest `--policy-file` (or policy document on stdin) tokenctl reads: 1 MiB, far above
/// the few kilobytes of a real token's policies.
pub const MAX_POLICY_FILE_BYTES: u64 = 1024 * 1024;

/// Reads policies from a JSON file or stdin (`-`): an array of policies, or an object with a
/// `policies` array (a whole token as `tokens get --json` prints it).
pub fn read_policy_file(path: &PathBuf) -> anyhow::Result<Vec<Policy>> {
    let stdin = path.as_os_str() == "-";
    let shown = if stdin {
        "stdin".to_owned()
    } else {
        path.display().to_string()
    };
    let read = if stdin {
        read_capped(std::io::stdin().lock(), MAX_POLICY_FILE_BYTES)
    } else {
        std::fs::File::open(path).and_then(|f| read_capped(f, MAX_POLICY_FILE_BYTES))
    };
    let bytes = read.map_err(|e| {
        if e.kind() == std::io::ErrorKind::FileTooLarge {
            CliError::usage(format!(
                "policy file {shown} is larger than {}, the most tokenctl reads",
                describe_cap(MAX_POLICY_FILE_BYTES)
            ))
        } else {
            CliError::usage(format!("cannot read policy file {shown}: {e}"))
        }
    })?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| CliError::usage(format!("policy file {shown} is not valid JSON: {e}")))?;
    let policies = match value {
        Value::Array(_) => value,
        Value::Object(mut o) => o.remove("policies").ok_or_else(|| {
            CliError::usage(format!(
                "policy file {shown}: expected an array of policies or an object with \"policies\""
            ))
        })?,
        _ => {
            return Err(CliError::usage(format!(
                "policy file {shown}: expected an array of policies"
            ))
            .into());
        }
    };
    let mut policies: Vec<Policy> = serde_json::from_value(policies).map_err(|e| {
        CliError::usage(format!(
            "policy file {shown} does not hold valid policies: {e}"
        ))
    })?;
    if policies.is_empty() {
        return Err(CliError::usage(format!("policy file {shown} holds no policy")).into());
    }
    for p in &mut policies {
        p.id = None;
        if p.effect != "allow" && p.effect != "deny" {
            return Err(CliError::usage(format!(
                "policy file {shown}: effect must be \"allow\" or \"deny\", not \"{}\"",
                p.effect
            ))
            .into());
        }
        if p.permission_groups.is_empty() || p.resources.is_empty() {
            return Err(CliError::usage(format!(
                "policy file {shown}: every policy needs permission_groups and resources"
            ))
            .into());
        }
    }
    Ok(policies)
}

/// The IP condition from allow/deny lists, `None` when both are empty.
pub fn ip_condition(allow: &[String], deny: &[String]) -> Option<IpCondition> {
    if allow.is_empty() && deny.is_empty() {
        return None;
    }
    Some(IpCondition {
        allow: (!allow.is_empty()).then(|| allow.to_vec()),
        deny: (!deny.is_empty()).then(|| deny.to_vec()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources() {
        assert_eq!(parse_resource("account"), Ok(Resource::Account));
        assert_eq!(parse_resource("zones"), Ok(Resource::AllZones));
        assert!(matches!(
            parse_resource(&format!("zone:{}", "a".repeat(32))),
            Ok(Resource::Zone(_))
        ));
        assert!(parse_resource("zone:nothex").is_err());
        assert!(parse_resource("everything").is_err());
    }

    #[test]
    fn cidrs() {
        assert_eq!(parse_cidr("10.0.0.0/8"), Ok("10.0.0.0/8".into()));
        assert_eq!(parse_cidr("192.0.2.1"), Ok("192.0.2.1/32".into()));
        assert!(parse_cidr("10.0.0.1/8").is_err());
        assert!(parse_cidr("10.0.0/8").is_err());
        assert!(parse_cidr("300.1.1.1/32").is_err());
        assert!(parse_cidr("2001:db8::/32").is_ok());
    }

    #[test]
    fn zone_groups_get_all_zones_by_default() {
        let g = |name: &str, scope: &str| PermissionGroup {
            id: name.into(),
            name: name.into(),
            category: None,
            scopes: vec![scope.into()],
            extra: Map::new(),
        };
        let groups = vec![
            g("Account API Tokens Read", ACCOUNT_SCOPE),
            g("DNS Write", ZONE_SCOPE),
        ];
        let p = build_policies(&groups, &[], "acct");
        assert_eq!(p.len(), 2);
        assert!(
            p[1].resources
                .contains_key("com.cloudflare.api.account.acct")
        );
        let one = build_policies(&groups, &[Resource::Account], "acct");
        assert_eq!(one.len(), 1);
    }
}
