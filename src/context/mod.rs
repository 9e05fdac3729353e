//! What every command is handed: global flags, environment, `Ui`, paths, and lazily built
//! expensive things (the HTTP client, the embedded sandbox). `--help`, `completion` and
//! `profile` never build any of them, except that `profile list` and `show` start the
//! embedded sandbox in sandbox mode to show its profiles.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use reqwest::Url;
use tokio::sync::OnceCell;

use crate::cli::GlobalArgs;
use crate::config::{Config, Paths, Vendor};
use crate::env::Env;
use crate::output::Format;
use crate::ui::{Streams, Ui};
use tokenctl_api::http::{DryRun, HttpClient, HttpOptions, Notice, Notices};

mod embedded;
mod resolve;
mod select;

use embedded::Embedded;
pub(crate) use resolve::check_id;
pub use resolve::{Origin, Resolved};

pub struct Context {
    pub globals: GlobalArgs,
    pub env: Env,
    pub ui: Ui,
    pub paths: Paths,
    http: OnceLock<HttpClient>,
    plain_http: OnceLock<HttpClient>,
    sandbox: OnceCell<Embedded>,
    /// Changes sent and not yet answered, with the command that shows whether each happened:
    /// reported if the command is interrupted.
    in_flight: Mutex<Vec<(String, String)>>,
    /// What the vendor clients noticed in the answers, said once per command.
    notices: Notices,
    notices_said: AtomicBool,
    /// With `--dry-run`: the changes the HTTP clients wrote down instead of sending.
    dry_run: Option<DryRun>,
}

impl Context {
    pub fn new(globals: GlobalArgs, env: Env) -> Self {
        Context::with_streams(globals, env, Streams::process())
    }

    /// A context whose `Ui` reads and writes `streams` (captured ones in in-process tests).
    pub fn with_streams(globals: GlobalArgs, env: Env, streams: Streams) -> Self {
        let ui = Ui::with_streams(
            globals.color,
            globals.quiet,
            globals.no_input,
            &env,
            streams,
        )
        .dry_run(globals.dry_run);
        let dry_run = globals.dry_run.then(DryRun::new);
        let paths = Paths::from_env(&env);
        Context {
            globals,
            env,
            ui,
            paths,
            http: OnceLock::new(),
            plain_http: OnceLock::new(),
            in_flight: Mutex::new(Vec::new()),
            notices: Notices::new(),
            notices_said: AtomicBool::new(false),
            sandbox: OnceCell::new(),
            dry_run,
        }
    }

    pub fn format(&self) -> Format {
        self.globals.format()
    }

    /// With `--dry-run`, where the changes that were not sent are written down.
    pub fn dry_run(&self) -> Option<&DryRun> {
        self.dry_run.as_ref()
    }

    pub fn sandbox_mode(&self) -> bool {
        self.globals.sandbox || self.env.flag("TOKENCTL_SANDBOX")
    }

    pub fn config(&self) -> anyhow::Result<Config> {
        self.paths.check_config()?;
        Config::load(&self.paths.config_file())
    }

    /// Reads, changes and writes config.toml under its lock (see [`Config::update`]).
    pub fn update_config<T>(
        &self,
        change: impl FnOnce(&mut Config) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        self.paths.check_config()?;
        Config::update(&self.paths.config_file(), change)
    }

    /// Notes a change as sent (`what`, and the command that shows whether it happened) until
    /// [`Context::answered`] is called with the same `what`.
    pub fn sent(&self, what: &str, check: String) {
        if let Ok(mut v) = self.in_flight.lock() {
            v.push((what.to_owned(), check));
        }
    }

    /// The change `what` got its answer.
    pub fn answered(&self, what: &str) {
        if let Ok(mut v) = self.in_flight.lock()
            && let Some(i) = v.iter().position(|(w, _)| w == what)
        {
            v.remove(i);
        }
    }

    /// Changes still waiting for their answer, with the command that checks each.
    pub fn unanswered(&self) -> Vec<(String, String)> {
        self.in_flight.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// Where vendor clients note what they worked around in the answers.
    pub fn notices(&self) -> Notices {
        self.notices.clone()
    }

    /// Says what the vendor clients noticed so far, in one warning line; at most once per
    /// command (later notices are left unsaid).
    pub fn report_notices(&self) {
        let notices = self.notices.take();
        if notices.is_empty() || self.notices_said.swap(true, Ordering::Relaxed) {
            return;
        }
        for n in notices {
            match n {
                Notice::RepeatedIds { dropped } => self.ui.warn(&format!(
                    "the API listed the same ID more than once ({dropped} repeated {}); each token is shown and acted on once",
                    if dropped == 1 { "entry" } else { "entries" }
                )),
            }
        }
    }

    /// The HTTP client for requests to `base`, built on first use. A plain `http://` endpoint
    /// (the sandbox, or a loopback test server) gets a client without TLS, so it never pays for
    /// loading the system's root certificates.
    pub fn http_for(&self, base: &Url) -> anyhow::Result<HttpClient> {
        let tls = base.scheme() != "http";
        let cell = if tls { &self.http } else { &self.plain_http };
        if let Some(c) = cell.get() {
            return Ok(c.clone());
        }
        let client = HttpClient::new(HttpOptions {
            timeout: self.globals.timeout,
            verbose: self.globals.verbose,
            no_proxy: self.sandbox_mode(),
            tls,
            dry_run: self.dry_run.clone(),
        })?;
        Ok(cell.get_or_init(|| client).clone())
    }

    /// Ends the command: saves the embedded sandbox's state, if one ran.
    pub async fn finish(&self) -> anyhow::Result<()> {
        self.save_sandbox()
    }
}

/// The profile name sandbox mode provides for each vendor.
pub fn sandbox_profile_name(vendor: Vendor) -> String {
    format!("sandbox-{}", vendor.name())
}
