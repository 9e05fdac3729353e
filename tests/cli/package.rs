//! What `cargo install tokenctl` would get: the published crates' contents and metadata.

use std::process::Command;

fn listing(package: &str) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["package", "--list", "--allow-dirty", "-p", package])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo package --list");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn each_crate_ships_its_sources_readme_and_licenses_and_nothing_else() {
    for package in ["tokenctl", "tokenctl-api", "tokenctl-sandbox"] {
        let files = listing(package);
        for must in [
            "Cargo.toml",
            "README.md",
            "LICENSE-MIT",
            "LICENSE-APACHE",
            "src/lib.rs",
        ] {
            assert!(
                files.iter().any(|f| f == must),
                "{package} lacks {must}: {files:?}"
            );
        }
        let allowed = |f: &str| {
            f.starts_with("src/")
                || f.starts_with("man/")
                || f.starts_with("completions/")
                || [
                    "Cargo.toml",
                    "Cargo.toml.orig",
                    "Cargo.lock",
                    "README.md",
                    "ARCHITECTURE.md",
                    "LICENSE-MIT",
                    "LICENSE-APACHE",
                    ".cargo_vcs_info.json",
                ]
                .contains(&f)
        };
        let stray: Vec<&String> = files.iter().filter(|f| !allowed(f)).collect();
        assert!(stray.is_empty(), "{package} would ship {stray:?}");
        assert!(
            files
                .iter()
                .all(|f| !f.starts_with("src/") || f.ends_with(".rs"))
        );
    }
    let cli = listing("tokenctl");
    for must in [
        "src/main.rs",
        "man/tokenctl.1",
        "completions/tokenctl.bash",
        "Cargo.lock",
    ] {
        assert!(cli.iter().any(|f| f == must), "tokenctl lacks {must}");
    }
}

#[test]
fn the_manifests_carry_what_crates_io_shows() {
    let root = env!("CARGO_MANIFEST_DIR");
    let workspace = std::fs::read_to_string(format!("{root}/Cargo.toml")).expect("Cargo.toml");
    for key in ["license = \"MIT OR Apache-2.0\"", "repository = \"https://"] {
        assert!(workspace.contains(key), "workspace lacks {key}");
    }
    for manifest in [
        "Cargo.toml",
        "crates/tokenctl-api/Cargo.toml",
        "crates/tokenctl-sandbox/Cargo.toml",
    ] {
        let text = std::fs::read_to_string(format!("{root}/{manifest}")).expect("manifest");
        for key in [
            "description = ",
            "license.workspace = true",
            "repository.workspace = true",
            "readme = \"README.md\"",
            "keywords = ",
            "categories = ",
            "include = ",
        ] {
            assert!(text.contains(key), "{manifest} lacks {key}");
        }
    }
}
