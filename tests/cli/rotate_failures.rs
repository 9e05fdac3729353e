//! `rotate` on Mailtrap, Prefactor and Mosquitto when the new secret's verify or delivery
//! fails: the rotation stops with the old token still working, the new secret was still
//! printed (the vendor's answer is its only copy), and the exit is non-zero.

use serde_json::{Value, json};

use crate::common::{Sandbox, TestEnv, stdout_json, text};

/// One vendor's rotate, set up against a sandbox of its own.
struct Case {
    sb: Sandbox,
    env: TestEnv,
    vendor: &'static str,
    old_id: String,
}

impl Case {
    /// A user whose environment points at `vendor` in a fresh sandbox, with a token made to be
    /// rotated.
    fn new(vendor: &'static str) -> Case {
        let sb = Sandbox::start(&[], &[]);
        let env = sb.vendor_env(vendor);
        let account = sb.connections[vendor]["account_id"]
            .as_str()
            .expect("account")
            .to_owned();
        let create: Vec<String> = match vendor {
            "mailtrap" => {
                let resource = format!("account:{account}:viewer");
                [
                    "api-tokens",
                    "create",
                    "--name",
                    "rot",
                    "--resource",
                    &resource,
                ]
                .map(String::from)
                .to_vec()
            }
            "prefactor" => [
                "api-tokens",
                "create",
                "--scope",
                "account",
                "--expires",
                "90d",
            ]
            .map(String::from)
            .to_vec(),
            _ => [
                "project-tokens",
                "create",
                "--name",
                "rot",
                "--role",
                "viewer",
            ]
            .map(String::from)
            .to_vec(),
        };
        let out = env
            .cmd()
            .args(&create)
            .args(project(&sb, vendor))
            .arg("--json")
            .output()
            .expect("create");
        assert!(out.status.success(), "{}", text(&out.stderr));
        let v = stdout_json(&out);
        let old_id = match &v["id"] {
            Value::Null => v["details"]["id"].clone(),
            id => id.clone(),
        };
        let old_id = old_id
            .as_str()
            .map_or_else(|| old_id.to_string(), str::to_owned);
        Case {
            sb,
            env,
            vendor,
            old_id,
        }
    }

    /// The path the vendor reads a token list (or, for Mailtrap, one token) at: the rotation's
    /// reads there find the old token, and the last is the verify with the new secret.
    fn read_path(&self) -> String {
        let c = &self.sb.connections[self.vendor];
        match self.vendor {
            "mailtrap" => format!(
                "/mailtrap/api/accounts/{}/api_tokens/",
                c["account_id"].as_str().expect("account")
            ),
            "prefactor" => "/prefactor/api/v1/api_token".to_owned(),
            _ => format!(
                "/mosquitto/api/projects/{}/tokens",
                c["project_id"].as_str().expect("project")
            ),
        }
    }

    /// How many reads at [`Case::read_path`] the rotation makes before its verify: finding the
    /// old token, and for the clones, the listing that tells an interrupted run's new token
    /// from the tokens there before.
    fn reads_before_verify(&self) -> u32 {
        match self.vendor {
            "prefactor" => 3,
            "mosquitto" => 2,
            _ => 1,
        }
    }

    /// Runs the rotate with `extra`.
    fn rotate(&self, extra: &[&str]) -> std::process::Output {
        let noun = match self.vendor {
            "mosquitto" => "project-tokens",
            _ => "api-tokens",
        };
        let grace: &[&str] = match self.vendor {
            "mailtrap" => &[],
            _ => &["--grace", "0"],
        };
        self.env
            .cmd()
            .args([noun, "rotate", &self.old_id, "--yes", "--json"])
            .args(grace)
            .args(project(&self.sb, self.vendor))
            .args(extra)
            .output()
            .expect("rotate")
    }

    /// Asserts the rotation stopped with the old token untouched: nothing but the reset (for
    /// Mailtrap, whose reset is the rotation's first step and keeps the old token for its
    /// grace period) or the new token's creation was changed, and the old token still lists
    /// as usable.
    fn assert_old_untouched(&self, out: &std::process::Output) {
        assert!(!out.status.success(), "{}", text(&out.stderr));
        let err = text(&out.stderr);
        let v = stdout_json(out);
        let secret = v["token"]
            .as_str()
            .expect("the new secret is still printed")
            .to_owned();
        assert!(!err.contains(&secret), "{err}");
        assert!(
            err.contains("still works") || err.contains("keeps working"),
            "{err}"
        );
        let changes: Vec<String> = self
            .sb
            .request_lines()
            .into_iter()
            .filter(|l| !l.starts_with("GET ") && l.contains(&self.old_id))
            .collect();
        let allowed = match self.vendor {
            "mailtrap" => vec![format!("POST {}{}/reset", self.read_path(), self.old_id)],
            _ => Vec::new(),
        };
        assert_eq!(changes, allowed, "{:?}", self.sb.request_lines());
        let noun = match self.vendor {
            "mosquitto" => "project-tokens",
            _ => "api-tokens",
        };
        let list = self
            .env
            .cmd()
            .args([noun, "list", "--json"])
            .args(project(&self.sb, self.vendor))
            .output()
            .expect("list");
        let old = stdout_json(&list)
            .as_array()
            .expect("array")
            .iter()
            .find(|t| {
                t["id"]
                    .as_str()
                    .map_or_else(|| t["id"].to_string(), str::to_owned)
                    == self.old_id
            })
            .cloned()
            .unwrap_or_else(|| panic!("the old token is still there: {}", text(&list.stdout)));
        assert_ne!(old["status"], "revoked", "{old}");
    }
}

/// `--project` for Mosquitto's commands, which need one.
fn project(sb: &Sandbox, vendor: &str) -> Vec<String> {
    match vendor {
        "mosquitto" => vec![
            "--project".to_owned(),
            sb.connections[vendor]["project_id"]
                .as_str()
                .expect("project")
                .to_owned(),
        ],
        _ => Vec::new(),
    }
}

const VENDORS: [&str; 3] = ["mailtrap", "prefactor", "mosquitto"];

#[test]
fn a_failed_verify_stops_the_rotation_with_the_old_token_working() {
    for vendor in VENDORS {
        let case = Case::new(vendor);
        case.sb.fault(json!({
            "status": 401,
            "method": "GET",
            "path_prefix": case.read_path(),
            "after": case.reads_before_verify(),
        }));
        case.sb.clear_requests();
        let out = case.rotate(&["--verify"]);
        assert!(
            text(&out.stderr).contains("did not verify"),
            "{vendor}: {}{:#?}",
            text(&out.stderr),
            case.sb.request_lines()
        );
        case.assert_old_untouched(&out);
    }
}

#[test]
fn a_failed_delivery_stops_the_rotation_with_the_old_token_working() {
    for vendor in VENDORS {
        let case = Case::new(vendor);
        case.sb.clear_requests();
        let out = case.rotate(&["--verify", "--deliver", "exec:cat >/dev/null; exit 7"]);
        assert!(
            text(&out.stderr).contains("exited with status 7"),
            "{vendor}: {}",
            text(&out.stderr)
        );
        case.assert_old_untouched(&out);
    }
}
