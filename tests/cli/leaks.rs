//! Secrets go only where the user asked: every verb of every noun at `-vvv`, with every way of
//! passing a credential, then every byte of stdout, stderr and every file written is searched for
//! every credential used and every secret the sandbox issued.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::common::{Sandbox, TestEnv, mode, text};
use crate::support::keyring::KeyringSession;

/// One run of the tool and what its stdout may hold.
struct Run {
    label: String,
    out: Output,
    /// Secrets this run's stdout may show (the one it issued; `auth token`'s credential).
    allowed: Vec<String>,
}

/// Everything a scenario did: the runs, the credentials involved and the secrets issued.
#[derive(Default)]
struct Record {
    runs: Vec<Run>,
    credentials: BTreeSet<String>,
    issued: BTreeSet<String>,
    /// Secret files and the one secret each may hold.
    secret_files: Vec<(PathBuf, String)>,
}

impl Record {
    /// Runs `args` at `-vvv`; the run must succeed.
    fn run(&mut self, env: &TestEnv, args: &[&str]) -> Value {
        self.run_stdin(env, args, None)
    }

    fn run_stdin(&mut self, env: &TestEnv, args: &[&str], stdin: Option<&str>) -> Value {
        let mut cmd = env.cmd();
        cmd.arg("-vvv").args(args);
        if let Some(s) = stdin {
            cmd.write_stdin(s.to_owned());
        }
        let out = cmd.output().expect("run");
        assert!(
            out.status.success(),
            "{args:?} failed ({:?}): {}",
            out.status.code(),
            text(&out.stderr)
        );
        let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        self.runs.push(Run {
            label: format!("{args:?}"),
            out,
            allowed: vec![],
        });
        v
    }

    /// A run that issues a secret: `field` of its JSON output (a dotted path) is the secret,
    /// which its stdout alone may show.
    fn issue(&mut self, env: &TestEnv, args: &[&str], field: &str) -> String {
        let v = self.run(env, args);
        let secret = field
            .split('.')
            .fold(&v, |v, k| &v[k])
            .as_str()
            .unwrap_or_else(|| panic!("{args:?}: no {field} in {v}"))
            .to_owned();
        assert!(secret.len() >= 12, "{args:?}: a short secret {secret:?}");
        self.issued.insert(secret.clone());
        self.runs
            .last_mut()
            .expect("run")
            .allowed
            .push(secret.clone());
        if let Some(i) = args.iter().position(|a| *a == "--secret-file") {
            self.secret_files
                .push((PathBuf::from(args[i + 1]), secret.clone()));
        }
        secret
    }

    fn credential(&mut self, secret: &str) {
        assert!(secret.len() >= 12, "a short credential {secret:?}");
        self.credentials.insert(secret.to_owned());
    }

    fn all_secrets(&self) -> BTreeSet<String> {
        self.credentials.union(&self.issued).cloned().collect()
    }

    /// Every run's output against every secret.
    fn check_outputs(&self) -> Vec<String> {
        let all = self.all_secrets();
        let mut found = Vec::new();
        for run in &self.runs {
            let (stdout, stderr) = (text(&run.out.stdout), text(&run.out.stderr));
            for s in &all {
                if stderr.contains(s.as_str()) {
                    found.push(format!("stderr of {}: {}", run.label, which(s, self)));
                }
                if stdout.contains(s.as_str()) && !run.allowed.contains(s) {
                    found.push(format!("stdout of {}: {}", run.label, which(s, self)));
                }
            }
        }
        found
    }
}

