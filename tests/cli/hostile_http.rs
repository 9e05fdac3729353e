//! The HTTP layer against hostile servers, for every vendor and every kind of credential:
//! redirects are refused before the credential goes anywhere else, bodies are read up to a cap
//! (after decompression), vendor error text is capped, and the credential never comes back out
//! in an error or a trace.

mod bodies;
mod errors;
mod redirects;

use std::process::Output;

use crate::common::{TestEnv, text};
use crate::support::hostile::Seen;

pub const TOKEN: &str = "hostile-bearer-token-0123456789abcdef";
pub const GLOBAL_KEY: &str = "0123456789abcdef0123456789abcdefglobal";
pub const EMAIL: &str = "owner@example.com";
pub const ACCOUNT: &str = "0123456789abcdef0123456789abcdef";

/// A vendor with one way of passing its credential.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cred {
    /// Cloudflare API token, `Authorization: Bearer`.
    CloudflareToken,
    /// Cloudflare Global API Key, `X-Auth-Key` + `X-Auth-Email`.
    GlobalKey,
    /// Mailtrap's `Api-Token` header.
    Mailtrap,
    /// Prefactor, bearer.
    Prefactor,
    /// Cedalo Mosquitto, bearer.
    Mosquitto,
}

impl Cred {
    pub const ALL: [Cred; 5] = [
        Cred::CloudflareToken,
        Cred::GlobalKey,
        Cred::Mailtrap,
        Cred::Prefactor,
        Cred::Mosquitto,
    ];

    /// The secret the tool sends.
    pub fn secret(self) -> &'static str {
        match self {
            Cred::GlobalKey => GLOBAL_KEY,
            _ => TOKEN,
        }
    }

    /// An environment pointing this vendor at `root` (`http://127.0.0.1:PORT`).
    pub fn env(self, root: &str) -> TestEnv {
        let mut env = TestEnv::new();
        match self {
            Cred::CloudflareToken | Cred::GlobalKey => {
                env.set("CLOUDFLARE_BASE_URL", &format!("{root}/client/v4"))
                    .set("CLOUDFLARE_ACCOUNT_ID", ACCOUNT);
                if self == Cred::GlobalKey {
                    env.set("CLOUDFLARE_API_KEY", GLOBAL_KEY)
                        .set("CLOUDFLARE_EMAIL", EMAIL);
                } else {
                    env.set("CLOUDFLARE_API_TOKEN", TOKEN);
                }
            }
            Cred::Mailtrap => {
                env.set("MAILTRAP_BASE_URL", root)
                    .set("MAILTRAP_ACCOUNT_ID", "4242")
                    .set("MAILTRAP_API_TOKEN", TOKEN);
            }
            Cred::Prefactor => {
                env.set("PREFACTOR_BASE_URL", root)
                    .set("PREFACTOR_API_TOKEN", TOKEN);
            }
            Cred::Mosquitto => {
                env.set("MOSQUITTO_URL", root)
                    .set("MOSQUITTO_API_TOKEN", TOKEN);
            }
        }
        env
    }

    /// A read: the list verb of the noun this credential works with.
    pub fn list(self) -> Vec<&'static str> {
        match self {
            Cred::CloudflareToken => vec!["tokens", "list"],
            // Account tokens accept only API tokens; Access service tokens take the Global Key.
            Cred::GlobalKey => vec!["service-tokens", "list"],
            Cred::Mailtrap | Cred::Prefactor => vec!["api-tokens", "list"],
            Cred::Mosquitto => vec!["project-tokens", "list", "--project", "p1"],
        }
    }

    /// Whether a request carried this credential, in whichever header it travels.
    pub fn carried_by(self, seen: &Seen) -> bool {
        match self {
            Cred::GlobalKey => {
                seen.header("x-auth-key") == Some(GLOBAL_KEY)
                    && seen.header("x-auth-email") == Some(EMAIL)
            }
            Cred::Mailtrap => seen.header("api-token") == Some(TOKEN),
            _ => seen.header("authorization") == Some(&format!("Bearer {TOKEN}")),
        }
    }
}

/// Runs the tool with `args` in `env`.
pub fn run(env: &TestEnv, args: &[&str]) -> Output {
    env.cmd().args(args).output().expect("run tokenctl")
}

/// The exit code, with stderr for the failure message.
pub fn code(out: &Output) -> (i32, String) {
    (out.status.code().unwrap_or(-1), text(&out.stderr))
}
