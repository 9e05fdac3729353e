//! Files on disk under concurrency and hostility: config.toml, credentials.toml, secret files
//! and input files.

mod inputs;
mod secret_files;

use std::io::Write;
use std::path::Path;
use std::process::{Command as StdCommand, Output, Stdio};

use crate::common::{BIN, Sandbox, TestEnv, stdout_json, text};
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

/// The same logins one after the other, when only what follows is meant to race.
fn log_in_one_by_one(env: &TestEnv, sb: &Sandbox) {
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
fn parallel_logouts_and_removes_forget_every_one() {
    let mut env = TestEnv::new();
    env.set_all(&no_dbus_env());
    let sb = Sandbox::start(&[], &[]);
    log_in_one_by_one(&env, &sb);
    let each = |verb: &'static [&'static str]| {
        move |i: usize| {
            let mut v: Vec<String> = verb.iter().map(|s| s.to_string()).collect();
            v.push(format!("l{i}"));
            v
        }
    };
    assert_all_succeeded(&parallel(&env, each(&["auth", "logout", "-p"]), ""));
    assert_eq!(stored_secrets(&env), Vec::new());
    assert_all_succeeded(&parallel(&env, each(&["profile", "remove"]), ""));
    assert_eq!(profile_names(&env), Vec::<String>::new());
}

#[test]
fn parallel_save_as_into_the_file_store_keeps_every_secret() {
    let mut env = TestEnv::new();
    env.set_all(&no_dbus_env());
    // The latency lines the runs up: their answers, and so their writes, come at once.
    let sb = Sandbox::start(&[], &["--latency", "300"]);
    log_in_one_by_one(&env, &sb);
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
