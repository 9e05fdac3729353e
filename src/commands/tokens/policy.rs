//! Building token policies from flags: permission groups by name or ID, resources, IP
//! conditions, or a policy file.

use std::path::PathBuf;

use serde_json::{Map, Value, json};

use crate::error::CliError;
use crate::files::{describe_cap, read_capped};
use crate::ui::Ui;
use tokenctl_api::vendors::cloudflare::{
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

impl std::fmt::Display for Resource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Resource::Account => f.write_str("account"),
            Resource::AllZones => f.write_str("zones"),
            Resource::Zone(id) => write!(f, "zone:{id}"),
            Resource::Key(k) => f.write_str(k),
        }
    }
}

impl Resource {
    /// The permission-group scope the resource belongs to: account, zone, or for a raw key
    /// the key less its last part (`com.cloudflare.edge.r2.bucket.ID` is an
    /// `com.cloudflare.edge.r2.bucket` resource).
    fn scope(&self) -> &str {
        match self {
            Resource::Account => ACCOUNT_SCOPE,
            Resource::AllZones | Resource::Zone(_) => ZONE_SCOPE,
            Resource::Key(k) => k.rsplit_once('.').map_or("", |(scope, _)| scope),
        }
    }

    /// The map entry as the API takes it. All zones of an account nest under the account's
    /// key; everything else is a flat `key: "*"`.
    fn entry(&self, account: &str) -> (String, Value) {
        match self {
            Resource::Account => (format!("{ACCOUNT_SCOPE}.{account}"), json!("*")),
            Resource::AllZones => (
                format!("{ACCOUNT_SCOPE}.{account}"),
                json!({ format!("{ZONE_SCOPE}.*"): "*" }),
            ),
            Resource::Zone(id) => (format!("{ZONE_SCOPE}.{id}"), json!("*")),
            Resource::Key(k) => (k.clone(), json!("*")),
        }
    }

    /// Whether the group can be granted on this resource. A group that names no scope is
    /// left to the API to judge.
    fn fits(&self, group: &PermissionGroup) -> bool {
        group.scopes.is_empty() || group.scopes.iter().any(|s| s == self.scope())
    }
}

/// Adds `(key, value)` to the first map that can hold it: one without that key (an equal
/// entry is already there: nothing to add) and of the same shape, since the API takes a map
/// of flat `key: "*"` entries or one of nested account entries, not both. Otherwise it
/// starts a new map, so no entry ever replaces another.
fn place(maps: &mut Vec<Map<String, Value>>, (key, value): (String, Value)) {
    if maps.iter().any(|m| m.get(&key) == Some(&value)) {
        return;
    }
    let nested = value.is_object();
    let fits = |m: &Map<String, Value>| {
        !m.contains_key(&key) && m.values().all(|v| v.is_object() == nested)
    };
    match maps.iter_mut().find(|m| fits(m)) {
        Some(m) => {
            m.insert(key, value);
        }
        None => maps.push(Map::from_iter([(key, value)])),
    }
}

const SCOPE_HINT: &str = "account-scoped groups take --resource account; zone-scoped groups take --resource zones or zone:ZONE_ID (see the SCOPES column of `tokenctl tokens permission-groups`)";

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