fn which(s: &str, r: &Record) -> String {
    let kind = if r.credentials.contains(s) {
        "credential"
    } else {
        "issued secret"
    };
    format!("{kind} …{}", &s[s.len().saturating_sub(4)..])
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The connection's value for `key`.
fn conn(sb: &Sandbox, vendor: &str, key: &str) -> String {
    sb.connections[vendor][key]
        .as_str()
        .unwrap_or_else(|| panic!("no {vendor}.{key} in {}", sb.connections))
        .to_owned()
}

#[test]
fn secrets_go_only_where_asked() {
    let keyring = KeyringSession::start();
    let mut env = TestEnv::new();
    env.set_all(&keyring.env());
    // Only the bus comes from the keyring session: files stay under the test's HOME.
    let data_home = env.path(".local/share").display().to_string();
    env.set("XDG_DATA_HOME", &data_home);
    let sb = Sandbox::start(&[], &[]);
    let mut r = Record::default();
    for (v, k) in [
        ("cloudflare", "token"),
        ("mailtrap", "token"),
        ("prefactor", "token"),
        ("mosquitto", "token"),
    ] {
        r.credential(&conn(&sb, v, k));
    }
    r.credential(&sb.api_key);
    let secrets_dir = env.path("secrets");
    std::fs::create_dir(&secrets_dir).expect("mkdir");
    let sf = |name: &str| secrets_dir.join(name).display().to_string();

    // 1. CLOUDFLARE_API_TOKEN: every verb of `tokens` and `service-tokens`.
    let mut cf = TestEnv::new();
    cf.set_all(env.vars());
    cf.set("CLOUDFLARE_BASE_URL", &sb.base_url)
        .set("CLOUDFLARE_ACCOUNT_ID", &sb.account_id)
        .set("CLOUDFLARE_API_TOKEN", &sb.token);
    cloudflare_tokens(&mut r, &cf, "env", &sf);
    service_tokens(&mut r, &cf, "env", &sf);

    // 2. TOKENCTL_TOKEN instead.
    let mut tt = TestEnv::new();
    tt.set_all(env.vars());
    tt.set("CLOUDFLARE_BASE_URL", &sb.base_url)
        .set("CLOUDFLARE_ACCOUNT_ID", &sb.account_id)
        .set("TOKENCTL_TOKEN", &sb.token);
    cloudflare_tokens(&mut r, &tt, "tt", &sf);

    // 3. A Global API Key, for service tokens.
    let mut gk = TestEnv::new();
    gk.set_all(env.vars());
    gk.set("CLOUDFLARE_BASE_URL", &sb.base_url)
        .set("CLOUDFLARE_ACCOUNT_ID", &sb.account_id)
        .set("CLOUDFLARE_EMAIL", &sb.email)
        .set("CLOUDFLARE_API_KEY", &sb.api_key);
    service_tokens(&mut r, &gk, "gk", &sf);

    // 4. A keyring profile, logged in from stdin; `--save-as` into the keyring.
    r.run_stdin(
        &env,
        &[
            "auth",
            "login",
            "-p",
            "kr",
            "--with-token",
            "--account",
            &sb.account_id,
            "--base-url",
            &sb.base_url,
        ],
        Some(&format!("{}\n", sb.token)),
    );
    let kr = env_with(&env, &["-p", "kr"]);
    cloudflare_tokens(&mut r, &kr, "kr", &sf);
    service_tokens(&mut r, &kr, "kr", &sf);
    let saved = r.issue(
        &kr,
        &[
            "tokens",
            "create",
            "--name",
            "leak-saved",
            "--permission",
            "DNS Write",
            "--resource",
            "zones",
            "--save-as",
            "saved",
            "--json",
        ],
        "value",
    );
    assert_eq!(
        keyring.lookup("tokenctl", "saved").as_deref(),
        Some(saved.as_str())
    );
    r.run(&env, &["-p", "saved", "tokens", "verify", "--json"]);
    auth_verbs(&mut r, &env, "kr", &sb.token);

    // 5. The insecure file store.
    r.run_stdin(
        &env,
        &[
            "auth",
            "login",
            "-p",
            "file",
            "--with-token",
            "--insecure-storage",
            "--account",
            &sb.account_id,
            "--base-url",
            &sb.base_url,
        ],
        Some(&format!("{}\n", sb.token)),
    );
    let file = env_with(&env, &["-p", "file"]);
    cloudflare_tokens(&mut r, &file, "file", &sf);
    auth_verbs(&mut r, &env, "file", &sb.token);

    // 6. Mailtrap, Prefactor and Mosquitto from their variables.
    let mut mt = TestEnv::new();
    mt.set_all(env.vars());
    mt.set("MAILTRAP_BASE_URL", &conn(&sb, "mailtrap", "base_url"))
        .set("MAILTRAP_ACCOUNT_ID", &conn(&sb, "mailtrap", "account_id"))
        .set("MAILTRAP_API_TOKEN", &conn(&sb, "mailtrap", "token"));
    let mt_account = conn(&sb, "mailtrap", "account_id");
    mailtrap(&mut r, &mt, "env", &mt_account, &sf);
    let mut pf = TestEnv::new();
    pf.set_all(env.vars());
    pf.set("PREFACTOR_BASE_URL", &conn(&sb, "prefactor", "base_url"))
        .set("PREFACTOR_API_TOKEN", &conn(&sb, "prefactor", "token"));
    prefactor(&mut r, &pf, "env");
    let mut mq = TestEnv::new();
    mq.set_all(env.vars());
    mq.set("MOSQUITTO_URL", &conn(&sb, "mosquitto", "base_url"))
        .set("MOSQUITTO_API_TOKEN", &conn(&sb, "mosquitto", "token"));
    mosquitto(
        &mut r,
        &mq,
        "env",
        &conn(&sb, "mosquitto", "project_id"),
        &sf,
    );

    // 7. The built-in sandbox profiles (their credentials are read back with `auth token`).
    for p in [
        "sandbox-cloudflare",
        "sandbox-mailtrap",
        "sandbox-prefactor",
        "sandbox-mosquitto",
    ] {
        let out = env
            .cmd()
            .args(["--sandbox", "-p", p, "auth", "token"])
            .output()
            .expect("run");
        let t = text(&out.stdout).trim().to_owned();
        if out.status.success() && !t.is_empty() {
            r.credential(&t);
        }
    }
    let sbx = env_with(&env, &["--sandbox"]);
    cloudflare_tokens(&mut r, &sbx, "sbx", &sf);
    service_tokens(&mut r, &sbx, "sbx", &sf);
    mailtrap(
        &mut r,
        &env_with(&env, &["--sandbox", "-p", "sandbox-mailtrap"]),
        "sbx",
        &mt_account,
        &sf,
    );
    prefactor(
        &mut r,
        &env_with(&env, &["--sandbox", "-p", "sandbox-prefactor"]),
        "sbx",
    );
    mosquitto(
        &mut r,
        &env_with(&env, &["--sandbox", "-p", "sandbox-mosquitto"]),
        "sbx",
        "",
        &sf,
    );
    r.run(&env, &["profile", "list", "--json"]);
    r.run(&env, &["profile", "show", "kr"]);
    r.run(&env, &["auth", "status"]);

    // Outputs.
    let mut found = r.check_outputs();

    // Files: config.toml never holds a secret; credentials.toml may; a secret file only its own
    // secret; the sandbox's own state (the emulated vendor's database) is the server's side.
    let all = r.all_secrets();
    let sandbox_state = env.path(".local/share/tokenctl/sandbox");
    let mut files = Vec::new();
    files_under(env.home.path(), &mut files);
    for f in &files {
        if f.starts_with(&sandbox_state) || f.file_name().is_some_and(|n| n == "credentials.toml") {
            continue;
        }
        let body = String::from_utf8_lossy(&std::fs::read(f).expect("read")).into_owned();
        let own = r
            .secret_files
            .iter()
            .find(|(p, _)| p == f)
            .map(|(_, s)| s.as_str());
        for s in &all {
            if body.contains(s.as_str()) && own != Some(s.as_str()) {
                found.push(format!("file {}: {}", f.display(), which(s, &r)));
            }
        }
    }
    // The search sees what it should: each secret file holds its secret.
    for (p, secret) in &r.secret_files {
        assert!(files.contains(p), "{} not searched", p.display());
        let body = std::fs::read_to_string(p).expect("secret file");
        assert!(
            body.contains(secret.as_str()),
            "{} lacks its secret",
            p.display()
        );
    }
    let creds = env.config_dir().join("credentials.toml");
    assert!(creds.exists(), "the insecure store was used");
    assert!(
        std::fs::read_to_string(&creds)
            .expect("read")
            .contains(&sb.token)
    );

    // Modes: every file tokenctl wrote 0600, every directory of its own 0700.
    let mut modes = Vec::new();
    let mut check_mode = |p: &Path, want: u32| {
        if mode(p) != want {
            modes.push(format!("{} is {:o}, not {want:o}", p.display(), mode(p)));
        }
    };
    for (p, _) in &r.secret_files {
        check_mode(p, 0o600);
    }
    for root in [env.config_dir(), env.path(".local/share/tokenctl")] {
        assert!(root.is_dir(), "{} exists", root.display());
        check_mode(&root, 0o700);
        let mut under = Vec::new();
        files_under(&root, &mut under);
        for f in under {
            check_mode(&f, 0o600);
            let mut d = f.parent();
            while let Some(dir) = d.filter(|d| d.starts_with(&root)) {
                check_mode(dir, 0o700);
                d = dir.parent();
            }
        }
    }
    modes.sort();
    modes.dedup();
    found.extend(modes);

    assert!(
        r.issued.len() >= 20,
        "only {} secrets issued: {:?}",
        r.issued.len(),
        r.runs.iter().map(|x| &x.label).collect::<Vec<_>>()
    );
    assert!(
        found.is_empty(),
        "{} runs, {} credentials, {} issued secrets; leaks:\n{}",
        r.runs.len(),
        r.credentials.len(),
        r.issued.len(),
        found.join("\n")
    );
}

/// A copy of `env` whose every command starts with `prefix` (a profile, `--sandbox`).
fn env_with(env: &TestEnv, prefix: &[&str]) -> TestEnv {
    let mut e = TestEnv::new();
    e.set_all(env.vars());
    // `TestEnv` has no argument prefix; the global flags have variables.
    let mut i = 0;
    while i < prefix.len() {
        match prefix[i] {
            "-p" => {
                e.set("TOKENCTL_PROFILE", prefix[i + 1]);
                i += 2;
            }
            "--sandbox" => {
                e.set("TOKENCTL_SANDBOX", "1");
                i += 1;
            }
            other => panic!("no variable for {other}"),
        }
    }
    e
}

fn cloudflare_tokens(r: &mut Record, env: &TestEnv, tag: &str, sf: &dyn Fn(&str) -> String) {
    let name = format!("leak-{tag}");
    let secret_file = sf(&format!("{tag}-create.token"));
    r.issue(
        env,
        &[
            "tokens",
            "create",
            "--name",
            &name,
            "--permission",
            "DNS Write",
            "--resource",
            "zones",
            "--expires",
            "30d",
            "--allow-ip",
            "203.0.113.0/24",
            "--secret-file",
            &secret_file,
            "--json",
        ],
        "value",
    );
    r.run(env, &["tokens", "list"]);
    r.run(env, &["tokens", "list", "--json", "--include-expired"]);
    r.run(env, &["tokens", "get", &name]);
    r.run(env, &["tokens", "get", &name, "-o", "ndjson"]);
    r.run(env, &["tokens", "update", &name, "--disable", "--json"]);
    r.run(
        env,
        &["tokens", "update", &name, "--enable", "--expires", "never"],
    );
    let roll_file = sf(&format!("{tag}-roll.token"));
    r.issue(
        env,
        &[
            "tokens",
            "roll",
            &name,
            "--yes",
            "--secret-file",
            &roll_file,
            "--json",
        ],
        "value",
    );
    let copy = format!("leak-{tag}-copy");
    r.issue(
        env,
        &[
            "tokens",
            "create",
            "--name",
            &copy,
            "--from-token",
            &name,
            "--json",
        ],
        "value",
    );
    r.run(env, &["tokens", "verify"]);
    r.run(env, &["tokens", "verify", "--json"]);
    r.run(env, &["tokens", "permission-groups", "--search", "dns"]);
    r.run(env, &["tokens", "delete", &copy, "--yes"]);
    r.run(env, &["tokens", "delete", &name, "--yes"]);
}

fn service_tokens(r: &mut Record, env: &TestEnv, tag: &str, sf: &dyn Fn(&str) -> String) {
    let name = format!("leak-svc-{tag}");
    let file = sf(&format!("{tag}-svc.json"));
    r.issue(
        env,
        &[
            "service-tokens",
            "create",
            "--name",
            &name,
            "--duration",
            "30d",
            "--secret-file",
            &file,
            "--json",
        ],
        "client_secret",
    );
    // `-o env`: the secret is in the once-shown stdout, as a variable.
    let env_name = format!("leak-svc-{tag}-env");
    let v = r.run(
        env,
        &["service-tokens", "create", "--name", &env_name, "-o", "env"],
    );
    assert!(v.is_null());
    let out = text(&r.runs.last().expect("run").out.stdout);
    let secret = out
        .lines()
        .find_map(|l| l.strip_prefix("CF_ACCESS_CLIENT_SECRET="))
        .expect("CF_ACCESS_CLIENT_SECRET line")
        .trim_matches(|c| c == '"' || c == '\'')
        .to_owned();
    r.issued.insert(secret.clone());
    r.runs.last_mut().expect("run").allowed.push(secret);
    r.run(env, &["service-tokens", "list"]);
    r.run(
        env,
        &[
            "service-tokens",
            "list",
            "--json",
            "--expiring-within",
            "3650d",
        ],
    );
    r.run(env, &["service-tokens", "get", &name, "--json"]);
    r.run(
        env,
        &[
            "service-tokens",
            "update",
            &name,
            "--duration",
            "8760h",
            "--json",
        ],
    );
    r.run(env, &["service-tokens", "refresh", &name]);
    r.issue(
        env,
        &[
            "service-tokens",
            "rotate",
            &name,
            "--grace",
            "24h",
            "--json",
        ],
        "client_secret",
    );
    let rot = sf(&format!("{tag}-svc-rotated.json"));
    r.issue(
        env,
        &[
            "service-tokens",
            "rotate",
            &name,
            "--yes",
            "--secret-file",
            &rot,
            "--json",
        ],
        "client_secret",
    );
    r.run(env, &["service-tokens", "delete", &name, "--yes"]);
    r.run(env, &["service-tokens", "delete", &env_name, "--yes"]);
}

fn mailtrap(r: &mut Record, env: &TestEnv, tag: &str, account: &str, sf: &dyn Fn(&str) -> String) {
    let resource = format!("account:{account}:viewer");
    let name = format!("leak-mt-{tag}");
    let file = sf(&format!("{tag}-mt.token"));
    let created = r.run(env, &["api-tokens", "list", "--json"]);
    assert!(created.is_array());
    r.issue(
        env,
        &[
            "api-tokens",
            "create",
            "--name",
            &name,
            "--resource",
            &resource,
            "--secret-file",
            &file,
            "--json",
        ],
        "token",
    );
    let old = last_json(r)["id"].to_string();
    r.run(env, &["api-tokens", "list"]);
    r.run(env, &["api-tokens", "get", &name, "--json"]);
    r.issue(
        env,
        &["api-tokens", "reset", &name, "--yes", "--json"],
        "token",
    );
    // Reset issues a new token beside the old one, which works 12 more hours.
    let new = last_json(r)["id"].to_string();
    r.run(env, &["api-tokens", "delete", &old, "--yes"]);
    r.run(env, &["api-tokens", "delete", &new, "--yes"]);
}

fn prefactor(r: &mut Record, env: &TestEnv, tag: &str) {
    let v = r.run(env, &["api-tokens", "list", "--json"]);
    assert!(v.is_array(), "{tag}");
    r.issue(
        env,
        &[
            "api-tokens",
            "create",
            "--scope",
            "account",
            "--expires",
            "30d",
            "--json",
        ],
        "token",
    );
    let created = r.runs.last().expect("run");
    let id = serde_json::from_slice::<Value>(&created.out.stdout).expect("json")["details"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    r.run(env, &["api-tokens", "get", &id]);
    r.run(env, &["api-tokens", "suspend", &id]);
    r.run(env, &["api-tokens", "activate", &id, "--json"]);
    r.run(env, &["api-tokens", "revoke", &id, "--yes"]);
    r.run(env, &["api-tokens", "delete", &id, "--yes"]);
}

fn mosquitto(r: &mut Record, env: &TestEnv, tag: &str, project: &str, sf: &dyn Fn(&str) -> String) {
    let mut p: Vec<&str> = Vec::new();
    if !project.is_empty() {
        p.extend(["--project", project]);
    }
    let name = format!("leak-mq-{tag}");
    let file = sf(&format!("{tag}-mq.token"));
    let list: Vec<&str> = [&["project-tokens", "list"][..], &p].concat();
    r.run(env, &list);
    let create: Vec<&str> = [
        &[
            "project-tokens",
            "create",
            "--name",
            &name,
            "--role",
            "viewer",
            "--broker",
            "broker-eu-1",
            "--valid-until",
            "30d",
            "--secret-file",
            &file,
            "--json",
        ][..],
        &p,
    ]
    .concat();
    let secret = r.issue(env, &create, "token");
    assert!(!secret.is_empty());
    let created = r.runs.last().expect("run");
    let id = serde_json::from_slice::<Value>(&created.out.stdout).expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    r.run(env, &[&list[..], &["--json"]].concat());
    r.run(
        env,
        &[&["project-tokens", "delete", &id, "--yes"][..], &p].concat(),
    );
}

/// The last run's stdout as JSON.
fn last_json(r: &Record) -> Value {
    serde_json::from_slice(&r.runs.last().expect("run").out.stdout).expect("json")
}

fn auth_verbs(r: &mut Record, env: &TestEnv, profile: &str, credential: &str) {
    r.run(env, &["auth", "status", "-p", profile]);
    r.run(env, &["auth", "status", "-p", profile, "--json"]);
    r.run(env, &["auth", "token", "-p", profile]);
    r.runs
        .last_mut()
        .expect("run")
        .allowed
        .push(credential.to_owned());
}

/// No flag takes a secret as its value: a secret in argv is in `ps`, shell history and logs.
#[test]
fn no_flag_takes_a_secret() {
    let env = TestEnv::new();
    let mut pending: Vec<Vec<String>> = vec![vec![]];
    let mut seen = Vec::new();
    let mut offending = Vec::new();
    while let Some(path) = pending.pop() {
        let out = env.cmd().args(&path).arg("--help").output().expect("run");
        assert!(out.status.success(), "{path:?} --help");
        let help = text(&out.stdout);
        let mut in_commands = false;
        let mut section = "";
        for line in help.lines() {
            if !line.starts_with(' ') && line.ends_with(':') {
                section = line;
            }
            if line.starts_with("Commands:") {
                in_commands = true;
                continue;
            }
            if in_commands {
                if line.trim().is_empty() || !line.starts_with("  ") {
                    in_commands = false;
                    continue;
                }
                let sub = line.split_whitespace().next().expect("word");
                if sub != "help" && line.starts_with("  ") && !line.starts_with("   ") {
                    let mut p = path.clone();
                    p.push(sub.to_owned());
                    pending.push(p);
                }
                continue;
            }
            let t = line.trim_start();
            if !section.ends_with("Options:") || !t.starts_with('-') {
                continue;
            }
            // `-x, --long <VALUE>` or `--long <VALUE>`
            let words: Vec<&str> = t.split_whitespace().collect();
            let Some(i) = words.iter().position(|w| w.starts_with("--")) else {
                continue;
            };
            let flag = words[i].trim_end_matches(',');
            let value = words
                .get(i + 1)
                .filter(|w| w.starts_with('<'))
                .map(|w| w.trim_matches(|c| c == '<' || c == '>' || c == '.'));
            seen.push((path.join(" "), flag.to_owned(), value.map(str::to_owned)));
            let lower = flag.to_ascii_lowercase();
            let risky = [
                "token",
                "secret",
                "password",
                "passwd",
                "key",
                "credential",
                "auth",
            ]
            .iter()
            .any(|w| lower.contains(w));
            let ok = match (flag, value) {
                ("--with-token", None) => true,
                ("--secret-file", Some("FILE")) => true,
                ("--from-token", Some("TOKEN")) => true,
                // `sandbox serve`: how many demo tokens to seed.
                ("--service-tokens" | "--account-tokens", Some("N")) => true,
                _ => !risky,
            };
            if !ok {
                offending.push(format!("{} {flag} {value:?}", path.join(" ")));
            }
            if flag == "--api-key" {
                offending.push(format!("{} has --api-key", path.join(" ")));
            }
        }
    }
    assert!(seen.len() > 50, "only {} flags seen", seen.len());
    for must in ["--with-token", "--secret-file", "--from-token"] {
        assert!(seen.iter().any(|(_, f, _)| f == must), "{must} not seen");
    }
    assert!(
        offending.is_empty(),
        "flags that may take a secret: {offending:#?}"
    );
}
