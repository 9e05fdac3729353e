//! Shell completion, driven through real bash: the registration script `tokenctl completion
//! bash` prints is sourced, COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT are set as bash sets
//! them on TAB, the completion function runs, and COMPREPLY is what we check.

use std::path::Path;
use std::process::Command as StdCommand;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{BIN, Sandbox, TestEnv, stdout_json, text};
use crate::support::keyring::KeyringSession;

struct Completed {
    candidates: Vec<String>,
    stderr: String,
    took: Duration,
}

impl Completed {
    /// Candidates that are values, not flags.
    fn values(&self) -> Vec<&str> {
        self.candidates
            .iter()
            .map(String::as_str)
            .filter(|c| !c.starts_with('-'))
            .collect()
    }
}

fn quote(w: &str) -> String {
    format!("'{}'", w.replace('\'', r"'\''"))
}

/// Presses TAB at the end of `line` (a trailing space starts a new, empty word).
fn complete(env: &TestEnv, line: &str) -> Completed {
    let script = env.path("tokenctl.bash");
    if !script.exists() {
        let out = env
            .cmd()
            .args(["completion", "bash"])
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", text(&out.stderr));
        std::fs::write(&script, &out.stdout).expect("write script");
    }
    let words: Vec<&str> = line.split(' ').collect();
    let cword = words.len() - 1;
    let program = format!(
        "source {script}\n\
         COMP_WORDS=({words})\n\
         COMP_CWORD={cword}\n\
         COMP_LINE={line}\n\
         COMP_POINT=${{#COMP_LINE}}\n\
         COMP_TYPE=9\n\
         _clap_complete_tokenctl tokenctl {cur} {prev}\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script = quote(&script.display().to_string()),
        words = words.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" "),
        line = quote(line),
        cur = quote(words[cword]),
        prev = quote(words[cword.saturating_sub(1)]),
    );
    // The script calls `tokenctl` by name, as an installed one would be.
    let bin_dir = Path::new(BIN).parent().expect("bin dir");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let started = Instant::now();
    let out = StdCommand::new("bash")
        .args(["--noprofile", "--norc", "-c", &program])
        .env_clear()
        .envs(env.vars().iter().cloned())
        .env("PATH", path)
        .output()
        .expect("run bash");
    let took = started.elapsed();
    assert!(out.status.success(), "bash failed: {}", text(&out.stderr));
    Completed {
        candidates: text(&out.stdout)
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        stderr: text(&out.stderr),
        took,
    }
}

fn has(c: &Completed, wanted: &[&str]) {
    for w in wanted {
        assert!(
            c.candidates.iter().any(|x| x == w),
            "{w} missing from {:?}",
            c.candidates
        );
    }
}

/// Two Cloudflare profiles and a Mailtrap one; `good` points at `base_url`.
fn write_profiles(env: &TestEnv, base_url: &str, account: &str) {
    let dir = env.config_dir();
    std::fs::create_dir_all(&dir).expect("config dir");
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[profiles.good]\nvendor = \"cloudflare\"\nbase_url = \"{base_url}\"\naccount_id = \"{account}\"\n\n\
             [profiles.gone]\nvendor = \"cloudflare\"\nbase_url = \"http://127.0.0.1:9/client/v4\"\naccount_id = \"{account}\"\n\n\
             [profiles.mail]\nvendor = \"mailtrap\"\naccount_id = \"3229\"\n"
        ),
    )
    .expect("config");
}

fn ids_and_names(list: &Value) -> (Vec<String>, Vec<String>) {
    let items = list.as_array().expect("array");
    let get = |k: &str| -> Vec<String> {
        items
            .iter()
            .map(|t| t[k].as_str().expect(k).to_owned())
            .collect()
    };
    (get("id"), get("name"))
}

#[test]
fn subcommands_flags_and_values() {
    let env = TestEnv::new();
    let c = complete(&env, "tokenctl ");
    has(
        &c,
        &[
            "auth",
            "profile",
            "tokens",
            "service-tokens",
            "api-tokens",
            "project-tokens",
            "sandbox",
            "completion",
        ],
    );
    assert!(c.stderr.is_empty(), "{}", c.stderr);

    let c = complete(&env, "tokenctl service-tokens r");
    assert_eq!(c.candidates, ["refresh", "rotate"]);

    let c = complete(&env, "tokenctl tokens list --");
    has(
        &c,
        &[
            "--include-expired",
            "--status",
            "--name",
            "--json",
            "--profile",
            "--sandbox",
        ],
    );
    assert!(!c.candidates.iter().any(|x| x == "list"));

    let c = complete(&env, "tokenctl tokens list --status ");
    assert_eq!(c.values(), ["active", "disabled", "expired"]);

    let c = complete(&env, "tokenctl completion ");
    has(&c, &["bash", "zsh", "fish", "powershell", "elvish"]);
}

