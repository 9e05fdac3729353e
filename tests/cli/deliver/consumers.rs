//! Real consumers read back exactly the secret tokenctl printed.

use super::{create_service_token, read, roll, run, setup, sh};
use crate::common::{mode, stdout_json, text};
use crate::support::keyring::KeyringSession;

#[test]
fn exec_into_secret_tool_then_lookup() {
    let keyring = KeyringSession::start();
    let (mut env, sb) = setup();
    env.set_all(&keyring.env());
    let (_, secret) = roll(
        &env,
        &sb,
        "ci-deploy-prod",
        &[
            "--deliver",
            "exec:secret-tool store --label deliver service tokenctl-deliver username \"$TOKENCTL_DELIVER_ID\"",
        ],
    );
    let id = sb.token_id("ci-deploy-prod");
    assert_eq!(
        keyring.lookup("tokenctl-deliver", &id).as_deref(),
        Some(secret.as_str()),
        "the Secret Service holds the printed secret, byte for byte"
    );
}

#[test]
fn exec_into_kubectl_makes_a_secret_offline() {
    let (env, sb) = setup();
    let (_, secret) = roll(
        &env,
        &sb,
        "ci-deploy-prod",
        &[
            "--deliver",
            "exec:kubectl create secret generic ci-deploy --from-file=token=/dev/stdin --dry-run=client -o jsonpath='{.data.token}' > k8s.b64",
        ],
    );
    let decoded = sh(env.home.path(), "base64 -d k8s.b64");
    assert_eq!(decoded, secret);
}

#[test]
fn exec_into_age_then_decrypt() {
    let (env, sb) = setup();
    let home = env.home.path();
    sh(home, "age-keygen -o key.txt 2>/dev/null");
    let recipient = sh(home, "age-keygen -y key.txt");
    let command = format!("exec:age -r {} -o secret.age", recipient.trim());
    let (_, secret) = roll(&env, &sb, "ci-deploy-prod", &["--deliver", &command]);
    assert!(
        !std::fs::read(home.join("secret.age"))
            .expect("secret.age")
            .windows(secret.len())
            .any(|w| w == secret.as_bytes()),
        "encrypted"
    );
    assert_eq!(sh(home, "age -d -i key.txt secret.age"), secret);
}

#[test]
fn dotenv_keeps_the_file_and_is_read_back_by_python_dotenv_bash_and_docker_compose() {
    let (env, sb) = setup();
    let home = env.home.path();
    let file = home.join("app.env");
    let before = "# the app's settings\nexport CF_TOKEN=old\n\nREGION='eu' # comment\nLAST=1";
    std::fs::write(&file, before).expect("write");
    sh(home, "chmod 640 app.env");
    let (_, secret) = roll(
        &env,
        &sb,
        "ci-deploy-prod",
        &["--deliver", "dotenv:app.env#CF_TOKEN"],
    );
    assert_eq!(
        read(&file),
        format!(
            "# the app's settings\nexport CF_TOKEN='{secret}'\n\nREGION='eu' # comment\nLAST=1\n"
        ),
        "every other line, comment and the order kept"
    );
    assert_eq!(mode(&file), 0o640, "an existing file keeps its mode");
    assert_eq!(
        sh(
            home,
            "bash -c 'set -a; . ./app.env; printf %s \"$CF_TOKEN\"'"
        ),
        secret
    );
    let python =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/lint/.venv/bin/python");
    assert!(
        python.exists(),
        "python-dotenv is not installed: run `scripts/setup`"
    );
    let read_back = sh(
        home,
        &format!(
            "{} -c 'import sys; from dotenv import dotenv_values; sys.stdout.write(dotenv_values(\"app.env\")[\"CF_TOKEN\"])'",
            python.display()
        ),
    );
    assert_eq!(read_back, secret);
    // docker compose reads it as an env file and substitutes it into a service.
    std::fs::write(
        home.join("compose.yml"),
        "services:\n  app:\n    image: busybox\n    environment:\n      CF_TOKEN: ${CF_TOKEN}\n",
    )
    .expect("write compose.yml");
    let composed = sh(
        home,
        "docker-compose --env-file app.env -f compose.yml config | /usr/bin/python3 -c 'import sys, yaml; sys.stdout.write(yaml.safe_load(sys.stdin)[\"services\"][\"app\"][\"environment\"][\"CF_TOKEN\"])'",
    );
    assert_eq!(
        composed, secret,
        "docker compose reads the same secret back"
    );
    let left: Vec<String> = std::fs::read_dir(home)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "no temporary file left: {left:?}");
}

#[test]
fn a_service_token_is_delivered_whole_to_dotenv_and_exec() {
    let (env, _sb) = setup();
    let home = env.home.path();
    let (client_id, secret) = create_service_token(
        &env,
        "deliver-both",
        &[
            "--deliver",
            "dotenv:svc.env",
            "--deliver",
            "exec:cat > svc.json",
            "--deliver-format",
            "json",
        ],
    );
    let file = home.join("svc.env");
    assert_eq!(mode(&file), 0o600, "a new env file is 0600");
    assert_eq!(
        sh(
            home,
            "bash -c 'set -a; . ./svc.env; printf \"%s %s\" \"$CLIENT_ID\" \"$CLIENT_SECRET\"'"
        ),
        format!("{client_id} {secret}")
    );
    let json: serde_json::Value =
        serde_json::from_str(&read(&home.join("svc.json"))).expect("json");
    assert_eq!(json["client_id"], client_id.as_str());
    assert_eq!(json["client_secret"], secret.as_str());

    let (client_id, secret) =
        create_service_token(&env, "deliver-env", &["--deliver", "exec:cat > svc.lines"]);
    assert_eq!(
        read(&home.join("svc.lines")),
        format!("CLIENT_ID={client_id}\nCLIENT_SECRET={secret}\n"),
        "env lines by default for a two-part secret"
    );
}