/// Policies for the chosen groups. With explicit resources, each resource goes to the groups
/// it fits (account resources to account-scoped groups, zones to zone-scoped ones), one policy
/// per set of groups; a resource that fits none of the groups, or a group that no resource
/// fits, is a usage error. With none, account-scoped groups apply to the account and
/// zone-scoped groups to all its zones, as the dashboard does.
pub fn build_policies(
    groups: &[PermissionGroup],
    resources: &[Resource],
    account: &str,
) -> Result<Vec<Policy>, CliError> {
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
    if resources.is_empty() {
        // Without --resource, a group is granted on the account or on all zones; a group of
        // another scope (an R2 bucket, a user) fits neither, and the API would refuse it.
        if let Some(g) = groups.iter().find(|g| {
            !g.scopes.is_empty()
                && !g
                    .scopes
                    .iter()
                    .any(|s| s == ACCOUNT_SCOPE || s == ZONE_SCOPE)
        }) {
            return Err(CliError::usage(format!(
                "permission group '{}' applies to {}, neither the account nor its zones",
                g.name,
                g.scopes.join(", ")
            ))
            .with_hint(format!(
                "name what it applies to with --resource KEY, e.g. --resource {}.ID (a resource key as the API takes it), or a --policy-file",
                g.scopes[0]
            )));
        }
        let (zone, account_groups): (Vec<&PermissionGroup>, Vec<&PermissionGroup>) =
            groups.iter().partition(|g| {
                g.scopes.iter().any(|s| s == ZONE_SCOPE)
                    && !g.scopes.iter().any(|s| s == ACCOUNT_SCOPE)
            });
        let mut out = Vec::new();
        for (gs, r) in [
            (account_groups, Resource::Account),
            (zone, Resource::AllZones),
        ] {
            if !gs.is_empty() {
                let (k, v) = r.entry(account);
                out.push(policy(refs(&gs), Map::from_iter([(k, v)])));
            }
        }
        return Ok(out);
    }
    if let Some(g) = groups.iter().find(|g| !resources.iter().any(|r| r.fits(g))) {
        return Err(CliError::usage(format!(
            "permission group '{}' ({}) fits none of the resources given",
            g.name,
            g.scopes.join(", ")
        ))
        .with_hint(SCOPE_HINT));
    }
    // The groups a resource fits, and the maps of the resources that fit exactly those.
    type Set<'a> = (Vec<&'a PermissionGroup>, Vec<Map<String, Value>>);
    let mut sets: Vec<Set> = Vec::new();
    for r in resources {
        let fit: Vec<&PermissionGroup> = groups.iter().filter(|g| r.fits(g)).collect();
        if fit.is_empty() {
            let names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
            return Err(CliError::usage(format!(
                "--resource {r} fits none of the chosen permission groups ({})",
                names.join(", ")
            ))
            .with_hint(SCOPE_HINT));
        }
        let same = |(gs, _): &&mut (Vec<&PermissionGroup>, _)| {
            gs.len() == fit.len() && gs.iter().zip(&fit).all(|(a, b)| a.id == b.id)
        };
        match sets.iter_mut().find(|s| same(s)) {
            Some((_, maps)) => place(maps, r.entry(account)),
            None => {
                let mut maps = Vec::new();
                place(&mut maps, r.entry(account));
                sets.push((fit, maps));
            }
        }
    }
    Ok(sets
        .into_iter()
        .flat_map(|(gs, maps)| {
            let gs = refs(&gs);
            maps.into_iter().map(move |m| policy(gs.clone(), m))
        })
        .collect())
}

/// The largest `--policy-file` (or policy document on stdin) tokenctl reads: 1 MiB, far above
/// the few kilobytes of a real token's policies.
pub const MAX_POLICY_FILE_BYTES: u64 = 1024 * 1024;

/// Reads policies from a JSON file or stdin (`-`): an array of policies, or an object with a
/// `policies` array (a whole token as `tokens get --json` prints it).
pub fn read_policy_file(ui: &Ui, path: &PathBuf) -> anyhow::Result<Vec<Policy>> {
    let stdin = path.as_os_str() == "-";
    let shown = if stdin {
        "stdin".to_owned()
    } else {
        path.display().to_string()
    };
    let read = if stdin {
        ui.streams()
            .with_stdin(|r| read_capped(r, MAX_POLICY_FILE_BYTES))
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
        let p = build_policies(&groups, &[], "acct").expect("policies");
        assert_eq!(p.len(), 2);
        assert!(
            p[1].resources
                .contains_key("com.cloudflare.api.account.acct")
        );
        let one = build_policies(&groups[..1], &[Resource::Account], "acct").expect("policies");
        assert_eq!(one.len(), 1);
    }
}

#[cfg(test)]
#[path = "policy_scopes_tests.rs"]
mod scopes_tests;