#[test]
fn profile_names_after_p_from_the_config_file() {
    let env = TestEnv::new();
    // Nothing configured: nothing offered, nothing printed.
    let c = complete(&env, "tokenctl -p ");
    assert!(c.values().is_empty(), "{:?}", c.candidates);
    assert!(c.stderr.is_empty(), "{}", c.stderr);

    write_profiles(&env, "http://127.0.0.1:9/client/v4", &"a".repeat(32));
    let c = complete(&env, "tokenctl -p ");
    assert_eq!(c.values(), ["gone", "good", "mail"]);
    let c = complete(&env, "tokenctl tokens list --profile g");
    assert_eq!(c.values(), ["gone", "good"]);
    // In sandbox mode the sandbox's own profiles are offered too.
    let c = complete(&env, "tokenctl --sandbox -p sandbox-");
    assert_eq!(
        c.values(),
        [
            "sandbox-cloudflare",
            "sandbox-mailtrap",
            "sandbox-prefactor",
            "sandbox-mosquitto"
        ]
    );
}

#[test]
fn token_ids_and_names_from_the_api_then_from_the_cache() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    let listed = env
        .cmd()
        .args(["tokens", "list", "--include-expired", "-o", "json"])
        .output()
        .expect("list");
    let (ids, names) = ids_and_names(&stdout_json(&listed));
    sb.clear_requests();

    let first = complete(&env, "tokenctl tokens get ");
    assert!(first.stderr.is_empty(), "{}", first.stderr);
    assert!(
        !first.candidates.contains(&sb.token),
        "the API token is offered"
    );
    let values = first.values();
    for id in &ids {
        assert!(values.contains(&id.as_str()), "{id} missing");
    }
    assert!(values.contains(&"ci-deploy-prod"), "{values:?}");
    for v in &values {
        assert!(
            ids.contains(&(*v).to_owned()) || names.contains(&(*v).to_owned()),
            "{v} is neither an ID nor a name"
        );
    }
    let fetched = sb.request_lines();
    assert!(
        fetched
            .iter()
            .any(|r| r.starts_with("GET ") && r.ends_with("/tokens")),
        "{fetched:?}"
    );

    // Within the TTL the second TAB is answered from the cache: no request at all.
    sb.clear_requests();
    let second = complete(&env, "tokenctl tokens get ci-");
    assert_eq!(sb.request_lines(), Vec::<String>::new());
    assert!(!second.values().is_empty());
    assert!(
        second.values().iter().all(|v| v.starts_with("ci-")),
        "{:?}",
        second.candidates
    );

    // The cache holds IDs and names, 0600, and nothing secret.
    let dir = env.path(".cache/tokenctl/completion");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .expect("cache dir")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let raw = std::fs::read_to_string(&files[0]).expect("read cache");
    assert!(!raw.contains(&sb.token), "the cache holds the API token");
    let cached: Value = serde_json::from_str(&raw).expect("json");
    for item in cached["items"].as_array().expect("items") {
        let keys: Vec<&String> = item.as_object().expect("object").keys().collect();
        assert!(keys.iter().all(|k| *k == "id" || *k == "name"), "{keys:?}");
    }
    #[cfg(unix)]
    {
        assert_eq!(crate::common::mode(&files[0]), 0o600);
        assert_eq!(crate::common::mode(&dir), 0o700);
    }
}

