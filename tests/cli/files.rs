//! Files on disk under concurrency and hostility: config.toml, credentials.toml, secret files
//! and input files.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Output, Stdio};

use predicates::prelude::*;
use serde_json::Value;

use crate::bulk::{Bulk, Noun};
use crate::common::{BIN, Sandbox, TestEnv, mode, stdout_json, text};
use crate::support::keyring::no_dbus_env;

const ACCT: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const N: usize = 8;

/// Runs `N` copies of the tool at once, each with its arguments and stdin, and waits for all.
fn parallel(env: &TestEnv, args: impl Fn(usize) -> Vec<String>, stdin: &str) -> Vec<Output> {
    let children: Vec<_> = (0..N)
        .map(|i| {
            let mut c = StdCommand::new(BIN);
            c.env_clear()
                .envs(env.vars().iter().cloned())
                .args(args(i))
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            let mut child = c.spawn().expect("spawn");
            let mut input = child.stdin.take().expect("stdin");
            input.write_all(stdin.as_bytes()).expect("write stdin");
            drop(input);
            child
        })
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().expect("wait"))
        .collect()
}

fn assert_all_succeeded(outs: &[Output]) {
    for (i, o) in outs.iter().enumerate() {
        assert!(
            o.status.success(),
            "run {i} failed ({:?}): {}",
            o.status.code(),
            text(&o.stderr)
        );
    }
}

fn profile_names(env: &TestEnv) -> Vec<String> {
    let out = env
        .cmd()
        .args(["profile", "list", "--json"])
        .output()
        .expect("run");
    stdout_json(&out)
        .as_array()
        .expect("array")
        .iter()
        .map(|p| p["name"].as_str().expect("name").to_owned())
        .collect()
}

/// The names in credentials.toml (one `name = "secret"` line each).
fn stored_secrets(env: &TestEnv) -> Vec<(String, String)> {
    let doc = std::fs::read_to_string(env.config_dir().join("credentials.toml")).expect("read");
    doc.lines()
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().trim_matches('"').to_owned()))
        .collect()
}

