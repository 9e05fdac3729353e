//! `audit -o sarif|junit|markdown|csv|prometheus`, each read back by the tool that consumes it
//! (installed by `scripts/setup`): the SARIF 2.1.0 schema with Python's `jsonschema`,
//! `junitparser`, Python's `csv`, `promtool check metrics`. The sandbox gets a token whose name
//! holds a comma, quotes, a backslash, a pipe and a newline.

use std::path::PathBuf;
use std::process::{Command as StdCommand, Output, Stdio};

use crate::common::{TestEnv, text};

/// A name that breaks every format that does not escape it.
const HOSTILE: &str = "evil, \"quoted\"\n\\back|pipe";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Python of tests/lint/.venv (jsonschema, junitparser), installed by `scripts/setup`.
fn python() -> PathBuf {
    let p = root().join("tests/lint/.venv/bin/python");
    assert!(
        p.exists(),
        "{} is missing: run `scripts/setup`",
        p.display()
    );
    p
}

/// A sandbox with the hostile name on a never-expiring service token (so it is a finding).
fn hostile_env() -> TestEnv {
    let env = TestEnv::new();
    env.cmd()
        .args(["--sandbox", "service-tokens", "create", "--name", HOSTILE])
        .args(["--duration", "forever", "--json"])
        .assert()
        .success();
    env
}

fn audit(env: &TestEnv, format: &str, extra: &[&str]) -> Output {
    env.cmd()
        .args(["--sandbox", "audit", "-o", format])
        .args(extra)
        .output()
        .expect("run")
}

/// Runs `program` with `args`, feeding `input` on stdin.
fn feed(program: &PathBuf, args: &[&str], input: &[u8]) -> Output {
    use std::io::Write as _;
    let mut child = StdCommand::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    // A reader may stop at the first error it finds (promtool does) and close its stdin.
    if let Err(e) = child.stdin.take().expect("stdin").write_all(input) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write: {e}");
    }
    child.wait_with_output().expect("wait")
}

fn py(script: &str, input: &[u8]) -> String {
    let out = feed(&python(), &["-c", script], input);
    assert!(
        out.status.success(),
        "python failed: {}\n{}",
        text(&out.stderr),
        text(&out.stdout)
    );
    text(&out.stdout)
}

fn checked_sarif(doc: &[u8]) -> Output {
    let schema = root().join("../shared/specs/sarif-schema-2.1.0.json");
    assert!(schema.exists(), "{} is missing", schema.display());
    let script = format!(
        "import json, sys, jsonschema\n\
         schema = json.load(open({schema:?}))\n\
         doc = json.load(sys.stdin)\n\
         jsonschema.Draft4Validator(schema).validate(doc)\n\
         r = doc['runs'][0]\n\
         print(len(r['results']), len(r['tool']['driver']['rules']))\n\
         print(sum(1 for x in r['results'] if x['properties']['fix'].startswith('tokenctl ')))\n\
         # GitHub code scanning refuses a result without a physical location.\n\
         for x in r['results']:\n\
         \x20   uri = x['locations'][0]['physicalLocation']['artifactLocation']['uri']\n\
         \x20   assert uri and ':' not in uri and ' ' not in uri and not uri.startswith('/'), uri\n\
         \x20   assert x['locations'][0]['physicalLocation']['region']['startLine'] >= 1",
        schema = schema.display().to_string()
    );
    feed(&python(), &["-c", &script], doc)
}

fn json_count(env: &TestEnv) -> usize {
    let out = env
        .cmd()
        .args(["--sandbox", "audit", "--json"])
        .output()
        .expect("run");
    crate::common::stdout_json(&out)
        .as_array()
        .expect("array")
        .len()
}