#[test]
fn service_tokens_rotate_honours_sandbox_on_the_line_and_in_the_environment() {
    let mut env = TestEnv::new();
    let listed = env
        .cmd()
        .args(["--sandbox", "service-tokens", "list", "-o", "json"])
        .output()
        .expect("list");
    let (ids, _) = ids_and_names(&stdout_json(&listed));
    assert!(!ids.is_empty());

    let c = complete(&env, "tokenctl --sandbox service-tokens rotate ");
    assert!(c.stderr.is_empty(), "{}", c.stderr);
    for id in &ids {
        assert!(c.values().contains(&id.as_str()), "{id} missing");
    }
    // Without --sandbox there is no profile and no credential: nothing to offer.
    let c = complete(&env, "tokenctl service-tokens rotate ");
    assert!(c.values().is_empty(), "{:?}", c.candidates);
    env.set("TOKENCTL_SANDBOX", "1");
    let c = complete(&env, "tokenctl service-tokens rotate ");
    assert!(c.values().contains(&ids[0].as_str()));

    // No secret of a service token reaches the cache.
    for entry in std::fs::read_dir(env.path(".cache/tokenctl/completion")).expect("dir") {
        let raw = std::fs::read_to_string(entry.expect("entry").path()).expect("read");
        assert!(!raw.contains("client_secret"), "{raw}");
        assert!(!raw.contains(".access"), "{raw}");
    }
}

#[test]
fn the_profile_typed_on_the_line_decides_where_tokens_come_from() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    // Credentials from the environment, endpoints from the profiles.
    env.set("CLOUDFLARE_BASE_URL", "");
    env.set("CLOUDFLARE_ACCOUNT_ID", "");
    write_profiles(&env, &sb.base_url, &sb.account_id);

    let good = complete(&env, "tokenctl -p good tokens delete ");
    assert!(
        good.values().contains(&"ci-deploy-prod"),
        "{:?}",
        good.candidates
    );
    let gone = complete(&env, "tokenctl tokens delete --profile=gone ");
    assert!(gone.values().is_empty(), "{:?}", gone.candidates);
    // Two Cloudflare profiles and no default: the command would refuse, so nothing is offered.
    let neither = complete(&env, "tokenctl tokens delete ");
    assert!(neither.values().is_empty(), "{:?}", neither.candidates);
    env.set("TOKENCTL_PROFILE", "good");
    let from_env = complete(&env, "tokenctl tokens delete ");
    assert!(from_env.values().contains(&"ci-deploy-prod"));
    for c in [&good, &gone, &neither, &from_env] {
        assert!(c.stderr.is_empty(), "{}", c.stderr);
    }
}

#[test]
fn an_endpoint_that_never_answers_or_no_credential_yields_nothing_quickly() {
    // Accepts connections (the kernel does) but never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let mut env = TestEnv::new();
    env.set(
        "CLOUDFLARE_BASE_URL",
        &format!("http://{}/client/v4", silent.local_addr().expect("addr")),
    )
    .set("CLOUDFLARE_ACCOUNT_ID", &"a".repeat(32))
    .set("CLOUDFLARE_API_TOKEN", "completion-test-token-value");
    let c = complete(&env, "tokenctl tokens get ");
    assert!(c.values().is_empty(), "{:?}", c.candidates);
    assert!(c.stderr.is_empty(), "{}", c.stderr);
    assert!(c.took < Duration::from_secs(2), "took {:?}", c.took);
    assert!(
        !c.candidates
            .iter()
            .any(|v| v.contains("completion-test-token"))
    );
    // A failed fetch is not cached.
    assert!(!env.path(".cache/tokenctl/completion").exists());

    let bare = TestEnv::new();
    let c = complete(&bare, "tokenctl api-tokens revoke ");
    assert!(c.values().is_empty(), "{:?}", c.candidates);
    assert!(c.stderr.is_empty(), "{}", c.stderr);
    assert!(c.took < Duration::from_secs(2), "took {:?}", c.took);
}

#[test]
fn every_shell_gets_a_script_that_calls_tokenctl_by_name() {
    let env = TestEnv::new();
    // A copy of the binary under another path prints the same scripts.
    let copy = env.path("bin/other-name");
    std::fs::create_dir_all(copy.parent().expect("dir")).expect("mkdir");
    std::fs::copy(BIN, &copy).expect("copy");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = env.cmd().args(["completion", shell]).output().expect("run");
        assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        assert!(script.contains("TOKENCTL_COMPLETE"), "{shell}: {script}");
        assert!(script.contains("tokenctl"), "{shell}");
        assert!(!script.contains(BIN), "{shell} names the build path");
        let again = StdCommand::new(&copy)
            .args(["completion", shell])
            .env_clear()
            .envs(env.vars().iter().cloned())
            .output()
            .expect("run copy");
        assert_eq!(text(&again.stdout), script, "{shell}");
    }
    let zsh = env.cmd().args(["completion", "zsh"]).output().expect("zsh");
    assert!(text(&zsh.stdout).starts_with("#compdef tokenctl"));
    // Check the syntax where the shell is installed (it need not be).
    for (shell, check) in [("zsh", "-n"), ("fish", "--no-execute")] {
        if StdCommand::new(shell).arg("--version").output().is_ok() {
            let file = env.path(&format!("script.{shell}"));
            let out = env.cmd().args(["completion", shell]).output().expect("run");
            std::fs::write(&file, &out.stdout).expect("write");
            let status = StdCommand::new(shell)
                .arg(check)
                .arg(&file)
                .status()
                .expect("syntax check");
            assert!(status.success(), "{shell} rejects its script");
        }
    }
}