#[test]
fn bulk_delivers_each_token_with_its_placeholders() {
    let (env, _sb) = setup();
    let home = env.home.path();
    let out = run(
        &env,
        &[
            "tokens",
            "roll",
            "--name",
            "ci-*",
            "--yes",
            "-o",
            "json",
            "--deliver",
            "exec:cat > \"out-$TOKENCTL_DELIVER_ID\"; printf %s {name} > name-{id}",
            "--deliver",
            "file:{name}.token",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let items = stdout_json(&out).as_array().expect("array").clone();
    assert!(items.len() >= 2, "{items:?}");
    for item in &items {
        let (id, name) = (
            item["id"].as_str().expect("id"),
            item["name"].as_str().expect("name"),
        );
        let value = item["value"].as_str().expect("value");
        assert_eq!(read(&home.join(format!("out-{id}"))), value);
        assert_eq!(read(&home.join(format!("name-{id}"))), name);
        assert_eq!(
            read(&home.join(format!("{name}.token"))),
            format!("{value}\n")
        );
    }
}

#[test]
fn a_failing_sink_in_bulk_is_that_tokens_failure_and_the_others_still_get_theirs() {
    let (env, _sb) = setup();
    let home = env.home.path();
    let out = run(
        &env,
        &[
            "tokens",
            "roll",
            "--name",
            "ci-deploy-prod*",
            "--yes",
            "-o",
            "json",
            "--deliver",
            "exec:cat > {name}.out; test {name} != ci-deploy-prod",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let items = stdout_json(&out).as_array().expect("array").clone();
    assert_eq!(items.len(), 2, "{items:?}");
    for item in &items {
        let name = item["name"].as_str().expect("name");
        assert_eq!(
            read(&home.join(format!("{name}.out"))),
            item["value"].as_str().expect("value")
        );
    }
    let err = text(&out.stderr);
    assert!(
        err.contains("ci-deploy-prod (") && err.contains("exited with status 1"),
        "{err}"
    );
    assert!(
        err.contains("1 of 2 did not reach every --deliver sink"),
        "{err}"
    );
}

#[test]
fn bulk_json_reports_each_tokens_deliveries_without_the_secret() {
    let (env, _sb) = setup();
    let out = run(
        &env,
        &[
            "tokens",
            "roll",
            "--name",
            "ci-deploy-prod*",
            "--yes",
            "-o",
            "json",
            "--deliver",
            "exec:cat > /dev/null; test {name} != ci-deploy-prod",
            "--deliver",
            "dotenv:{name}.env#TOKEN",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let items = stdout_json(&out).as_array().expect("array").clone();
    assert_eq!(items.len(), 2, "{items:?}");
    for item in &items {
        let name = item["name"].as_str().expect("name");
        let value = item["value"].as_str().expect("value");
        let deliveries = &item["deliveries"];
        assert_eq!(deliveries[0]["kind"], "exec", "{item}");
        assert_eq!(deliveries[0]["ok"], name != "ci-deploy-prod", "{item}");
        assert_eq!(deliveries[1]["kind"], "dotenv", "{item}");
        assert_eq!(deliveries[1]["target"], format!("{name}.env"), "{item}");
        assert_eq!(deliveries[1]["ok"], true, "{item}");
        assert!(!deliveries.to_string().contains(value), "{deliveries}");
    }
    let failed = items
        .iter()
        .find(|i| i["name"] == "ci-deploy-prod")
        .expect("the failing token");
    assert!(
        failed["deliveries"][0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("exited with status 1")),
        "{failed}"
    );
}

#[test]
fn concurrent_runs_into_one_dotenv_file_lose_no_key() {
    let sb = crate::common::Sandbox::start(&[], &[]);
    let mut env = crate::common::TestEnv::new();
    env.set("CLOUDFLARE_BASE_URL", &sb.base_url)
        .set("CLOUDFLARE_ACCOUNT_ID", &sb.account_id)
        .set("CLOUDFLARE_API_TOKEN", &sb.token);
    let home = env.home.path().to_owned();
    // A file with some bulk, so that each run's read-edit-replace takes a while.
    let filler: String = (0..2000).map(|i| format!("KEEP_{i}=value-{i}\n")).collect();
    std::fs::write(home.join("shared.env"), &filler).expect("write");
    let listed = env
        .cmd()
        .args(["tokens", "list", "--status", "active", "--json"])
        .output()
        .expect("list");
    let ids: Vec<String> = stdout_json(&listed)
        .as_array()
        .expect("array")
        .iter()
        .filter(|t| t["expires_on"].is_null())
        .take(12)
        .map(|t| t["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(ids.len(), 12);
    let children: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            std::process::Command::new(crate::common::BIN)
                .env_clear()
                .envs(env.vars().iter().map(|(k, v)| (k, v)))
                .current_dir(&home)
                .args(["tokens", "roll", id, "--yes", "--json", "--deliver"])
                .arg(format!("dotenv:shared.env#KEY_{i}"))
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let secrets: Vec<String> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().expect("wait");
            assert!(out.status.success(), "{}", text(&out.stderr));
            stdout_json(&out)["value"]
                .as_str()
                .expect("value")
                .to_owned()
        })
        .collect();
    let body = std::fs::read_to_string(home.join("shared.env")).expect("read");
    for (i, secret) in secrets.iter().enumerate() {
        assert!(
            body.contains(&format!("KEY_{i}='{secret}'\n")),
            "KEY_{i} was lost by a concurrent run"
        );
    }
    assert!(
        body.starts_with(&filler),
        "the other lines are kept, in order"
    );
}
