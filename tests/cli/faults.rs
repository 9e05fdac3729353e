//! Every verb of every noun against every kind of fault the sandbox injects: the exit code,
//! the number of attempts, the error message, and that a create is never duplicated.
//!
//! The fault hits only the verb's own final request (method + path prefix), as often as the
//! client retries. Expectations follow the retry rules: reads and idempotent changes are retried
//! (4 attempts) on 429, 502, 503, 504 and lost connections; a non-idempotent send (create,
//! roll, rotate, reset) is retried only on 429 and, once it may have been processed, ends with
//! exit 9 ("outcome unknown").
//!
//! `reset_before` closes the connection after the client has sent the request, so the client
//! sees "connection closed before message completed", exactly as after `reset_after`: it cannot
//! know the request was not processed, and exit 9 is right for a non-idempotent send. Only a
//! refused connection (nothing sent) lets a POST be retried.
//!
//! `cargo test faults -- --nocapture` prints the matrix (`!` marks a cell that broke a rule).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{Sandbox, TestEnv, stdout_json, text};

/// What a Mailtrap token created here may reach: Mailtrap refuses a token with none.
const MT_RESOURCE: &str = "account:1234567:viewer";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fault {
    RateLimited,
    Status500,
    Status502Html,
    Status503,
    ResetBefore,
    ResetAfter,
    Truncated,
    InvalidJson,
    Slow,
}

impl Fault {
    const ALL: [Fault; 9] = [
        Fault::RateLimited,
        Fault::Status500,
        Fault::Status502Html,
        Fault::Status503,
        Fault::ResetBefore,
        Fault::ResetAfter,
        Fault::Truncated,
        Fault::InvalidJson,
        Fault::Slow,
    ];

    fn label(self) -> &'static str {
        match self {
            Fault::RateLimited => "429 RA0",
            Fault::Status500 => "500 json",
            Fault::Status502Html => "502 html",
            Fault::Status503 => "503",
            Fault::ResetBefore => "reset_bef",
            Fault::ResetAfter => "reset_aft",
            Fault::Truncated => "truncated",
            Fault::InvalidJson => "bad_json",
            Fault::Slow => "slow 3s",
        }
    }

    fn spec(self, method: &str, path_prefix: &str) -> Value {
        let mut f = match self {
            Fault::RateLimited => json!({ "status": 429, "retry_after": 0 }),
            Fault::Status500 => json!({ "status": 500, "body": "json" }),
            Fault::Status502Html => json!({ "status": 502, "body": "html" }),
            Fault::Status503 => json!({ "status": 503 }),
            Fault::ResetBefore => json!({ "kind": "reset_before" }),
            Fault::ResetAfter => json!({ "kind": "reset_after" }),
            Fault::Truncated => json!({ "kind": "truncated" }),
            Fault::InvalidJson => json!({ "kind": "invalid_json" }),
            Fault::Slow => json!({ "kind": "slow", "delay_ms": 3000 }),
        };
        f["method"] = json!(method);
        f["path_prefix"] = json!(path_prefix);
        f["times"] = json!(10);
        f
    }

    /// Whether the sandbox processed the request before the fault hit.
    fn processed(self) -> bool {
        matches!(
            self,
            Fault::ResetAfter | Fault::Truncated | Fault::InvalidJson | Fault::Slow
        )
    }
}

/// How the client treats the verb's final request.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// A GET.
    Read,
    /// A change that is safe to send again (PUT, DELETE, Prefactor actions, refresh).
    Idempotent,
    /// A create, roll, rotate or reset: never sent twice once it may have arrived.
    Unsafe,
    /// A Prefactor lifecycle step: a lost answer is settled by reading the token back, and the
    /// step is sent again only when the token shows it did not happen.
    ReadBack,
}

