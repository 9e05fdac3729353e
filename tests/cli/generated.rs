//! The generated files in the repository — `completions/` and `man/` — must be what the
//! current code generates. `scripts/regen` rewrites them (and the help snapshots) by running
//! these tests with `TOKENCTL_REGEN=1`; in CI they only compare.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Command;

pub const REGEN_HINT: &str = "run `scripts/regen` and commit the result";

/// Whether this run rewrites generated files instead of comparing them. Refused in CI, where
/// a stale file must fail.
pub fn regen() -> bool {
    let on = std::env::var("TOKENCTL_REGEN").is_ok_and(|v| v == "1");
    assert!(
        !(on && ci()),
        "TOKENCTL_REGEN=1 is refused in CI: generated files are compared there, never rewritten"
    );
    on
}

/// The same test as insta's: CI set to anything but empty, 0 or false.
pub fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"))
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Calls `f` on `cmd` and every visible subcommand below it, depth first, with the depth; the
/// `help` subcommand clap adds is skipped. New commands are picked up with no change here.
pub fn walk(cmd: &Command, f: &mut dyn FnMut(&Command, usize)) {
    fn go(cmd: &Command, depth: usize, f: &mut dyn FnMut(&Command, usize)) {
        f(cmd, depth);
        for sub in cmd.get_subcommands() {
            if !sub.is_hide_set() && sub.get_name() != "help" {
                go(sub, depth + 1, f);
            }
        }
    }
    go(cmd, 0, f);
}

/// The completion scripts `tokenctl completion SHELL` prints, under their usual file names.
fn completions() -> BTreeMap<String, String> {
    [
        ("bash", "tokenctl.bash"),
        ("zsh", "_tokenctl"),
        ("fish", "tokenctl.fish"),
        ("powershell", "_tokenctl.ps1"),
        ("elvish", "tokenctl.elv"),
    ]
    .into_iter()
    .map(|(shell, file)| {
        let script = tokenctl::complete::registration(shell).expect(shell);
        (file.to_owned(), script)
    })
    .collect()
}

/// Makes `dir` hold exactly `files` (regen), or lists how it differs.
fn sync(dir: &Path, files: &BTreeMap<String, String>) -> Vec<String> {
    let present: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.path().is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let rel = dir
        .strip_prefix(repo())
        .unwrap_or(dir)
        .display()
        .to_string();
    if regen() {
        std::fs::create_dir_all(dir).expect("create dir");
        for extra in present.iter().filter(|f| !files.contains_key(*f)) {
            std::fs::remove_file(dir.join(extra)).expect("remove stale file");
        }
        for (name, text) in files {
            if std::fs::read_to_string(dir.join(name)).ok().as_deref() != Some(text) {
                std::fs::write(dir.join(name), text).expect("write generated file");
            }
        }
        return Vec::new();
    }
    let mut problems = Vec::new();
    for (name, text) in files {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(on_disk) if on_disk == *text => {}
            Ok(_) => problems.push(format!("{rel}/{name} is out of date")),
            Err(_) => problems.push(format!("{rel}/{name} is missing")),
        }
    }
    for extra in present.iter().filter(|f| !files.contains_key(*f)) {
        problems.push(format!("{rel}/{extra} is not generated any more"));
    }
    problems
}

fn check(problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "generated files differ from what the code generates:\n  {}\n{REGEN_HINT}",
        problems.join("\n  ")
    );
}

#[test]
fn completion_scripts_are_up_to_date() {
    check(sync(&repo().join("completions"), &completions()));
}

#[test]
fn man_pages_are_up_to_date() {
    let pages: BTreeMap<String, String> = crate::man::pages().into_iter().collect();
    check(sync(&repo().join("man"), &pages));
}

/// Every TOKENCTL_/vendor variable named in src/ is in the man page's ENVIRONMENT list.
#[test]
fn every_variable_read_is_documented() {
    let documented: Vec<&str> = crate::man::ENVIRONMENT
        .iter()
        .flat_map(|(names, _)| names.split(", "))
        .collect();
    let mut missing = Vec::new();
    for file in rust_files(&repo().join("src")) {
        let text = std::fs::read_to_string(&file).expect("read source");
        for var in quoted_variables(&text) {
            if !documented.contains(&var.as_str()) && !missing.contains(&var) {
                missing.push(var);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "variables read in src/ but not documented: {missing:?}\nadd them to ENVIRONMENT in tests/cli/man.rs, then {REGEN_HINT}"
    );
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// String literals that are whole variable names with one of tokenctl's prefixes.
fn quoted_variables(text: &str) -> Vec<String> {
    const PREFIXES: &[&str] = &[
        "TOKENCTL_",
        "CLOUDFLARE_",
        "MAILTRAP_",
        "PREFACTOR_",
        "MOSQUITTO_",
        "CEDALO_",
    ];
    // Every piece between two quotes: a stray pairing (escaped quotes) can only miss a name.
    text.split('"')
        .filter(|s| {
            PREFIXES
                .iter()
                .any(|p| s.starts_with(p) && s.len() > p.len())
        })
        .filter(|s| s.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn quoted_variables_finds_literals_only() {
    let src = r#"env.get("TOKENCTL_X"); let s = "not TOKENCTL_Y"; f("CLOUDFLARE_API_TOKEN")"#;
    assert_eq!(
        quoted_variables(src),
        ["TOKENCTL_X", "CLOUDFLARE_API_TOKEN"]
    );
}
