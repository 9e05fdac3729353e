//! Validation of create (`iam_create_payload`) and update (`iam_token_body`)
//! request bodies. Errors are 400 code 1001 with a JSON pointer to the
//! offending member.

use jiff::Timestamp;
use serde_json::{Map, Value};

use super::envelope::CfError;
use super::ids::random_hex32;
use super::model::{
    Condition, Effect, PermissionGroupRef, Policy, RequestIp, StoredToken, parse_cidr,
};
use super::permission_groups;

/// Longest token name the schema allows.
pub const MAX_NAME_CHARS: usize = 120;

/// A validated create or update body.
#[derive(Debug)]
pub struct TokenInput {
    pub name: String,
    pub policies: Vec<Policy>,
    pub condition: Condition,
    pub expires_on: Option<Timestamp>,
    pub not_before: Option<Timestamp>,
    pub disabled: bool,
}

/// Which request the body belongs to.
#[derive(Debug, Clone, Copy)]
pub enum Mode<'a> {
    Create,
    /// Update of this stored token (PUT replaces the whole object).
    Update(&'a StoredToken),
}

pub fn token_input(
    body: Option<Value>,
    mode: Mode<'_>,
    account_id: &str,
    now: Timestamp,
) -> Result<TokenInput, CfError> {
    let body = body.ok_or_else(|| CfError::invalid("a JSON request body is required"))?;
    let Value::Object(body) = body else {
        return Err(CfError::invalid("the request body must be a JSON object"));
    };
    let name = name(&body)?;
    let policies = match present(&body, "policies") {
        None => return Err(CfError::invalid_at("/policies", "policies is required")),
        Some(Value::Array(list)) if list.is_empty() => {
            return Err(CfError::invalid_at(
                "/policies",
                "policies must contain at least one policy",
            ));
        }
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .map(|(i, p)| policy(&format!("/policies/{i}"), p, mode, account_id))
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => {
            return Err(CfError::invalid_at(
                "/policies",
                "policies must be an array",
            ));
        }
    };
    let condition = condition(present(&body, "condition"))?;
    let expires_on = timestamp(&body, "expires_on")?;
    let not_before = timestamp(&body, "not_before")?;
    if let Some(at) = expires_on {
        let unchanged = matches!(mode, Mode::Update(old) if old.expires_on == Some(at));
        if at <= now && !unchanged {
            return Err(CfError::invalid_at(
                "/expires_on",
                "expires_on must be in the future",
            ));
        }
        if not_before.is_some_and(|nb| nb >= at) {
            return Err(CfError::invalid_at(
                "/not_before",
                "not_before must be earlier than expires_on",
            ));
        }
    }
    let disabled = match mode {
        Mode::Create => false,
        Mode::Update(_) => match present(&body, "status") {
            None => false,
            Some(Value::String(s)) if s == "active" => false,
            Some(Value::String(s)) if s == "disabled" => true,
            Some(_) => {
                return Err(CfError::invalid_at(
                    "/status",
                    "status must be \"active\" or \"disabled\"",
                ));
            }
        },
    };
    Ok(TokenInput {
        name,
        policies,
        condition,
        expires_on,
        not_before,
        disabled,
    })
}

/// A member that is present and not null.
fn present<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    object.get(key).filter(|v| !v.is_null())
}

fn name(body: &Map<String, Value>) -> Result<String, CfError> {
    let name = match present(body, "name") {
        None => return Err(CfError::invalid_at("/name", "name is required")),
        Some(Value::String(name)) => name,
        Some(_) => return Err(CfError::invalid_at("/name", "name must be a string")),
    };
    if name.trim().is_empty() {
        return Err(CfError::invalid_at("/name", "name must not be empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(CfError::invalid_at(
            "/name",
            format!("name must be at most {MAX_NAME_CHARS} characters"),
        ));
    }
    Ok(name.clone())
}

fn policy(ptr: &str, value: &Value, mode: Mode<'_>, account_id: &str) -> Result<Policy, CfError> {
    let Value::Object(policy) = value else {
        return Err(CfError::invalid_at(ptr, "each policy must be an object"));
    };
    let id = match (present(policy, "id"), mode) {
        (None, _) => random_hex32(),
        (Some(_), Mode::Create) => {
            return Err(CfError::invalid_at(
                &format!("{ptr}/id"),
                "Reusing existing policies is not supported by token creation",
            ));
        }
        (Some(id), Mode::Update(old)) => {
            let kept = old
                .policies
                .iter()
                .find(|p| Some(p.id.as_str()) == id.as_str());
            kept.map_or_else(random_hex32, |p| p.id.clone())
        }
    };
    let effect = match present(policy, "effect").and_then(Value::as_str) {
        Some("allow") => Effect::Allow,
        Some("deny") => Effect::Deny,
        _ => {
            return Err(CfError::invalid_at(
                &format!("{ptr}/effect"),
                "effect must be \"allow\" or \"deny\"",
            ));
        }
    };
    let permission_groups = permission_groups(&format!("{ptr}/permission_groups"), policy)?;
    let resources = resources(
        &format!("{ptr}/resources"),
        present(policy, "resources"),
        account_id,
    )?;
    super::scopes::check(ptr, &permission_groups, &resources)?;
    Ok(Policy {
        id,
        effect,
        resources,
        permission_groups,
    })
}

