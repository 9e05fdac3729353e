//! Auditing one profile: resolve it, list every noun its vendor serves, classify each token.
//! Failures become [`Problem`]s of the profile; they never stop the other profiles.

use futures::future::join_all;
use jiff::Timestamp;

use super::classify::Windows;
use super::facts::{Observed, duplicate_names};
use super::policy::Policy;
use super::report::{Problem, ProfileAudit};
use super::targets::Target;
use crate::context::{Context, Origin, Resolved};
use crate::error::CliError;
use crate::journal::{Entry, retiring};
use crate::output::shell::word;
use crate::vendor::{Client, Noun};

/// Tokens an unfinished rotation in `journal` is retiring have no finding, and do not count
/// towards another token's `duplicate-name`: the new token already stands in for them.
pub async fn audit_profile(
    ctx: &Context,
    (name, profile, origin): Target,
    now: Timestamp,
    w: Windows,
    policy: Option<&Policy>,
    journal: &[Entry],
) -> ProfileAudit {
    let mut audit = ProfileAudit::new(name.clone(), profile.vendor, origin);
    let resolved = match ctx.resolve_named(name, profile, origin).await {
        Ok(r) => r,
        Err(e) => {
            audit.problems.push(Problem::from_error(None, &e));
            return audit;
        }
    };
    let nouns = resolved.profile.vendor.facts().nouns;
    let lists = join_all(nouns.iter().map(|&noun| list(ctx, &resolved, noun))).await;
    for (noun, list) in nouns.iter().zip(lists) {
        match list {
            Ok(tokens) => {
                let (profile, vendor) = (audit.profile.as_str(), audit.vendor);
                let audited: Vec<Observed> = tokens
                    .iter()
                    .filter(|t| !retiring(journal, profile, vendor, t.noun, &t.id))
                    .cloned()
                    .collect();
                for t in &audited {
                    audit.findings.extend(match policy {
                        Some(p) => p.findings(profile, vendor, t, w, now),
                        None => t.findings(now, &w),
                    });
                }
                let mut dups = duplicate_names(&audited, now);
                if let Some(p) = policy {
                    dups.retain(|f| {
                        !audited
                            .iter()
                            .any(|t| t.id == f.id && p.excuses(t, f.reason, now))
                    });
                }
                audit.findings.extend(dups);
                audit.tokens.extend(tokens);
            }
            Err(e) => audit
                .problems
                .push(Problem::from_error(Some(noun.name()), &e)),
        }
    }
    audit.sort();
    audit
}

/// Every token of `noun` the profile sees, through the one client constructor.
async fn list(ctx: &Context, r: &Resolved, noun: Noun) -> anyhow::Result<Vec<Observed>> {
    if r.profile.vendor.facts().projects && r.profile.project_id.is_none() {
        return Err(no_project(r));
    }
    let client = Client::connect(ctx, r)?;
    let summaries = client.summaries(noun, r).await?;
    Ok(summaries
        .into_iter()
        .map(|s| Observed::new(noun, s))
        .collect())
}

/// The audit covers a profile's default project; a profile without one has nothing to audit.
fn no_project(r: &Resolved) -> anyhow::Error {
    let vendor = r.profile.vendor;
    CliError::not_configured(format!("profile '{}' has no project to audit", r.name))
        .with_hint(match r.origin {
            Origin::EnvOnly => format!(
                "the environment names no project: add a profile with `tokenctl profile add NAME --vendor {vendor} --base-url URL --project ID`"
            ),
            _ => format!(
                "set one with `tokenctl profile set {} --project ID`",
                word(&r.name)
            ),
        })
        .into()
}