#[test]
fn sarif_passes_the_official_schema_with_a_result_per_finding() {
    let env = hostile_env();
    let out = audit(&env, "sarif", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let checked = checked_sarif(&out.stdout);
    assert!(checked.status.success(), "{}", text(&checked.stderr));
    let n = json_count(&env);
    let lines: Vec<String> = text(&checked.stdout).lines().map(str::to_owned).collect();
    assert_eq!(lines[0], format!("{n} 8"));
    assert_eq!(lines[1], n.to_string());
    // A broken document fails the same check.
    let broken = text(&out.stdout).replace("\"2.1.0\"", "\"2.0\"");
    assert!(!checked_sarif(broken.as_bytes()).status.success());
    // So does one whose results have no physical location, which GitHub refuses to upload.
    let mut doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    for r in doc["runs"][0]["results"].as_array_mut().expect("results") {
        r["locations"][0]
            .as_object_mut()
            .expect("location")
            .remove("physicalLocation");
    }
    assert!(!checked_sarif(doc.to_string().as_bytes()).status.success());
}

#[test]
fn junit_has_one_testcase_per_token_and_rule() {
    let env = hostile_env();
    let out = audit(&env, "junit", &["--reason", "never-expires,expired"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let script = "import sys\n\
        from junitparser import JUnitXml, Failure\n\
        xml = JUnitXml.fromstring(sys.stdin.buffer.read())\n\
        cases = [c for s in xml for c in s]\n\
        failed = [c for c in cases if any(isinstance(r, Failure) for r in c.result)]\n\
        tokens = set((c.classname, c.name.split(': ', 1)[1]) for c in cases)\n\
        print(len(cases), len(failed), len(set((c.classname, c.name) for c in cases)), len(tokens))\n\
        print(sorted(set(c.name.split(':')[0] for c in cases)))";
    let got = py(script, &out.stdout);
    let mut lines = got.lines();
    let counts: Vec<usize> = lines
        .next()
        .expect("counts")
        .split(' ')
        .map(|n| n.parse().expect("number"))
        .collect();
    // Every token audited, once per rule (two); a failure per finding; no testcase twice.
    assert_eq!(counts[0], counts[3] * 2, "{got}");
    assert!(counts[3] > 100, "{got}");
    let findings = {
        let out = env
            .cmd()
            .args([
                "--sandbox",
                "audit",
                "--json",
                "--reason",
                "never-expires,expired",
            ])
            .output()
            .expect("run");
        crate::common::stdout_json(&out)
            .as_array()
            .expect("a")
            .len()
    };
    assert_eq!(counts[1], findings, "{got}");
    assert_eq!(counts[2], counts[0], "{got}");
    assert_eq!(lines.next(), Some("['expired', 'never-expires']"));
    // Unescaped markup is not XML: the reader refuses it.
    let broken = text(&out.stdout).replacen("&quot;", "\"", 1);
    let out = feed(
        &python(),
        &[
            "-c",
            "import sys\nfrom junitparser import JUnitXml\nJUnitXml.fromstring(sys.stdin.buffer.read())",
        ],
        broken.as_bytes(),
    );
    assert!(!out.status.success());
}

#[test]
fn csv_reads_back_with_pythons_csv_module() {
    let env = hostile_env();
    let out = audit(&env, "csv", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let script = "import csv, io, sys, json\n\
        rows = list(csv.reader(io.TextIOWrapper(sys.stdin.buffer, newline='')))\n\
        head = rows[0]\n\
        assert all(len(r) == len(head) for r in rows), 'ragged'\n\
        print(json.dumps({'head': head, 'n': len(rows) - 1, 'names': [r[4] for r in rows[1:]]}))";
    let got: serde_json::Value = serde_json::from_str(&py(script, &out.stdout)).expect("json");
    // A field left unquoted breaks the record: the reader sees ragged rows.
    let broken = text(&out.stdout).replace("\"evil, \"\"quoted\"\"", "evil, \"\"quoted\"\"");
    assert_ne!(broken, text(&out.stdout), "the hostile field is quoted");
    assert!(
        !feed(&python(), &["-c", script], broken.as_bytes())
            .status
            .success()
    );
    assert_eq!(
        got["head"],
        serde_json::json!([
            "profile",
            "vendor",
            "noun",
            "id",
            "name",
            "rule",
            "severity",
            "expires_on",
            "last_used_on",
            "created_on",
            "error",
            "fix"
        ])
    );
    assert_eq!(got["n"], json_count(&env));
    let names = got["names"].as_array().expect("names");
    assert!(names.iter().any(|n| n == HOSTILE), "{names:?}");
    assert!(names.iter().any(|n| n == "shared-service"));
}

#[test]
fn prometheus_passes_promtool_with_a_hostile_name() {
    let env = hostile_env();
    let out = audit(&env, "prometheus", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let promtool = PathBuf::from("promtool");
    let check = |input: &[u8]| feed(&promtool, &["check", "metrics"], input);
    let ok = check(&out.stdout);
    assert!(
        ok.status.success(),
        "promtool (Debian package prometheus, scripts/setup): {}{}",
        text(&ok.stdout),
        text(&ok.stderr)
    );
    let body = text(&out.stdout);
    for family in [
        "tokenctl_token_expiry_timestamp_seconds",
        "tokenctl_token_never_expires",
        "tokenctl_token_last_used_timestamp_seconds",
        "tokenctl_audit_findings",
    ] {
        assert!(
            body.contains(&format!("# TYPE {family} gauge\n")),
            "{family}"
        );
    }
    let escaped = r#"name="evil, \"quoted\"\n\\back|pipe""#;
    assert!(
        body.lines()
            .any(|l| l.starts_with("tokenctl_token_never_expires{")
                && l.contains(escaped)
                && l.ends_with(" 1")),
        "{body}"
    );
    assert!(body.contains(r#"rule="never-expires",severity="warning"} 1"#));
    // The same name unescaped is not the exposition format.
    let broken = body.replace(r#"\"quoted\""#, r#""quoted""#);
    assert!(!check(broken.as_bytes()).status.success());
}

#[test]
fn markdown_is_one_table_with_escaped_cells() {
    let env = hostile_env();
    let out = audit(&env, "markdown", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let body = text(&out.stdout);
    let rows: Vec<&str> = body.lines().filter(|l| l.starts_with("| ")).collect();
    // Header, separator, then one row per finding; every row has the header's 8 cells.
    assert_eq!(rows.len(), 2 + json_count(&env));
    let cells = |l: &str| l.replace("\\|", "").matches('|').count() - 1;
    assert!(rows.iter().all(|r| cells(r) == 8), "{body}");
    assert!(
        body.contains(r#"| evil, "quoted"<br>\\back\|pipe |"#),
        "{body}"
    );
    // GitHub renders it as one table: markdown-it-py (CommonMark with GFM tables) reads the
    // cells back, the hostile name whole in one of them.
    let script = "import sys, json\n\
        from markdown_it import MarkdownIt\n\
        toks = MarkdownIt('commonmark', {'html': True}).enable('table').parse(sys.stdin.read())\n\
        starts = [i for i, t in enumerate(toks) if t.type == 'tr_open']\n\
        ends = [i for i, t in enumerate(toks) if t.type == 'tr_close']\n\
        text = lambda t: ''.join(c.content for c in t.children if c.type in ('text', 'code_inline'))\n\
        rows = [[text(t) for t in toks[a:b] if t.type == 'inline'] for a, b in zip(starts, ends)]\n\
        print(json.dumps({'tables': sum(t.type == 'table_open' for t in toks), 'rows': rows}))";
    let read = |doc: &str| -> serde_json::Value {
        serde_json::from_str(&py(script, doc.as_bytes())).expect("json")
    };
    let shown = r#"evil, "quoted"\back|pipe"#;
    let has = |v: &serde_json::Value| {
        v["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .any(|r| r.as_array().is_some_and(|r| r.iter().any(|c| c == shown)))
    };
    let got = read(&body);
    assert_eq!(got["tables"], 1, "{got}");
    let rendered = got["rows"].as_array().expect("rows");
    assert_eq!(rendered.len(), 1 + json_count(&env), "{got}");
    assert!(
        rendered
            .iter()
            .all(|r| r.as_array().is_some_and(|r| r.len() == 8)),
        "{got}"
    );
    assert!(has(&got), "{got}");
    // An unescaped pipe splits the cell: the name no longer reads back.
    assert!(!has(&read(&body.replace("\\|pipe", "|pipe"))));
}

#[test]
fn fail_on_exits_10_in_every_format_with_the_report_written() {
    let env = TestEnv::new();
    for format in ["sarif", "junit", "markdown", "csv", "prometheus"] {
        let out = audit(&env, format, &["--fail-on", "expired"]);
        assert_eq!(
            out.status.code(),
            Some(10),
            "{format}: {}",
            text(&out.stderr)
        );
        assert!(text(&out.stdout).contains("expired"), "{format}");
        assert!(text(&out.stderr).contains("--fail-on"), "{format}");
    }
}

#[test]
fn audit_formats_are_refused_elsewhere_before_any_request() {
    let env = TestEnv::new();
    for format in ["sarif", "junit", "markdown", "csv", "prometheus"] {
        let out = env
            .cmd()
            .args(["--sandbox", "tokens", "list", "-o", format])
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2), "{format}");
        let err = text(&out.stderr);
        assert!(
            err.contains(&format!("-o {format} is only for `tokenctl audit`")),
            "{err}"
        );
        assert!(out.stdout.is_empty());
    }
}