/// The PID of a process that has exited.
fn dead_pid() -> u32 {
    let mut child = StdCommand::new("true").spawn().expect("spawn");
    let pid = child.id();
    child.wait().expect("wait");
    pid
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn parallel_profile_adds_keep_every_profile() {
    let env = TestEnv::new();
    let outs = parallel(
        &env,
        |i| {
            ["profile", "add", &format!("p{i}"), "--vendor", "cloudflare"]
                .map(String::from)
                .to_vec()
        },
        "",
    );
    assert_all_succeeded(&outs);
    let names = profile_names(&env);
    assert_eq!(names.len(), N, "{names:?}");
    // Nothing but the file and its lock is left beside it.
    assert_eq!(
        names_in(&env.config_dir()),
        vec![".config.toml.lock".to_owned(), "config.toml".to_owned()]
    );
}

/// `N` parallel `auth login --insecure-storage --with-token` of profiles l0..l7.
fn log_in_in_parallel(env: &TestEnv, sb: &Sandbox) -> Vec<Output> {
    parallel(
        env,
        |i| {
            [
                "auth",
                "login",
                "-p",
                &format!("l{i}"),
                "--account",
                &sb.account_id,
                "--base-url",
                &sb.base_url,
                "--with-token",
                "--insecure-storage",
            ]
            .map(String::from)
            .to_vec()
        },
        &sb.token,
    )
}

#[test]
fn parallel_insecure_logins_keep_every_secret() {
    let mut env = TestEnv::new();
    env.set_all(&no_dbus_env());
    let sb = Sandbox::start(&[], &[]);
    assert_all_succeeded(&log_in_in_parallel(&env, &sb));
    assert_eq!(profile_names(&env).len(), N);
    let secrets = stored_secrets(&env);
    assert_eq!(secrets.len(), N, "{secrets:?}");
    assert!(secrets.iter().all(|(_, v)| *v == sb.token));
}

#[test]
fn parallel_save_as_into_the_file_store_keeps_every_secret() {
    let mut env = TestEnv::new();
    env.set_all(&no_dbus_env());
    // The latency lines the runs up: their answers, and so their writes, come at once.
    let sb = Sandbox::start(&[], &["--latency", "300"]);
    // Logged in one after the other: only the --save-as runs race.
    for i in 0..N {
        env.cmd()
            .args([
                "auth",
                "login",
                "-p",
                &format!("l{i}"),
                "--account",
                &sb.account_id,
                "--base-url",
                &sb.base_url,
                "--with-token",
                "--insecure-storage",
            ])
            .write_stdin(sb.token.clone())
            .assert()
            .success();
    }
    // Each run issues a token with profile lI and saves it as lI, in credentials.toml.
    let outs = parallel(
        &env,
        |i| {
            [
                "-p",
                &format!("l{i}"),
                "tokens",
                "create",
                "--name",
                &format!("saved-{i}"),
                "--permission",
                "Account API Tokens Read",
                "--save-as",
                &format!("l{i}"),
                "--json",
            ]
            .map(String::from)
            .to_vec()
        },
        "",
    );
    assert_all_succeeded(&outs);
    let secrets = stored_secrets(&env);
    assert_eq!(secrets.len(), N, "{secrets:?}");
    for (i, o) in outs.iter().enumerate() {
        let value = stdout_json(o)["value"].as_str().expect("value").to_owned();
        assert!(
            secrets.contains(&(format!("l{i}"), value)),
            "profile l{i} keeps its new secret: {secrets:?}"
        );
    }
    assert_eq!(profile_names(&env).len(), N);
}

#[test]
fn profile_add_keeps_a_symlinked_config() {
    let env = TestEnv::new();
    let real = env.path("dotfiles/tokenctl.toml");
    std::fs::create_dir_all(real.parent().expect("dir")).expect("mkdir");
    std::fs::write(&real, "").expect("write");
    std::fs::create_dir_all(env.config_dir()).expect("mkdir");
    let link = env.config_dir().join("config.toml");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    env.cmd()
        .args(["profile", "add", "prod", "--vendor", "cloudflare"])
        .assert()
        .success();
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("meta")
            .file_type()
            .is_symlink(),
        "config.toml is still a link"
    );
    assert!(
        std::fs::read_to_string(&real)
            .expect("read")
            .contains("[profiles.prod]")
    );
    assert_eq!(profile_names(&env), vec!["prod".to_owned()]);
}

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
fn a_device_is_never_a_secret_file() {
    let before = std::fs::metadata("/dev/null").expect("meta");
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    sb.clear_requests();
    env.cmd()
        .args([
            "tokens",
            "create",
            "--name",
            "dev",
            "--permission",
            "DNS Read",
            "--secret-file",
            "/dev/null",
            "--force",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/dev/null is not a regular file"));
    assert!(sb.requests().is_empty());

    let b = Bulk::new(Noun::ServiceTokens);
    b.cmd(&["create", "--name", "dev-1"]).assert().success();
    b.sb.clear_requests();
    b.cmd(&[
        "rotate",
        "--name",
        "dev-*",
        "--secret-file",
        "/dev/null",
        "--force",
        "--yes",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains("/dev/null is not a regular file"));
    assert!(b.sb.requests().is_empty());

    let after = std::fs::metadata("/dev/null").expect("meta");
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    assert!(after.file_type().is_char_device());
    assert_eq!(before.mode(), after.mode(), "/dev/null keeps its mode");
}

/// The tool with writes to regular files limited to 0 bytes (EFBIG, not SIGXFSZ): a secret
/// file cannot be written, the terminal and pipes still can.
fn no_file_writes(env: &TestEnv, args: &[&str]) -> Output {
    StdCommand::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 0; exec \"$0\" \"$@\"")
        .arg(BIN)
        .args(args)
        .env_clear()
        .envs(env.vars().iter().cloned())
        .output()
        .expect("run")
}

#[test]
fn a_failed_secret_file_write_leaves_nothing_and_still_prints_the_secret() {
    let mut env = TestEnv::new();
    let _sb = env.sandbox();
    let dir = env.path("out");
    std::fs::create_dir(&dir).expect("mkdir");
    let file = dir.join("ci.token");
    let f = file.to_str().expect("path");
    let create = |name: &str| {
        [
            "tokens",
            "create",
            "--name",
            name,
            "--permission",
            "DNS Read",
            "--secret-file",
            f,
            "--json",
        ]
        .map(String::from)
    };
    let args = create("big");
    let out = no_file_writes(&env, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let value = stdout_json(&out)["value"]
        .as_str()
        .expect("value")
        .to_owned();
    assert!(!value.is_empty());
    assert!(text(&out.stderr).contains(f));
    assert!(
        names_in(&dir).is_empty(),
        "nothing left: {:?}",
        names_in(&dir)
    );
    // A retry needs no --force.
    env.cmd().args(create("again")).assert().success();
    assert_eq!(mode(&file), 0o600);

    // Bulk: the same.
    let b = Bulk::new(Noun::ServiceTokens);
    b.cmd(&["create", "--name", "big-1"]).assert().success();
    let bulk_file = dir.join("fleet.json");
    let out = no_file_writes(
        &b.env,
        &[
            "service-tokens",
            "rotate",
            "--name",
            "big-*",
            "--secret-file",
            bulk_file.to_str().expect("path"),
            "--yes",
            "--json",
        ],
    );
    assert_ne!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("client_secret"));
    assert!(!bulk_file.exists());
    assert_eq!(names_in(&dir), vec!["ci.token".to_owned()]);
}

#[test]
fn stale_temp_files_of_dead_runs_are_removed() {
    let mut env = TestEnv::new();
    let _sb = env.sandbox();
    let dir = env.path("out");
    std::fs::create_dir(&dir).expect("mkdir");
    let pid = dead_pid();
    let stale = dir.join(format!(".ci.token.{pid}.tmp"));
    let stale_bulk = dir.join(format!(".fleet.json.{pid}.tmp"));
    let stale_other = dir.join(format!(".other.token.{pid}.0badcafe.tmp"));
    let unrelated = dir.join(format!(".other.{pid}.tmp"));
    for p in [&stale, &stale_bulk, &stale_other, &unrelated] {
        std::fs::write(p, "old secret").expect("write");
    }
    env.cmd()
        .args([
            "tokens",
            "create",
            "--name",
            "fresh",
            "--permission",
            "DNS Read",
            "--secret-file",
            dir.join("ci.token").to_str().expect("path"),
        ])
        .assert()
        .success();
    assert!(!stale.exists());
    assert!(
        !stale_other.exists(),
        "the current shape goes whatever the name"
    );
    assert!(
        unrelated.exists(),
        "the older shape goes only for the name written"
    );

    let b = Bulk::new(Noun::ServiceTokens);
    b.cmd(&["create", "--name", "stale-1"]).assert().success();
    b.cmd(&[
        "rotate",
        "--name",
        "stale-*",
        "--secret-file",
        dir.join("fleet.json").to_str().expect("path"),
        "--yes",
    ])
    .assert()
    .success();
    assert!(!stale_bulk.exists());

    // config.toml's temp files too.
    std::fs::create_dir_all(env.config_dir()).expect("mkdir");
    let stale_config = env
        .config_dir()
        .join(format!(".config.toml.{pid}.0badcafe.tmp"));
    std::fs::write(&stale_config, "").expect("write");
    env.cmd()
        .args(["profile", "add", "prod", "--vendor", "cloudflare"])
        .assert()
        .success();
    assert!(!stale_config.exists());
}

#[test]
fn a_forced_secret_file_replaces_a_regular_file_through_its_link() {
    let mut env = TestEnv::new();
    let _sb = env.sandbox();
    let real = env.path("real.token");
    std::fs::write(&real, "old").expect("write");
    let link = env.path("link.token");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let out = env
        .cmd()
        .args([
            "tokens",
            "create",
            "--name",
            "linked",
            "--permission",
            "DNS Read",
            "--secret-file",
            link.to_str().expect("path"),
            "--force",
            "--json",
        ])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let value: Value = stdout_json(&out)["value"].clone();
    assert_eq!(
        std::fs::read_to_string(&real).expect("read").trim(),
        value.as_str().expect("value")
    );
    assert_eq!(mode(&real), 0o600);
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("meta")
            .file_type()
            .is_symlink()
    );
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
