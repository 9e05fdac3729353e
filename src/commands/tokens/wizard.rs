//! The interactive walk-through of `tokens create` on a terminal: it asks only for what the
//! flags left out, and fills in the same fields the flags would, so the request is the one the
//! equivalent flags send.

use tokenctl_api::vendors::cloudflare::{Cloudflare, PermissionGroup, TokenBody};

use super::create::{CreateArgs, parse_name};
use super::policy::{Resource, parse_cidr, parse_resource};
use crate::output::visible;
use crate::prompt::{self, future_when, list_of};

const ACCOUNT_SCOPE: &str = "com.cloudflare.api.account";
const ZONE_SCOPE: &str = "com.cloudflare.api.account.zone";

/// Asks for what `args` lacks: the name; with no policy given, the permission groups and, for
/// each scope they need, their resources; the allowed IPs and the expiry.
pub async fn ask(cf: &Cloudflare, args: &mut CreateArgs, ask_groups: bool) -> anyhow::Result<()> {
    if args.name.is_none() {
        args.name = Some(prompt::text(
            "Token name",
            "1 to 120 characters",
            parse_name,
        )?);
    }
    if ask_groups {
        let all = cf.permission_groups(None, None).await?;
        let picked = pick_groups(&all)?;
        if args.resources.is_empty() {
            args.resources = ask_resources(&picked)?;
        }
        args.permissions = picked.into_iter().map(|g| g.id.clone()).collect();
    }
    if args.allow_ip.is_empty() && args.deny_ip.is_empty() {
        args.allow_ip = prompt::optional(
            "Only accept requests from (CIDRs)",
            "comma-separated, e.g. 203.0.113.0/24; empty for anywhere",
            list_of(parse_cidr),
        )?
        .unwrap_or_default();
    }
    if args.expires.is_none() {
        args.expires = prompt::optional(
            "Expires",
            "e.g. 90d or 2027-01-31; empty for never",
            future_when,
        )?;
    }
    Ok(())
}

/// The groups, filtered as the user types; each shown with the scopes it applies to.
fn pick_groups(all: &[PermissionGroup]) -> anyhow::Result<Vec<&PermissionGroup>> {
    let labels: Vec<String> = all
        .iter()
        .map(|g| visible(&format!("{}  [{}]", g.name, short_scopes(&g.scopes))).into_owned())
        .collect();
    let picked = prompt::multi_select("Permission groups", labels)?;
    Ok(picked.into_iter().map(|i| &all[i]).collect())
}

/// What the groups apply to, one question per scope: account-level groups take the profile's
/// account; zone-level groups take all zones or the zone IDs typed (asked until valid).
fn ask_resources(groups: &[&PermissionGroup]) -> anyhow::Result<Vec<Resource>> {
    let has = |scope: &str| groups.iter().any(|g| g.scopes.iter().any(|s| s == scope));
    let zone_only = groups.iter().any(|g| {
        g.scopes.iter().any(|s| s == ZONE_SCOPE) && !g.scopes.iter().any(|s| s == ACCOUNT_SCOPE)
    });
    if !zone_only {
        // Account-level groups only: the default (the profile's account) is the one answer.
        return Ok(Vec::new());
    }
    let mut resources = Vec::new();
    if has(ACCOUNT_SCOPE) {
        resources.push(Resource::Account);
    }
    let which = prompt::select(
        "Zone-level groups apply to",
        &["all zones in the account", "specific zones (by zone ID)"],
    )?;
    if which == 0 {
        resources.push(Resource::AllZones);
    } else {
        let zone = |id: &str| parse_resource(&format!("zone:{id}"));
        resources.extend(prompt::text(
            "Zone IDs",
            "32 hex characters each, comma-separated",
            list_of(zone),
        )?);
    }
    Ok(resources)
}

fn short_scopes(scopes: &[String]) -> String {
    scopes
        .iter()
        .map(|s| s.rsplit('.').next().unwrap_or(s))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The rows of the summary shown before the token is created: what `body` will ask for.
pub fn summary_rows(body: &TokenBody) -> Vec<(&'static str, Vec<String>)> {
    let groups = body
        .policies
        .iter()
        .flat_map(|p| &p.permission_groups)
        .map(|g| g.name.clone().unwrap_or_else(|| g.id.clone()))
        .collect();
    let mut resources = Vec::new();
    for p in &body.policies {
        for (key, value) in &p.resources {
            match value.as_object() {
                Some(inner) => resources.extend(inner.keys().map(|k| format!("{k} in {key}"))),
                None => resources.push(key.clone()),
            }
        }
    }
    let ip = body.condition.as_ref().and_then(|c| c.request_ip.as_ref());
    let or = |l: Option<&Vec<String>>, none: &str| l.cloned().unwrap_or_else(|| vec![none.into()]);
    let mut rows = vec![
        ("name", vec![body.name.clone()]),
        ("permission groups", groups),
        ("resources", resources),
        ("allowed IPs", or(ip.and_then(|i| i.allow.as_ref()), "any")),
    ];
    if let Some(deny) = ip.and_then(|i| i.deny.as_ref()) {
        rows.push(("denied IPs", deny.clone()));
    }
    if let Some(nb) = &body.not_before {
        rows.push(("not before", vec![nb.clone()]));
    }
    let expires = body.expires_on.clone().unwrap_or_else(|| "never".into());
    rows.push(("expires", vec![expires]));
    rows
}