/// Profiles `filed` (secret in credentials.toml) and `keyed` (secret in the keyring) on the
/// sandbox, with no credential in the environment.
fn stored_profiles(env: &mut TestEnv, sb: &Sandbox) {
    for var in [
        "CLOUDFLARE_BASE_URL",
        "CLOUDFLARE_ACCOUNT_ID",
        "CLOUDFLARE_API_TOKEN",
    ] {
        env.set(var, "");
    }
    let dir = env.config_dir();
    std::fs::create_dir_all(&dir).expect("config dir");
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[profiles.filed]\nvendor = \"cloudflare\"\nbase_url = \"{url}\"\naccount_id = \"{acc}\"\nstorage = \"file\"\n\n\
             [profiles.keyed]\nvendor = \"cloudflare\"\nbase_url = \"{url}\"\naccount_id = \"{acc}\"\n",
            url = sb.base_url,
            acc = sb.account_id
        ),
    )
    .expect("config");
    std::fs::write(
        dir.join("credentials.toml"),
        format!("filed = \"{}\"\n", sb.token),
    )
    .expect("credentials");
}

fn assert_cache_free_of(env: &TestEnv, secret: &str) {
    for entry in std::fs::read_dir(env.path(".cache/tokenctl/completion")).expect("cache") {
        let raw = std::fs::read_to_string(entry.expect("entry").path()).expect("read");
        assert!(!raw.contains(secret), "the cache holds the stored secret");
    }
}

#[test]
fn a_secret_in_the_file_store_is_used_and_no_keyring_offers_nothing_quickly() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    stored_profiles(&mut env, &sb);

    let filed = complete(&env, "tokenctl -p filed tokens roll ");
    assert!(
        filed.values().contains(&"ci-deploy-prod"),
        "{:?}",
        filed.candidates
    );
    assert!(!filed.candidates.contains(&sb.token));
    assert_cache_free_of(&env, &sb.token);

    // The keyring is unreachable here (no session bus): nothing offered, nothing printed.
    let keyed = complete(&env, "tokenctl -p keyed tokens roll ");
    assert!(keyed.values().is_empty(), "{:?}", keyed.candidates);
    assert!(keyed.stderr.is_empty(), "{}", keyed.stderr);
    assert!(keyed.took < Duration::from_secs(2), "took {:?}", keyed.took);
}

#[test]
fn a_secret_in_the_keyring_is_used_and_a_locked_keyring_offers_nothing_quickly() {
    let mut env = TestEnv::new();
    let sb = env.sandbox();
    stored_profiles(&mut env, &sb);
    let keyring = KeyringSession::start();
    env.set_all(&keyring.env());
    keyring.store("tokenctl", "keyed", &sb.token);

    let keyed = complete(&env, "tokenctl -p keyed tokens update ");
    assert!(
        keyed.values().contains(&"ci-deploy-prod"),
        "{:?}",
        keyed.candidates
    );
    assert!(keyed.stderr.is_empty(), "{}", keyed.stderr);
    assert_cache_free_of(&env, &sb.token);

    // Locked (as after a screen lock), with no cache: no prompt, no error, no wait.
    std::fs::remove_dir_all(env.path(".cache/tokenctl/completion")).expect("clear cache");
    keyring.lock();
    let locked = complete(&env, "tokenctl -p keyed tokens update ");
    assert!(locked.values().is_empty(), "{:?}", locked.candidates);
    assert!(locked.stderr.is_empty(), "{}", locked.stderr);
    assert!(
        locked.took < Duration::from_secs(2),
        "took {:?}",
        locked.took
    );
}