/// The exit codes allowed and the number of attempts expected for a fault on a request.
fn expected(kind: Kind, fault: Fault) -> (&'static [i32], usize) {
    if kind == Kind::ReadBack {
        return match fault {
            Fault::RateLimited => (&[7], 4),
            Fault::Status500 => (&[1], 1),
            // Refused unprocessed: safe to resend.
            Fault::Status503 => (&[1], 4),
            // Unprocessed, but the client cannot know: it reads the token, sees the step not
            // done, sends it once more, and that answer is lost too.
            Fault::Status502Html | Fault::ResetBefore => (&[9], 2),
            // Processed, answer lost: the token read back is in the target state.
            Fault::ResetAfter | Fault::Truncated | Fault::InvalidJson => (&[0], 1),
            Fault::Slow => (&[0, 9], 1),
        };
    }
    let retried = kind != Kind::Unsafe;
    match fault {
        Fault::RateLimited => (&[7], 4),
        Fault::Status500 => (&[1], 1),
        // A gateway error on a change that must not be repeated: it may have happened.
        Fault::Status502Html if !retried => (&[9], 1),
        Fault::Status502Html | Fault::Status503 => (&[1], if retried { 4 } else { 1 }),
        Fault::ResetBefore | Fault::ResetAfter | Fault::Truncated if retried => (&[8], 4),
        Fault::ResetBefore | Fault::ResetAfter | Fault::Truncated => (&[9], 1),
        // 200 with a body that is not JSON: a read failed; a change happened but its answer
        // is lost, which for a secret-issuing send is an unknown outcome.
        Fault::InvalidJson => match kind {
            Kind::Read => (&[1], 1),
            Kind::Idempotent | Kind::ReadBack => (&[0, 1], 1),
            Kind::Unsafe => (&[9], 1),
        },
        // --timeout 1s: the deadline passes during the first attempt.
        Fault::Slow if retried => (&[8], 1),
        Fault::Slow => (&[9], 1),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Noun {
    Tokens,
    ServiceTokens,
    Mailtrap,
    Prefactor,
    Mosquitto,
}

impl Noun {
    const ALL: [Noun; 5] = [
        Noun::Tokens,
        Noun::ServiceTokens,
        Noun::Mailtrap,
        Noun::Prefactor,
        Noun::Mosquitto,
    ];

    fn label(self) -> &'static str {
        match self {
            Noun::Tokens => "tokens",
            Noun::ServiceTokens => "service-tokens",
            Noun::Mailtrap => "api-tokens (mt)",
            Noun::Prefactor => "api-tokens (pf)",
            Noun::Mosquitto => "project-tokens",
        }
    }
}

/// One verb's cell: the command and the request the fault targets.
struct Case {
    verb: &'static str,
    kind: Kind,
    args: Vec<String>,
    method: &'static str,
    prefix: String,
    /// For creates and resets: the name whose tokens must not multiply (`Some("")`: count all).
    creates: Option<String>,
    /// The JSON field carrying the issued secret.
    secret_field: Option<&'static str>,
}

/// A sandbox and an environment pointed at one vendor.
struct Ctx {
    noun: Noun,
    env: TestEnv,
    sb: Sandbox,
    /// Arguments every command of the noun starts with, and ends with.
    base: Vec<String>,
    suffix: Vec<String>,
    /// The collection path of the noun's tokens.
    coll: String,
    admin: String,
}

impl Ctx {
    fn new(noun: Noun) -> Ctx {
        let mut env = TestEnv::new();
        let sb = match noun {
            Noun::Tokens | Noun::ServiceTokens => env.sandbox(),
            _ => Sandbox::start(env.vars(), &[]),
        };
        let conn = |v: &str, k: &str| sb.connections[v][k].as_str().unwrap_or("").to_owned();
        let (base, coll, admin): (Vec<&str>, String, String) = match noun {
            Noun::Tokens => (
                vec!["tokens"],
                format!("/client/v4/accounts/{}/tokens", sb.account_id),
                sb.token.clone(),
            ),
            Noun::ServiceTokens => (
                vec!["service-tokens"],
                format!(
                    "/client/v4/accounts/{}/access/service_tokens",
                    sb.account_id
                ),
                sb.token.clone(),
            ),
            Noun::Mailtrap => {
                env.set("MAILTRAP_BASE_URL", &conn("mailtrap", "base_url"))
                    .set("MAILTRAP_ACCOUNT_ID", &conn("mailtrap", "account_id"))
                    .set("MAILTRAP_API_TOKEN", &conn("mailtrap", "token"));
                (
                    vec!["api-tokens"],
                    format!(
                        "/mailtrap/api/accounts/{}/api_tokens",
                        conn("mailtrap", "account_id")
                    ),
                    conn("mailtrap", "token"),
                )
            }
            Noun::Prefactor => {
                env.set("PREFACTOR_BASE_URL", &conn("prefactor", "base_url"))
                    .set("PREFACTOR_API_TOKEN", &conn("prefactor", "token"));
                (
                    vec!["api-tokens"],
                    "/prefactor/api/v1/api_token".to_owned(),
                    conn("prefactor", "token"),
                )
            }
            Noun::Mosquitto => {
                env.set("MOSQUITTO_URL", &conn("mosquitto", "base_url"))
                    .set("MOSQUITTO_API_TOKEN", &conn("mosquitto", "token"));
                (
                    vec!["project-tokens"],
                    format!(
                        "/mosquitto/api/projects/{}/tokens",
                        conn("mosquitto", "project_id")
                    ),
                    conn("mosquitto", "token"),
                )
            }
        };
        let base: Vec<String> = base.into_iter().map(str::to_owned).collect();
        let mut suffix = Vec::new();
        if noun == Noun::Mosquitto {
            suffix.extend(["--project".to_owned(), conn("mosquitto", "project_id")]);
        }
        Ctx {
            noun,
            env,
            sb,
            base,
            suffix,
            coll,
            admin,
        }
    }

    fn run(&self, args: &[String]) -> std::process::Output {
        self.env
            .cmd()
            .args(&self.base)
            .args(args)
            .args(&self.suffix)
            .output()
            .expect("run tokenctl")
    }

    /// Runs a setup command that must succeed and print JSON.
    fn json(&self, args: &[&str]) -> Value {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let mut with_json = args.clone();
        with_json.push("--json".into());
        let out = self.run(&with_json);
        assert!(
            out.status.success(),
            "{:?} {args:?}: {}",
            self.noun,
            text(&out.stderr)
        );
        stdout_json(&out)
    }

    /// Tokens named `name` (all tokens when `name` is empty), through the API. A Mailtrap
    /// reset names the new token `<old name> <new id>`, so that name counts as well.
    fn count(&self, name: &str) -> usize {
        let all = self.json(&["list"]);
        let reset_name = format!("{name} ");
        all.as_array()
            .expect("list")
            .iter()
            .filter(|t| {
                name.is_empty()
                    || t["name"] == name
                    || (self.noun == Noun::Mailtrap
                        && t["name"]
                            .as_str()
                            .is_some_and(|n| n.starts_with(&reset_name)))
            })
            .count()
    }

    fn clear_faults(&self) {
        ureq::delete(&format!("{}/__sandbox/faults", self.sb.root))
            .call()
            .expect("clear faults");
    }

    /// A fresh token for one verb to act on; returns its ID.
    fn target(&self, verb: &str) -> String {
        let name = format!("target-{verb}");
        match self.noun {
            Noun::Tokens => str_id(
                &self.json(&[
                    "create",
                    "--name",
                    &name,
                    "--permission",
                    "DNS Write",
                    "--resource",
                    "zones",
                ])["id"],
            ),
            Noun::ServiceTokens => str_id(&self.json(&["create", "--name", &name])["id"]),
            Noun::Mailtrap => {
                str_id(&self.json(&["create", "--name", &name, "--resource", MT_RESOURCE])["id"])
            }
            Noun::Prefactor => {
                let id = str_id(
                    &self.json(&["create", "--scope", "account", "--expires", "30d"])["details"]["id"],
                );
                match verb {
                    "activate" => {
                        self.json(&["suspend", &id]);
                    }
                    "delete" => {
                        self.json(&["revoke", &id, "--yes"]);
                    }
                    _ => {}
                }
                id
            }
            Noun::Mosquitto => {
                str_id(&self.json(&["create", "--name", &name, "--role", "viewer"])["id"])
            }
        }
    }

    fn cases(&self) -> Vec<Case> {
        let coll = &self.coll;
        let case = |verb: &'static str,
                    kind: Kind,
                    args: &[&str],
                    method: &'static str,
                    prefix: String| Case {
            verb,
            kind,
            args: args.iter().map(|s| s.to_string()).collect(),
            method,
            prefix,
            creates: None,
            secret_field: None,
        };
        let creating = |mut c: Case, name: &str, field: &'static str| {
            c.creates = Some(name.to_owned());
            c.secret_field = Some(field);
            c
        };
        let item = |id: &str| format!("{coll}/{id}");
        match self.noun {
            Noun::Tokens => {
                let get = self.target("get");
                let update = self.target("update");
                let roll = self.target("roll");
                let delete = self.target("delete");
                vec![
                    case("list", Kind::Read, &["list"], "GET", coll.clone()),
                    case("get", Kind::Read, &["get", &get], "GET", item(&get)),
                    creating(
                        case(
                            "create",
                            Kind::Unsafe,
                            &[
                                "create",
                                "--name",
                                "new-token",
                                "--permission",
                                "DNS Write",
                                "--resource",
                                "zones",
                            ],
                            "POST",
                            coll.clone(),
                        ),
                        "new-token",
                        "value",
                    ),
                    case(
                        "update",
                        Kind::Idempotent,
                        &["update", &update, "--disable"],
                        "PUT",
                        item(&update),
                    ),
                    case(
                        "delete",
                        Kind::Idempotent,
                        &["delete", &delete, "--yes"],
                        "DELETE",
                        item(&delete),
                    ),
                    Case {
                        secret_field: Some("value"),
                        ..case(
                            "roll",
                            Kind::Unsafe,
                            &["roll", &roll, "--yes"],
                            "PUT",
                            format!("{}/value", item(&roll)),
                        )
                    },
                    case("verify", Kind::Read, &["verify"], "GET", item("verify")),
                    case(
                        "permission-groups",
                        Kind::Read,
                        &["permission-groups"],
                        "GET",
                        item("permission_groups"),
                    ),
                ]
            }
            Noun::ServiceTokens => {
                let get = self.target("get");
                let update = self.target("update");
                let refresh = self.target("refresh");
                let rotate = self.target("rotate");
                let delete = self.target("delete");
                vec![
                    case("list", Kind::Read, &["list"], "GET", coll.clone()),
                    case("get", Kind::Read, &["get", &get], "GET", item(&get)),
                    creating(
                        case(
                            "create",
                            Kind::Unsafe,
                            &["create", "--name", "new-service"],
                            "POST",
                            coll.clone(),
                        ),
                        "new-service",
                        "client_secret",
                    ),
                    case(
                        "update",
                        Kind::Idempotent,
                        &["update", &update, "--name", "renamed"],
                        "PUT",
                        item(&update),
                    ),
                    case(
                        "delete",
                        Kind::Idempotent,
                        &["delete", &delete, "--yes"],
                        "DELETE",
                        item(&delete),
                    ),
                    case(
                        "refresh",
                        Kind::Idempotent,
                        &["refresh", &refresh],
                        "POST",
                        format!("{}/refresh", item(&refresh)),
                    ),
                    Case {
                        secret_field: Some("client_secret"),
                        ..case(
                            "rotate",
                            Kind::Unsafe,
                            &["rotate", &rotate, "--yes"],
                            "POST",
                            format!("{}/rotate", item(&rotate)),
                        )
                    },
                ]
            }
            Noun::Mailtrap => {
                let get = self.target("get");
                let reset = self.target("reset");
                let delete = self.target("delete");
                vec![
                    case("list", Kind::Read, &["list"], "GET", coll.clone()),
                    case("get", Kind::Read, &["get", &get], "GET", item(&get)),
                    creating(
                        case(
                            "create",
                            Kind::Unsafe,
                            &[
                                "create",
                                "--name",
                                "new-mailtrap",
                                "--resource",
                                MT_RESOURCE,
                            ],
                            "POST",
                            coll.clone(),
                        ),
                        "new-mailtrap",
                        "token",
                    ),
                    case(
                        "delete",
                        Kind::Idempotent,
                        &["delete", &delete, "--yes"],
                        "DELETE",
                        item(&delete),
                    ),
                    // A reset issues a new token under the same name.
                    creating(
                        case(
                            "reset",
                            Kind::Unsafe,
                            &["reset", &reset, "--yes"],
                            "POST",
                            format!("{}/reset", item(&reset)),
                        ),
                        "target-reset",
                        "token",
                    ),
                ]
            }
            Noun::Prefactor => {
                let get = self.target("get");
                let suspend = self.target("suspend");
                let activate = self.target("activate");
                let revoke = self.target("revoke");
                let delete = self.target("delete");
                let action = |verb: &'static str, id: &str, yes: bool| {
                    let mut args = vec![verb, id];
                    if yes {
                        args.push("--yes");
                    }
                    case(
                        verb,
                        Kind::ReadBack,
                        &args,
                        "POST",
                        format!("{}/{verb}", item(id)),
                    )
                };
                vec![
                    case("list", Kind::Read, &["list"], "GET", coll.clone()),
                    case("get", Kind::Read, &["get", &get], "GET", item(&get)),
                    // Prefactor tokens have no name: count them all.
                    creating(
                        case(
                            "create",
                            Kind::Unsafe,
                            &["create", "--scope", "account", "--expires", "30d"],
                            "POST",
                            coll.clone(),
                        ),
                        "",
                        "token",
                    ),
                    action("suspend", &suspend, false),
                    action("activate", &activate, false),
                    action("revoke", &revoke, true),
                    case(
                        "delete",
                        Kind::Idempotent,
                        &["delete", &delete, "--yes"],
                        "DELETE",
                        item(&delete),
                    ),
                ]
            }
            Noun::Mosquitto => {
                let delete = self.target("delete");
                vec![
                    case("list", Kind::Read, &["list"], "GET", coll.clone()),
                    creating(
                        case(
                            "create",
                            Kind::Unsafe,
                            &["create", "--name", "new-project-token", "--role", "viewer"],
                            "POST",
                            coll.clone(),
                        ),
                        "new-project-token",
                        "token",
                    ),
                    case(
                        "delete",
                        Kind::Idempotent,
                        &["delete", &delete, "--yes"],
                        "DELETE",
                        item(&delete),
                    ),
                ]
            }
        }
    }
}

