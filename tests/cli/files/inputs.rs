//! Input files read within caps; malformed config files; an unusable HOME.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};

use predicates::prelude::*;

use super::{ACCT, names_in};
use crate::common::{BIN, Sandbox, TestEnv, text};

#[test]
fn a_binary_config_or_credentials_file_is_not_configured() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.config_dir()).expect("mkdir");
    let config = env.config_dir().join("config.toml");
    std::fs::write(&config, b"\xff\xfe\x00garbage\x80").expect("write");
    env.cmd().args(["profile", "list"]).assert().code(3).stderr(
        predicate::str::contains("config.toml is not valid").and(predicate::str::contains("UTF-8")),
    );

    std::fs::write(
        &config,
        format!(
            "[profiles.p]\nvendor = \"cloudflare\"\naccount_id = \"{ACCT}\"\nstorage = \"file\"\n"
        ),
    )
    .expect("write");
    std::fs::write(
        env.config_dir().join("credentials.toml"),
        b"\xff\xfe\x00\x80",
    )
    .expect("write");
    env.cmd()
        .args(["-p", "p", "tokens", "verify"])
        .env("CLOUDFLARE_BASE_URL", "http://127.0.0.1:9/client/v4")
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("credentials.toml is not valid")
                .and(predicate::str::contains("UTF-8")),
        );
}

/// A FIFO (or any other non-regular file) in place of config.toml or credentials.toml would
/// block the read forever: it is refused at once, exit 3, like any other malformed config.
#[test]
fn a_fifo_in_place_of_the_config_or_credentials_is_refused_at_once() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.config_dir()).expect("mkdir");
    let config = env.config_dir().join("config.toml");
    let mkfifo = |p: &Path| {
        let ok = StdCommand::new("mkfifo").arg(p).status().expect("mkfifo");
        assert!(ok.success());
    };
    mkfifo(&config);
    let mut cmd = env.cmd();
    cmd.timeout(std::time::Duration::from_secs(10));
    cmd.args(["profile", "list"]).assert().code(3).stderr(
        predicate::str::contains("config.toml is not valid")
            .and(predicate::str::contains("not a regular file")),
    );

    std::fs::remove_file(&config).expect("rm");
    std::fs::write(
        &config,
        format!(
            "[profiles.p]\nvendor = \"cloudflare\"\naccount_id = \"{ACCT}\"\nstorage = \"file\"\n"
        ),
    )
    .expect("write");
    mkfifo(&env.config_dir().join("credentials.toml"));
    let mut cmd = env.cmd();
    cmd.timeout(std::time::Duration::from_secs(10));
    cmd.args(["-p", "p", "tokens", "verify"])
        .env("CLOUDFLARE_BASE_URL", "http://127.0.0.1:9/client/v4")
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("credentials.toml is not valid")
                .and(predicate::str::contains("not a regular file")),
        );
}

#[test]
fn an_oversized_config_is_refused_with_its_cap() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.config_dir()).expect("mkdir");
    let mut big = String::from("# padding\n");
    big.push_str(&"#".repeat(2 * 1024 * 1024));
    std::fs::write(env.config_dir().join("config.toml"), &big).expect("write");
    env.cmd()
        .args(["profile", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("config.toml").and(predicate::str::contains("1 MiB")));
}

/// The tool with only PATH and the given HOME (none at all when `home` is `None`).
fn bare_cmd(home: Option<&str>, cwd: &Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::new(BIN);
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .current_dir(cwd)
        .timeout(std::time::Duration::from_secs(60));
    if let Some(h) = home {
        c.env("HOME", h);
    }
    c
}

#[test]
fn an_unusable_home_is_a_clear_error_and_nothing_is_created_under_root() {
    let roots = ["/.config", "/.local", "/.tokenctl"].map(PathBuf::from);
    let there_before: Vec<bool> = roots.iter().map(|p| p.exists()).collect();
    let cwd = tempfile::tempdir().expect("tempdir");
    for home in [Some(""), None, Some("relative/home")] {
        for args in [
            &["profile", "list"][..],
            &["profile", "add", "x", "--vendor", "cloudflare"],
            &[
                "auth",
                "login",
                "-p",
                "x",
                "--with-token",
                "--insecure-storage",
            ],
            &["--sandbox", "tokens", "list"],
            &["sandbox", "reset"],
        ] {
            let out = bare_cmd(home, cwd.path())
                .args(args)
                .write_stdin("secret-value")
                .output()
                .expect("run");
            let err = text(&out.stderr);
            assert_eq!(out.status.code(), Some(3), "{home:?} {args:?}: {err}");
            let lines: Vec<&str> = err.lines().collect();
            assert!(
                lines.len() == 2
                    && lines[0].starts_with("error: HOME")
                    && lines[1].starts_with("hint: set HOME"),
                "{home:?} {args:?}: {err}"
            );
            assert!(!err.contains("secret-value"));
        }
        for args in [&["--version"][..], &["--help"], &["completion", "bash"]] {
            bare_cmd(home, cwd.path()).args(args).assert().success();
        }
    }
    for (p, before) in roots.iter().zip(there_before) {
        assert!(before || !p.exists(), "{} was created", p.display());
    }
    assert!(names_in(cwd.path()).is_empty(), "nothing relative either");
    // The environment alone still works without HOME: nothing to read, nothing written.
    let served = TestEnv::new();
    let sb = Sandbox::start(served.vars(), &[]);
    for home in [Some(""), None, Some("relative/home")] {
        bare_cmd(home, cwd.path())
            .env("CLOUDFLARE_BASE_URL", &sb.base_url)
            .env("CLOUDFLARE_ACCOUNT_ID", &sb.account_id)
            .env("CLOUDFLARE_API_TOKEN", &sb.token)
            .args(["tokens", "list", "--json"])
            .assert()
            .success();
    }
    assert!(names_in(cwd.path()).is_empty(), "nothing relative either");
    // An explicit XDG directory is enough without HOME.
    let xdg = tempfile::tempdir().expect("tempdir");
    bare_cmd(Some(""), cwd.path())
        .env("XDG_CONFIG_HOME", xdg.path())
        .args(["profile", "add", "x", "--vendor", "cloudflare"])
        .assert()
        .success();
    assert!(xdg.path().join("tokenctl/config.toml").exists());
}

