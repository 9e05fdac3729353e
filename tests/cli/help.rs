//! Snapshots of the long `--help` of every command and subcommand (walking the clap tree, so
//! new commands get one on the next `scripts/regen`), under tests/cli/snapshots/help-*.snap.
//!
//! A mismatch fails. Locally insta also leaves a `.snap.new` beside the snapshot; in CI it
//! writes nothing, and settings that would make a mismatch pass are refused.

use std::collections::BTreeSet;

use clap::CommandFactory;

use crate::generated::{REGEN_HINT, ci, regen, repo, walk};
use tokenctl::cli::Cli;

/// `(snapshot name, long help)` for every command, rendered 100 columns wide (the widest
/// tokenctl ever wraps at) so the result does not depend on the terminal.
fn pages() -> Vec<(String, String)> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut out = Vec::new();
    walk(&cmd, &mut |c, _| {
        let name = c.get_display_name().unwrap_or(c.get_name()).to_owned();
        let help = c.clone().term_width(100).render_long_help().to_string();
        out.push((format!("help-{name}"), help));
    });
    out
}

/// In CI a mismatch must fail: no in-place updates, no forced passes.
fn refuse_passing_settings_in_ci() {
    if !ci() {
        return;
    }
    let update = std::env::var("INSTA_UPDATE").unwrap_or_default();
    assert!(
        matches!(update.as_str(), "" | "auto" | "no" | "new"),
        "INSTA_UPDATE={update} would rewrite snapshots in CI"
    );
    let force = std::env::var("INSTA_FORCE_PASS").unwrap_or_default();
    assert!(
        matches!(force.as_str(), "" | "0" | "false"),
        "INSTA_FORCE_PASS would hide snapshot mismatches in CI"
    );
}

#[test]
fn every_help_page_matches_its_snapshot() {
    refuse_passing_settings_in_ci();
    let pages = pages();
    assert!(pages.len() > 40, "only {} commands found", pages.len());
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for (name, help) in &pages {
            insta::assert_snapshot!(name.as_str(), help);
        }
    });

    // Snapshots of commands that no longer exist.
    let wanted: BTreeSet<String> = pages.iter().map(|(n, _)| format!("{n}.snap")).collect();
    let dir = repo().join("tests/cli/snapshots");
    let stale: Vec<String> = std::fs::read_dir(&dir)
        .expect("snapshots dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|f| f.starts_with("help-") && f.ends_with(".snap") && !wanted.contains(f))
        .collect();
    if regen() {
        for f in &stale {
            std::fs::remove_file(dir.join(f)).expect("remove stale snapshot");
        }
        return;
    }
    assert!(
        stale.is_empty(),
        "snapshots of commands that no longer exist: {stale:?}\n{REGEN_HINT}"
    );
}

#[test]
fn help_pages_cover_every_level() {
    let names: Vec<String> = pages().into_iter().map(|(n, _)| n).collect();
    for wanted in [
        "help-tokenctl",
        "help-tokenctl-tokens",
        "help-tokenctl-tokens-list",
        "help-tokenctl-service-tokens-rotate",
        "help-tokenctl-auth-login",
        "help-tokenctl-completion",
    ] {
        assert!(names.iter().any(|n| n == wanted), "{wanted} missing");
    }
    assert!(!names.iter().any(|n| n.ends_with("-help")));
}

/// Every runnable command says what it does, which vendor it serves and how it is used.
#[test]
fn every_verb_has_a_description_a_vendor_and_examples() {
    let mut cmd = Cli::command();
    cmd.build();
    let mut missing = Vec::new();
    walk(&cmd, &mut |c, _| {
        let name = c.get_display_name().unwrap_or(c.get_name()).to_owned();
        if c.has_subcommands() || c.get_name() == "help" {
            return;
        }
        let after = c
            .get_after_long_help()
            .map(|s| s.to_string())
            .unwrap_or_default();
        if c.get_about()
            .is_none_or(|a| a.to_string().trim().is_empty())
        {
            missing.push(format!("{name}: no short description"));
        }
        if !after.lines().any(|l| l.starts_with("Vendor")) {
            missing.push(format!("{name}: no `Vendor:` line in after_long_help"));
        }
        if !after.contains("Examples:\n  ") {
            missing.push(format!("{name}: no examples in after_long_help"));
        }
    });
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