fn permission_groups(
    ptr: &str,
    policy: &Map<String, Value>,
) -> Result<Vec<PermissionGroupRef>, CfError> {
    let list = match present(policy, "permission_groups") {
        Some(Value::Array(list)) if !list.is_empty() => list,
        _ => {
            return Err(CfError::invalid_at(
                ptr,
                "permission_groups must be a non-empty array",
            ));
        }
    };
    let mut groups = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let ptr = format!("{ptr}/{i}");
        let Some(id) = item.get("id").and_then(Value::as_str) else {
            return Err(CfError::invalid_at(
                &format!("{ptr}/id"),
                "each permission group needs an id",
            ));
        };
        let Some(known) = permission_groups::find(id) else {
            return Err(CfError::invalid_at(
                &format!("{ptr}/id"),
                format!("permission group {id} does not exist"),
            ));
        };
        let meta = match item.get("meta") {
            None | Some(Value::Null) => None,
            Some(Value::Object(meta)) => Some(meta.clone()),
            Some(_) => {
                return Err(CfError::invalid_at(
                    &format!("{ptr}/meta"),
                    "meta must be an object",
                ));
            }
        };
        groups.push(PermissionGroupRef {
            id: known.id.clone(),
            meta,
            name: known.name.to_owned(),
        });
    }
    Ok(groups)
}

/// `iam_resources`: a flat map of resource → `"*"`, or a nested map of
/// account → {resource → `"*"`}. Mixing the two matches neither schema.
fn resources(
    ptr: &str,
    value: Option<&Value>,
    account_id: &str,
) -> Result<Map<String, Value>, CfError> {
    let map = match value {
        Some(Value::Object(map)) if !map.is_empty() => map,
        _ => {
            return Err(CfError::invalid_at(
                ptr,
                "resources must be a non-empty object",
            ));
        }
    };
    let flat = map.values().all(Value::is_string);
    let nested = map.values().all(Value::is_object);
    if !flat && !nested {
        return Err(CfError::invalid_at(
            ptr,
            "resources must map every resource to a string, or every account to an object of resources",
        ));
    }
    for (key, inner) in map {
        resource_key(ptr, key, account_id)?;
        match inner {
            Value::String(s) if s.is_empty() => {
                return Err(CfError::invalid_at(
                    ptr,
                    format!("resource {key} needs a value such as \"*\""),
                ));
            }
            Value::Object(inner) => {
                if inner.is_empty()
                    || !inner
                        .values()
                        .all(|v| v.as_str().is_some_and(|s| !s.is_empty()))
                {
                    return Err(CfError::invalid_at(
                        ptr,
                        format!("resource {key} must map resources to strings such as \"*\""),
                    ));
                }
                for inner_key in inner.keys() {
                    resource_key(ptr, inner_key, account_id)?;
                }
            }
            _ => {}
        }
    }
    Ok(map.clone())
}

fn resource_key(ptr: &str, key: &str, account_id: &str) -> Result<(), CfError> {
    const ACCOUNT: &str = "com.cloudflare.api.account.";
    const ZONE: &str = "com.cloudflare.api.account.zone.";
    const BUCKET: &str = "com.cloudflare.edge.r2.bucket.";
    let ok = if let Some(zone) = key.strip_prefix(ZONE) {
        zone == "*" || is_hex32(zone)
    } else if let Some(account) = key.strip_prefix(ACCOUNT) {
        if is_hex32(account) && account != account_id {
            return Err(CfError::invalid_at(
                ptr,
                format!("resource {key} does not belong to this account"),
            ));
        }
        account == "*" || account == account_id
    } else if let Some(bucket) = key.strip_prefix(BUCKET) {
        !bucket.is_empty()
    } else {
        false
    };
    if ok {
        Ok(())
    } else {
        Err(CfError::invalid_at(
            ptr,
            format!("{key} is not a valid resource"),
        ))
    }
}

fn is_hex32(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn condition(value: Option<&Value>) -> Result<Condition, CfError> {
    let Some(value) = value else {
        return Ok(Condition::default());
    };
    let Value::Object(condition) = value else {
        return Err(CfError::invalid_at(
            "/condition",
            "condition must be an object",
        ));
    };
    let request_ip = match present(condition, "request_ip") {
        None => None,
        Some(Value::Object(rule)) => Some(RequestIp {
            allow: cidr_list("/condition/request_ip/in", present(rule, "in"))?,
            not_in: cidr_list("/condition/request_ip/not_in", present(rule, "not_in"))?,
        }),
        Some(_) => {
            return Err(CfError::invalid_at(
                "/condition/request_ip",
                "request_ip must be an object",
            ));
        }
    };
    Ok(Condition { request_ip })
}

fn cidr_list(ptr: &str, value: Option<&Value>) -> Result<Option<Vec<String>>, CfError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let Value::Array(items) = value else {
        return Err(CfError::invalid_at(ptr, "must be an array of CIDRs"));
    };
    let mut list = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item.as_str() {
            Some(cidr) if parse_cidr(cidr).is_some() => list.push(cidr.to_owned()),
            _ => {
                return Err(CfError::invalid_at(
                    &format!("{ptr}/{i}"),
                    format!("{item} is not a valid IPv4/IPv6 CIDR"),
                ));
            }
        }
    }
    Ok(Some(list))
}

fn timestamp(body: &Map<String, Value>, field: &str) -> Result<Option<Timestamp>, CfError> {
    let ptr = format!("/{field}");
    match present(body, field) {
        None => Ok(None),
        Some(Value::String(s)) => s.parse::<Timestamp>().map(Some).map_err(|_| {
            CfError::invalid_at(&ptr, format!("{field} must be an RFC 3339 date-time"))
        }),
        Some(_) => Err(CfError::invalid_at(
            &ptr,
            format!("{field} must be an RFC 3339 date-time"),
        )),
    }
}