#[test]
fn a_policy_file_is_read_up_to_its_cap() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    sb.clear_requests();
    env.cmd()
        .args([
            "tokens",
            "create",
            "--name",
            "z",
            "--policy-file",
            "/dev/zero",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/dev/zero").and(predicate::str::contains("1 MiB")));

    // A large document on stdin: the reader stops at the cap, whatever the writer does.
    let mut child = StdCommand::new(BIN)
        .env_clear()
        .envs(env.vars().iter().cloned())
        .args(["tokens", "create", "--name", "z", "--policy-file", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut input = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let chunk = vec![b' '; 64 * 1024];
        for _ in 0..64 {
            if input.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("stdin") && text(&out.stderr).contains("1 MiB"));
    assert!(sb.request_lines().iter().all(|l| !l.starts_with("POST")));
}

#[test]
fn a_secret_on_stdin_is_read_up_to_its_cap() {
    let env = TestEnv::new();
    let login = [
        "auth",
        "login",
        "-p",
        "big",
        "--account",
        ACCT,
        "--base-url",
        "http://127.0.0.1:9/client/v4",
        "--with-token",
        "--insecure-storage",
    ];
    env.cmd()
        .args(login)
        .write_stdin("a".repeat(1024 * 1024))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("16 KiB").and(predicate::str::contains("aaaa").not()));
    let out = StdCommand::new(BIN)
        .env_clear()
        .envs(env.vars().iter().cloned())
        .args(login)
        .stdin(std::fs::File::open("/dev/zero").expect("open"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("16 KiB"));
    assert!(!env.config_dir().join("credentials.toml").exists());
}

#[test]
fn completion_with_a_relative_home_leaves_no_cache_behind() {
    let served = TestEnv::new();
    let sb = Sandbox::start(served.vars(), &[]);
    let cwd = tempfile::tempdir().expect("tempdir");
    let out = bare_cmd(Some("relative/home"), cwd.path())
        .env("CLOUDFLARE_BASE_URL", &sb.base_url)
        .env("CLOUDFLARE_ACCOUNT_ID", &sb.account_id)
        .env("CLOUDFLARE_API_TOKEN", &sb.token)
        .env("TOKENCTL_COMPLETE", "bash")
        .env("_CLAP_IFS", "\u{b}")
        .env("_CLAP_COMPLETE_INDEX", "3")
        .env("_CLAP_COMPLETE_COMP_TYPE", "9")
        .env("_CLAP_COMPLETE_SPACE", "true")
        .args(["--", "tokenctl", "tokens", "get", ""])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("ci-deploy-prod"),
        "the names are fetched"
    );
    assert!(
        names_in(cwd.path()).is_empty(),
        "{:?}",
        names_in(cwd.path())
    );
}

/// The embedded sandbox's state file is read up to its cap, with an error that names it.
#[test]
fn an_oversized_sandbox_state_is_refused_with_its_cap() {
    let env = TestEnv::new();
    env.cmd()
        .args(["--sandbox", "tokens", "list", "-o", "id"])
        .assert()
        .success();
    let state = env.path(".local/share/tokenctl/sandbox/state.json");
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&state)
        .expect("open state");
    // Sparse: 65 MiB to read, nothing on disk.
    f.set_len(65 * 1024 * 1024).expect("grow");
    env.cmd()
        .args(["--sandbox", "tokens", "list"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("64 MiB").and(predicate::str::contains("sandbox reset")));
}

/// An absolute HOME that does not exist is unusable too: nothing is made out of nothing.
#[test]
fn a_home_that_does_not_exist_is_a_clear_error_and_is_not_created() {
    let gone = format!("/nonexistent-tokenctl-home-{}", std::process::id());
    let cwd = tempfile::tempdir().expect("tempdir");
    for args in [
        &["profile", "add", "x", "--vendor", "cloudflare"][..],
        &["--sandbox", "tokens", "list"],
    ] {
        let out = bare_cmd(Some(&gone), cwd.path())
            .args(args)
            .output()
            .expect("run");
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {err}");
        assert!(
            err.starts_with("error: HOME") && err.contains("not an existing directory"),
            "{err}"
        );
    }
    assert!(!Path::new(&gone).exists(), "{gone} was created");
}
