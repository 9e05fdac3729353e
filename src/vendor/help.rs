//! Help texts and vendor lists, built from the table.

use super::Vendor;

pub use super::{AUDIT_COVERAGE, AUDIT_REASONS};

/// Every vendor's display name, in table order, comma-separated.
pub fn list() -> String {
    let names: Vec<&str> = Vendor::ALL.iter().map(|v| v.facts().display).collect();
    names.join(", ")
}

/// The same, the last joined with "and".
pub fn list_and() -> String {
    let names: Vec<&str> = Vendor::ALL.iter().map(|v| v.facts().display).collect();
    match names.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// The long help's closing part of a command every vendor's profiles share.
pub fn all_vendors(examples: &str) -> String {
    format!(
        "Vendors: all ({}); the profile says which.\n\n{examples}",
        list()
    )
}

/// The long help's closing part of the sandbox commands.
pub fn sandbox(examples: &str) -> String {
    format!(
        "Vendors: all; the sandbox emulates the {} APIs.\n\n{examples}",
        list_and()
    )
}

/// `--account`'s help: how the account IDs look, where that helps.
pub fn account_arg() -> String {
    let shapes: Vec<String> = Vendor::ALL
        .into_iter()
        .filter_map(|v| {
            let f = v.facts();
            Some(format!(
                "{}: {}",
                f.display,
                f.account_id.as_ref()?.in_help?
            ))
        })
        .collect();
    format!("Default account ID of the profile ({})", shapes.join("; "))
}

/// The account-wide keys `--email` goes with ("<Vendor> <key name>").
pub fn account_keys() -> String {
    let keys: Vec<String> = Vendor::ALL
        .into_iter()
        .filter_map(|v| {
            let f = v.facts();
            Some(format!("{} {}", f.display, f.account_key.as_ref()?.name))
        })
        .collect();
    keys.join(" or ")
}

/// `--email`'s help.
pub fn email_arg() -> String {
    let helps: Vec<&str> = Vendor::ALL
        .into_iter()
        .filter_map(|v| Some(v.facts().account_key.as_ref()?.email_help))
        .collect();
    helps.join("; ")
}

/// The vendors `audit` covers, each with its nouns when it serves several.
pub fn audit_vendors() -> String {
    let each: Vec<String> = Vendor::ALL
        .into_iter()
        .map(|v| {
            let f = v.facts();
            match f.nouns {
                [_] => f.display.to_owned(),
                nouns => {
                    let names: Vec<String> =
                        nouns.iter().map(|n| n.name().replace('-', " ")).collect();
                    format!("{} {}", f.display, names.join(" and "))
                }
            }
        })
        .collect();
    each.join(", ")
}

/// `sandbox serve`'s help for a count of seeded tokens of `noun` (`what`).
pub fn seed_arg(noun: super::Noun, what: &str) -> String {
    let by: Vec<&str> = noun.vendors().iter().map(|v| v.facts().display).collect();
    format!("How many {} {what} to seed", by.join(" and "))
}

/// `--base-url`'s help: which vendors' profiles must name one.
pub fn base_url_arg() -> String {
    format!(
        "API base URL, when not the vendor's default (required for {})",
        names(|v| v.needs_base_url())
    )
}

/// `--project`'s help where every vendor's profile is meant: which vendors have projects.
pub fn project_arg() -> String {
    format!(
        "Default project ID of the profile ({})",
        names(|v| v.facts().projects)
    )
}

fn names(pick: impl Fn(Vendor) -> bool) -> String {
    let names: Vec<&str> = Vendor::ALL
        .into_iter()
        .filter(|v| pick(*v))
        .map(|v| v.name())
        .collect();
    names.join(", ")
}

/// The sandbox's ready-made profiles: `sandbox-<vendor>`, joined with commas and "and".
pub fn sandbox_profiles() -> String {
    let names: Vec<String> = Vendor::ALL
        .iter()
        .map(|v| format!("sandbox-{}", v.name()))
        .collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    }
}
