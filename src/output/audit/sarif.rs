//! `audit -o sarif`: SARIF 2.1.0 for code scanning. One run; its tool's rules are the audit's
//! rules; each finding a result (rule, level, message with the fix command, a logical location
//! `profile/noun/id` and, since GitHub requires one, a physical location
//! `tokenctl/PROFILE/NOUN/ID`); a profile that could not be audited an error notification of the run's
//! invocation, which is then not successful.

use serde_json::{Value, json};

use super::findings;
use crate::commands::audit::{ProfileAudit, Reason};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn text(audits: &[ProfileAudit], rules: &[Reason]) -> serde_json::Result<String> {
    let rule_objects: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.name(),
                "name": r.name(),
                "shortDescription": { "text": r.describe() },
                "defaultConfiguration": { "level": r.severity().name() },
            })
        })
        .collect();
    let results: Vec<Value> = findings(audits)
        .map(|(a, f)| {
            let who = match &f.name {
                Some(n) => format!("{} token '{n}' ({})", f.noun, f.id),
                None => format!("{} token {}", f.noun, f.id),
            };
            let fix = a.fix(f);
            let mut result = json!({
                "ruleId": f.reason.name(),
                "level": f.severity().name(),
                "message": {
                    "text": format!("{}: {who} in profile {}: {}. Fix: {fix}", f.reason.name(), a.profile, f.reason.describe())
                },
                "locations": [{
                    // GitHub code scanning refuses a result without a physical location: a
                    // token is no file, so it gets a relative URI of its own.
                    "physicalLocation": {
                        "artifactLocation": { "uri": token_uri(&a.profile, f.noun, &f.id) },
                        "region": { "startLine": 1 },
                    },
                    "logicalLocations": [{
                        "fullyQualifiedName": format!("{}/{}/{}", a.profile, f.noun, f.id),
                        "kind": "resource",
                    }]
                }],
                "partialFingerprints": {
                    "tokenctlFinding/v1": format!("{}/{}/{}/{}", a.profile, f.noun, f.id, f.reason.name()),
                },
                "properties": {
                    "profile": a.profile,
                    "vendor": a.vendor,
                    "noun": f.noun,
                    "id": f.id,
                    "name": f.name,
                    "severity": f.severity().name(),
                    "fix": fix,
                },
            });
            if let Some(i) = rules.iter().position(|r| *r == f.reason) {
                result["ruleIndex"] = json!(i);
            }
            result
        })
        .collect();
    let notifications: Vec<Value> = audits
        .iter()
        .flat_map(|a| {
            a.problems.iter().map(move |p| {
                let what = p.noun.map(|n| format!(" ({n})")).unwrap_or_default();
                json!({
                    "level": "error",
                    "message": { "text": format!("profile {}{what} could not be audited: {}", a.profile, p.message) },
                })
            })
        })
        .collect();
    let doc = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "tokenctl",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": rule_objects,
            }},
            "invocations": [{
                "executionSuccessful": notifications.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    });
    crate::output::json_text(&doc, true)
}

/// `tokenctl/PROFILE/NOUN/ID`, a relative URI with every byte outside RFC 3986's unreserved set
/// percent-encoded in each segment.
fn token_uri(profile: &str, noun: &str, id: &str) -> String {
    let seg = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    format!("tokenctl/{}/{}/{}", seg(profile), seg(noun), seg(id))
}

#[cfg(test)]
mod tests {
    #[test]
    fn token_uris_are_relative_and_encoded() {
        assert_eq!(
            super::token_uri("prod eu", "tokens", "a/b?c"),
            "tokenctl/prod%20eu/tokens/a%2Fb%3Fc"
        );
    }
}