fn str_id(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The outcome of one verb under one fault.
struct Cell {
    noun: Noun,
    verb: &'static str,
    fault: Fault,
    code: i32,
    attempts: usize,
    problems: Vec<String>,
}

fn run_cell(ctx: &Ctx, case: &Case, fault: Fault) -> Cell {
    ctx.clear_faults();
    let before = case.creates.as_deref().map(|name| ctx.count(name));
    ctx.sb.clear_requests();
    ctx.sb.fault(fault.spec(case.method, &case.prefix));
    let mut args = case.args.clone();
    args.push("--json".into());
    if fault == Fault::Slow {
        args.extend(["--timeout".into(), "1s".into()]);
    }
    let out = ctx.run(&args);
    ctx.clear_faults();
    let code = out.status.code().unwrap_or(-1);
    let stderr = text(&out.stderr);
    let stdout = text(&out.stdout);
    let log = ctx.sb.requests();
    let attempts = log
        .iter()
        .filter(|r| r["method"] == case.method && r["path"] == case.prefix.as_str())
        .count();
    let faulted = log.iter().filter(|r| !r["fault"].is_null()).count();

    let mut problems = Vec::new();
    let (codes, want_attempts) = expected(case.kind, fault);
    if !codes.contains(&code) {
        problems.push(format!(
            "exit {code}, expected {codes:?}: {:?}",
            stderr.trim()
        ));
    }
    if attempts != want_attempts {
        problems.push(format!("{attempts} attempts, expected {want_attempts}"));
    }
    if faulted != attempts {
        problems.push(format!(
            "{faulted} faulted requests but {attempts} attempts"
        ));
    }
    for marker in ["panicked", "internal error", "RUST_BACKTRACE"] {
        if stderr.contains(marker) {
            problems.push(format!("stderr shows {marker:?}"));
        }
    }
    if stderr.contains(&ctx.admin) || stdout.contains(&ctx.admin) {
        problems.push("the admin secret was printed".into());
    }
    if code != 0 {
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        let shape_ok = match lines.as_slice() {
            [first] => first.starts_with("error:"),
            [first, second] => first.starts_with("error:") && second.starts_with("hint:"),
            _ => false,
        };
        if !shape_ok {
            problems.push(format!("stderr is not one error (+ hint) line: {stderr:?}"));
        }
        if !stdout.trim().is_empty() {
            problems.push(format!("stdout on failure: {:?}", stdout.trim()));
        }
    }
    if code == 9 {
        let lower = stderr.to_lowercase();
        if !lower.contains("may") {
            problems.push(format!(
                "exit 9 without saying the change may have happened: {stderr:?}"
            ));
        }
        if !lower.contains("hint:") || !lower.contains("tokenctl ") {
            problems.push(format!("exit 9 without a command to check: {stderr:?}"));
        }
    }
    if code == 0
        && let Some(field) = case.secret_field
    {
        let printed = serde_json::from_str::<Value>(&stdout)
            .ok()
            .is_some_and(|v| v[field].is_string() || v["client_secret"].is_string());
        if !printed {
            problems.push(format!("success without the secret ({field}) on stdout"));
        }
    }
    if let (Some(name), Some(before)) = (&case.creates, before) {
        let after = ctx.count(name);
        let new = after.saturating_sub(before);
        let want = usize::from(fault.processed());
        if new > 1 || (case.kind == Kind::Unsafe && new != want && fault != Fault::InvalidJson) {
            problems.push(format!("{new} new tokens named {name:?}, expected {want}"));
        }
    }
    Cell {
        noun: ctx.noun,
        verb: case.verb,
        fault,
        code,
        attempts,
        problems,
    }
}

/// All verbs of one noun under one fault, in a sandbox of their own.
fn run_job(noun: Noun, fault: Fault) -> Vec<Cell> {
    let ctx = Ctx::new(noun);
    let cases = ctx.cases();
    cases
        .iter()
        .map(|case| run_cell(&ctx, case, fault))
        .collect()
}

#[test]
fn every_verb_under_every_fault() {
    let started = Instant::now();
    let jobs: Vec<(Noun, Fault)> = Noun::ALL
        .iter()
        .flat_map(|n| Fault::ALL.iter().map(move |f| (*n, *f)))
        .collect();
    let queue = Arc::new(Mutex::new(jobs));
    let cells = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..10)
        .map(|_| {
            let queue = Arc::clone(&queue);
            let cells = Arc::clone(&cells);
            std::thread::spawn(move || {
                loop {
                    let job = queue.lock().expect("queue").pop();
                    let Some((noun, fault)) = job else { break };
                    let done = run_job(noun, fault);
                    cells.lock().expect("cells").extend(done);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker");
    }
    let cells = std::mem::take(&mut *cells.lock().expect("cells"));

    // rows in the order of the nouns and their verbs
    let mut rows: Vec<(Noun, &str)> = Vec::new();
    for noun in Noun::ALL {
        let mut verbs: Vec<(&str, usize)> = Vec::new();
        for c in cells.iter().filter(|c| c.noun == noun) {
            if !verbs.iter().any(|(v, _)| *v == c.verb) {
                verbs.push((c.verb, verb_order(c.verb)));
            }
        }
        verbs.sort_by_key(|(_, o)| *o);
        rows.extend(verbs.into_iter().map(|(v, _)| (noun, v)));
    }
    let mut table = format!("{:<34}", "verb \\ fault (exit/attempts)");
    for f in Fault::ALL {
        table.push_str(&format!("{:>11}", f.label()));
    }
    table.push('\n');
    let mut broken = Vec::new();
    for (noun, verb) in &rows {
        table.push_str(&format!("{:<34}", format!("{} {verb}", noun.label())));
        for f in Fault::ALL {
            let cell = cells
                .iter()
                .find(|c| c.noun == *noun && c.verb == *verb && c.fault == f);
            let shown = match cell {
                Some(c) => {
                    for p in &c.problems {
                        broken.push(format!("{} {verb} × {}: {p}", noun.label(), f.label()));
                    }
                    let mark = if c.problems.is_empty() { "" } else { "!" };
                    format!("{mark}{}/{}", c.code, c.attempts)
                }
                None => "-".into(),
            };
            table.push_str(&format!("{shown:>11}"));
        }
        table.push('\n');
    }
    // CLI defects this matrix found, reported but tolerated until fixed outside the sandbox
    // (see KNOWN_DEFECTS); any other broken rule fails, and so does a defect that went away.
    let (known, broken): (Vec<String>, Vec<String>) = broken
        .into_iter()
        .partition(|line| KNOWN_DEFECTS.iter().any(|(_, m)| line.contains(m)));
    let gone: Vec<&str> = KNOWN_DEFECTS
        .iter()
        .filter(|(_, m)| !known.iter().any(|line| line.contains(m)))
        .map(|(what, _)| *what)
        .collect();
    println!("{table}");
    // cargo captures a passing test's output: leave the matrix where `scripts/test` prints it.
    let _ = std::fs::write(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("fault-matrix.txt"),
        format!(
            "{table}\n{} cells in {:.1} s\n",
            cells.len(),
            started.elapsed().as_secs_f64()
        ),
    );
    if !known.is_empty() {
        println!("known CLI defects ({} cells):", known.len());
        for (what, m) in KNOWN_DEFECTS {
            let n = known.iter().filter(|l| l.contains(m)).count();
            println!("  {n:>3} × {what}");
        }
    }
    assert!(
        gone.is_empty(),
        "known defects no longer seen, remove them from KNOWN_DEFECTS: {gone:?}"
    );
    println!(
        "{} cells in {:.1} s",
        cells.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        broken.is_empty(),
        "{} cells broke their rule:\n{}\n\n{table}",
        broken.len(),
        broken.join("\n")
    );
}

/// CLI defects found by the matrix (description, text of the broken rule). The fix belongs in
/// crates/tokenctl-api/src/http or src/commands; remove the entry with it.
const KNOWN_DEFECTS: &[(&str, &str)] = &[];

fn verb_order(verb: &str) -> usize {
    [
        "list",
        "get",
        "create",
        "update",
        "delete",
        "roll",
        "verify",
        "permission-groups",
        "refresh",
        "rotate",
        "reset",
        "suspend",
        "activate",
        "revoke",
    ]
    .iter()
    .position(|v| *v == verb)
    .unwrap_or(99)
}

#[test]
fn a_create_rate_limited_once_succeeds_on_the_second_attempt() {
    let ctx = Ctx::new(Noun::Tokens);
    ctx.sb.clear_requests();
    ctx.sb.fault(json!({
        "method": "POST", "path_prefix": ctx.coll, "status": 429, "retry_after": 0, "times": 1
    }));
    let created = ctx.json(&[
        "create",
        "--name",
        "after-429",
        "--permission",
        "DNS Write",
        "--resource",
        "zones",
    ]);
    assert!(
        created["value"].is_string(),
        "the secret is printed: {created}"
    );
    let posts: Vec<Value> = ctx
        .sb
        .requests()
        .into_iter()
        .filter(|r| r["method"] == "POST")
        .collect();
    let statuses: Vec<&Value> = posts.iter().map(|r| &r["status"]).collect();
    assert_eq!(statuses, [&json!(429), &json!(200)], "{posts:?}");
    assert_eq!(ctx.count("after-429"), 1, "created once");
}

#[test]
fn a_read_that_meets_503_once_succeeds_on_the_second_attempt() {
    let ctx = Ctx::new(Noun::Mailtrap);
    let listed = ctx.json(&["list"]);
    let id = str_id(&listed[1]["id"]);
    let path = format!("{}/{id}", ctx.coll);
    ctx.sb.clear_requests();
    ctx.sb
        .fault(json!({ "method": "GET", "path_prefix": path, "status": 503, "times": 1 }));
    let got = ctx.json(&["get", &id]);
    assert_eq!(str_id(&got["id"]), id);
    let statuses: Vec<Value> = ctx
        .sb
        .requests()
        .iter()
        .map(|r| r["status"].clone())
        .collect();
    assert_eq!(statuses, [json!(503), json!(200)]);
}

#[test]
fn a_lost_connection_on_a_read_is_retried_until_it_works() {
    let ctx = Ctx::new(Noun::ServiceTokens);
    ctx.sb.clear_requests();
    ctx.sb.fault(json!({
        "kind": "reset_after", "method": "GET", "path_prefix": ctx.coll, "times": 2
    }));
    let started = Instant::now();
    let listed = ctx.json(&["list"]);
    assert!(!listed.as_array().expect("array").is_empty());
    let log = ctx.sb.requests();
    let kinds: Vec<&Value> = log.iter().map(|r| &r["fault"]).collect();
    assert_eq!(
        kinds,
        [&json!("reset_after"), &json!("reset_after"), &Value::Null]
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}
