//! What every command is handed: global flags, environment, `Ui`, paths, and lazily built
//! expensive things (the HTTP client, the embedded sandbox). `--help`, `completion` and
//! `profile` never build any of them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use anyhow::Context as _;
use reqwest::Url;
use tokio::sync::OnceCell;

use crate::cli::GlobalArgs;
use crate::config::{Config, Paths, Profile, Vendor};
use crate::credentials::{self, Credential, Secretish, Source};
use crate::env::Env;
use crate::error::CliError;
use crate::output::Format;
use crate::output::shell::word;
use crate::ui::Ui;
use tokenctl_api::http::{
    Auth, HttpClient, HttpOptions, Notice, Notices, check_base_url, unsafe_segment,
};
use tokenctl_api::secret::Secret;
use tokenctl_api::vendors::cloudflare::{self, Cloudflare};
use tokenctl_api::vendors::mailtrap::{self, Mailtrap};
use tokenctl_api::vendors::mosquitto::Mosquitto;
use tokenctl_api::vendors::prefactor::Prefactor;
use tokenctl_sandbox::{AppState, LockedState, SeedOptions};

/// The profile name sandbox mode provides for each vendor.
pub fn sandbox_profile_name(vendor: Vendor) -> String {
    format!("sandbox-{}", vendor.name())
}

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
}

/// The sandbox running inside this process for `--sandbox`, its state locked in the data dir
/// for the length of the command.
struct Embedded {
    app: AppState,
    root_url: String,
    locked: Mutex<LockedState>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Where a profile came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A profile in config.toml.
    Configured,
    /// A ready-made profile of the embedded sandbox.
    Sandbox,
    /// No profile: everything from environment variables.
    EnvOnly,
}

/// A profile with everything needed to talk to its vendor.
pub struct Resolved {
    pub name: String,
    pub profile: Profile,
    pub origin: Origin,
    pub base_url: Url,
    pub credential: Credential,
}

impl Context {
    pub fn new(globals: GlobalArgs, env: Env) -> Self {
        let ui = Ui::new(globals.color, globals.quiet, globals.no_input, &env);
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
        }
    }

    pub fn format(&self) -> Format {
        self.globals.format()
    }

    pub fn sandbox_mode(&self) -> bool {
        self.globals.sandbox || self.env.flag("TOKENCTL_SANDBOX")
    }

    pub fn config(&self) -> anyhow::Result<Config> {
        self.paths.check_config()?;
        Config::load(&self.paths.config_file())
    }

    /// config.toml for choosing a profile. Without a usable HOME there is none, and a
    /// credential in the environment alone still does (CI jobs often run without HOME).
    fn config_for_selection(&self, vendors: &[Vendor]) -> anyhow::Result<Config> {
        if let Err(e) = self.paths.check_config() {
            let from_env = vendors
                .iter()
                .any(|v| credentials::from_env(&self.env, *v, &Profile::new(*v)).is_some());
            return match self.globals.profile {
                None if from_env => Ok(Config::default()),
                _ => Err(e.into()),
            };
        }
        self.config()
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
        })?;
        Ok(cell.get_or_init(|| client).clone())
    }

    /// Picks the profile for a noun served by `vendor`: `--profile`/`TOKENCTL_PROFILE`, the
    /// default profile, the only profile of that vendor, or (with no profile at all) the
    /// environment variables alone.
    pub fn select_profile(&self, vendor: Vendor) -> anyhow::Result<(String, Profile, Origin)> {
        self.select_profile_for(&[vendor])
    }

    /// The same, for a noun that several vendors serve (`api-tokens`: Mailtrap and Prefactor).
    pub fn select_profile_for(
        &self,
        vendors: &[Vendor],
    ) -> anyhow::Result<(String, Profile, Origin)> {
        let config = self.config_for_selection(vendors)?;
        let sandbox = self.sandbox_mode();
        let names: Vec<&str> = vendors.iter().map(|v| v.name()).collect();
        let wanted = names.join(" or ");
        if let Some(name) = &self.globals.profile {
            if sandbox && let Some(v) = vendors.iter().find(|v| *name == sandbox_profile_name(**v))
            {
                return Ok((name.clone(), Profile::new(*v), Origin::Sandbox));
            }
            let Some(p) = config.profiles.get(name) else {
                return Err(CliError::not_configured(format!("no profile named '{name}'"))
                    .with_hint(format!(
                        "see `tokenctl profile list`, or add it with `tokenctl profile add {} --vendor {}`",
                        word(name),
                        vendors[0]
                    ))
                    .into());
            };
            if !vendors.contains(&p.vendor) {
                return Err(CliError::usage(format!(
                    "profile '{name}' is a {} profile, but this command needs a {wanted} profile",
                    p.vendor
                ))
                .into());
            }
            return Ok((name.clone(), p.clone(), Origin::Configured));
        }
        if sandbox {
            return match vendors {
                [v] => Ok((sandbox_profile_name(*v), Profile::new(*v), Origin::Sandbox)),
                _ => {
                    let list: Vec<String> =
                        vendors.iter().map(|v| sandbox_profile_name(*v)).collect();
                    Err(
                        CliError::usage(format!("several profiles fit: {}", list.join(", ")))
                            .with_hint(format!(
                                "choose one with -p, e.g. `tokenctl --sandbox -p {} ...`",
                                list[0]
                            ))
                            .into(),
                    )
                }
            };
        }
        if let Some(d) = &config.default_profile
            && let Some(p) = config.profiles.get(d)
            && vendors.contains(&p.vendor)
        {
            return Ok((d.clone(), p.clone(), Origin::Configured));
        }
        let fitting: Vec<(&String, &Profile)> = config
            .profiles
            .iter()
            .filter(|(_, p)| vendors.contains(&p.vendor))
            .collect();
        // With no profile at all, the vendor whose own variable is set (TOKENCTL_TOKEN alone
        // says nothing about the vendor when several fit).
        let from_env: Vec<Vendor> = vendors
            .iter()
            .copied()
            .filter(|v| {
                let p = Profile::new(*v);
                if vendors.len() == 1 {
                    credentials::from_env(&self.env, *v, &p).is_some()
                } else {
                    self.env.non_empty(v.token_var()).is_some()
                }
            })
            .collect();
        match fitting.as_slice() {
            [(name, p)] => Ok(((*name).clone(), (*p).clone(), Origin::Configured)),
            [] if from_env.len() == 1 => Ok((
                "(environment)".into(),
                Profile::new(from_env[0]),
                Origin::EnvOnly,
            )),
            [] => {
                let vars: Vec<&str> = vendors.iter().map(|v| v.token_var()).collect();
                Err(CliError::not_configured(format!("no {wanted} profile and no credential in the environment"))
                    .with_hint(format!(
                        "set {} (and the account), run `tokenctl auth login --vendor {}`, or try `tokenctl --sandbox`",
                        vars.join(" or "),
                        vendors[0]
                    ))
                    .into())
            }
            many => {
                let names: Vec<&str> = many.iter().map(|(n, _)| n.as_str()).collect();
                Err(CliError::usage(format!(
                    "several {wanted} profiles fit: {}",
                    names.join(", ")
                ))
                .with_hint(format!(
                    "choose one with -p NAME, or set a default with `tokenctl profile use {}`",
                    word(names[0])
                ))
                .into())
            }
        }
    }

    /// The profile for `vendor` with its base URL and credential.
    pub async fn resolve(&self, vendor: Vendor) -> anyhow::Result<Resolved> {
        let (name, profile, origin) = self.select_profile(vendor)?;
        self.resolve_named(name, profile, origin).await
    }

    /// A chosen profile with its base URL and credential.
    pub async fn resolve_named(
        &self,
        name: String,
        mut profile: Profile,
        origin: Origin,
    ) -> anyhow::Result<Resolved> {
        let base_url = self.base_url_for(&name, &mut profile, origin).await?;
        let credential = if origin == Origin::Sandbox {
            let conn = self.sandbox_connection(profile.vendor).await?;
            Credential {
                secret: Secretish::Token(Secret::new(conn.token)),
                source: Source::Sandbox,
            }
        } else {
            self.stored_credential(&name, &profile, origin)?
        };
        Ok(Resolved {
            name,
            profile,
            origin,
            base_url,
            credential,
        })
    }

    /// The base URL a profile talks to (the embedded sandbox in sandbox mode). Fills in the
    /// account from the sandbox or the environment when the profile has none.
    async fn base_url_for(
        &self,
        name: &str,
        profile: &mut Profile,
        origin: Origin,
    ) -> anyhow::Result<Url> {
        let vendor = profile.vendor;
        if origin == Origin::Configured {
            check_profile_ids(name, profile)?;
        }
        if self.sandbox_mode() {
            let conn = self.sandbox_connection(vendor).await?;
            if (profile.account_id.is_none() || origin == Origin::Sandbox)
                && !conn.account_id.is_empty()
            {
                profile.account_id = Some(conn.account_id.clone());
            }
            if profile.project_id.is_none() || origin == Origin::Sandbox {
                profile.project_id = profile.project_id.take().or(conn.project_id.clone());
            }
            return check_base_url(&conn.base_url).map_err(|e| CliError::failure(e).into());
        }
        let raw = profile
            .base_url
            .clone()
            .or_else(|| self.env.non_empty(vendor.base_url_var()))
            .or_else(|| vendor.default_base_url().map(str::to_owned))
            .ok_or_else(|| {
                CliError::not_configured(format!(
                    "profile '{name}' has no base URL, and {vendor} has no default"
                ))
                .with_hint(format!(
                    "set one with `tokenctl profile set {} --base-url URL` or {}",
                    word(name),
                    vendor.base_url_var()
                ))
            })?;
        let base = check_base_url(&raw).map_err(CliError::not_configured)?;
        if profile.account_id.is_none()
            && let Some(var) = vendor.account_var()
        {
            profile.account_id = self.env.non_empty(var);
            if let Some(a) = &profile.account_id {
                check_id(a, var, format!("set {var} to the account's ID"))?;
            }
        }
        Ok(base)
    }

    /// The secret for a configured or environment-only profile, in the documented order.
    fn stored_credential(
        &self,
        name: &str,
        profile: &Profile,
        origin: Origin,
    ) -> anyhow::Result<Credential> {
        if let Some(c) = credentials::from_env(&self.env, profile.vendor, profile) {
            return Ok(c);
        }
        if origin == Origin::Configured {
            let store = credentials::store_for(profile, &self.paths);
            if let Some(secret) = store.get(name)? {
                let source = match profile.storage {
                    Some(crate::config::Storage::File) => {
                        Source::File(self.paths.credentials_file().display().to_string())
                    }
                    _ => Source::Keyring,
                };
                return Ok(credentials::stored_credential(profile, secret, source));
            }
        }
        Err(
            CliError::not_configured(format!("no credential for profile '{name}'"))
                .with_hint(format!(
                    "run `tokenctl auth login -p {}` or set {}",
                    word(name),
                    profile.vendor.token_var()
                ))
                .into(),
        )
    }

    /// Saves a new secret as the profile's credential, where it came from. Used when a command
    /// replaced the very secret the profile authenticates with.
    pub fn replace_own_secret(&self, resolved: &Resolved, secret: &Secret) -> anyhow::Result<()> {
        match &resolved.credential.source {
            Source::Sandbox => Ok(()),
            Source::Env(var) => {
                self.ui.warn(&format!(
                    "the token in {var} was replaced: its old value no longer works; put the new value in {var}"
                ));
                Ok(())
            }
            Source::Keyring | Source::File(_) => {
                credentials::store_for(&resolved.profile, &self.paths)
                    .set(&resolved.name, secret)
                    .with_context(|| {
                        format!("storing the new secret for profile '{}'", resolved.name)
                    })?;
                self.ui.status(&format!(
                    "Updated the stored credential of profile '{}'.",
                    resolved.name
                ));
                Ok(())
            }
        }
    }

    /// The base URL a profile talks to, and the profile with its defaults filled in.
    pub async fn endpoint(&self, name: &str, profile: &Profile) -> anyhow::Result<(Url, Profile)> {
        let mut profile = profile.clone();
        let origin = if self.sandbox_mode() && name == sandbox_profile_name(profile.vendor) {
            Origin::Sandbox
        } else {
            Origin::Configured
        };
        let base = self.base_url_for(name, &mut profile, origin).await?;
        Ok((base, profile))
    }

    /// A Cloudflare client for the selected profile.
    pub async fn cloudflare(&self) -> anyhow::Result<(Cloudflare, Resolved)> {
        let resolved = self.resolve(Vendor::Cloudflare).await?;
        let cf = self.cloudflare_client(
            &resolved.name,
            &resolved.profile,
            &resolved.base_url,
            &resolved.credential.secret,
        )?;
        Ok((cf, resolved))
    }

    /// A Cloudflare client for the account-token endpoints, which accept only API tokens.
    pub async fn cloudflare_tokens(&self) -> anyhow::Result<(Cloudflare, Resolved)> {
        let (cf, resolved) = self.cloudflare().await?;
        if let Secretish::GlobalKey { .. } = resolved.credential.secret {
            return Err(CliError::not_configured(format!(
                "account-owned API tokens accept only an API token, but profile '{}' uses a Global API Key ({})",
                resolved.name, resolved.credential.source
            ))
            .with_hint("use an API token with Account API Tokens permissions (CLOUDFLARE_API_TOKEN)")
            .into());
        }
        Ok((cf, resolved))
    }

    /// A Cloudflare client for a profile and a given secret (`auth login` checks a secret before
    /// storing it).
    pub async fn cloudflare_for(
        &self,
        name: &str,
        profile: &Profile,
        secret: Secretish,
    ) -> anyhow::Result<(Cloudflare, Url)> {
        let (base, profile) = self.endpoint(name, profile).await?;
        let cf = self.cloudflare_client(name, &profile, &base, &secret)?;
        Ok((cf, base))
    }

    pub fn cloudflare_client(
        &self,
        name: &str,
        profile: &Profile,
        base: &Url,
        secret: &Secretish,
    ) -> anyhow::Result<Cloudflare> {
        let auth = match secret {
            Secretish::Token(t) => Auth::Bearer(t.clone()),
            Secretish::GlobalKey { email, key } => Auth::GlobalKey {
                email: email.clone(),
                key: key.clone(),
            },
        };
        let Some(account) = profile.account_id.clone() else {
            return Err(CliError::not_configured(format!(
                "profile '{name}' has no Cloudflare account ID"
            ))
            .with_hint(format!(
                "set it with `tokenctl profile set {} --account ID` or CLOUDFLARE_ACCOUNT_ID",
                word(name)
            ))
            .into());
        };
        if !cloudflare::looks_like_id(&account) {
            return Err(CliError::not_configured(format!(
                "the Cloudflare account ID '{account}' is not 32 hexadecimal characters"
            ))
            .into());
        }
        Ok(Cloudflare::new(
            self.http_for(base)?,
            base.clone(),
            auth,
            account,
            self.notices(),
        ))
    }

    /// The client for an `api-tokens` profile: Mailtrap or Prefactor, as the profile says.
    pub async fn api_tokens(&self) -> anyhow::Result<(ApiTokens, Resolved)> {
        let (name, profile, origin) =
            self.select_profile_for(&[Vendor::Mailtrap, Vendor::Prefactor])?;
        let resolved = self.resolve_named(name, profile, origin).await?;
        let secret = token_secret(&resolved)?;
        let client = match resolved.profile.vendor {
            Vendor::Mailtrap => {
                let account = resolved.profile.account_id.clone().ok_or_else(|| {
                    CliError::not_configured(format!(
                        "profile '{}' has no Mailtrap account ID",
                        resolved.name
                    ))
                    .with_hint(format!(
                        "set it with `tokenctl profile set {} --account ID` or MAILTRAP_ACCOUNT_ID",
                        word(&resolved.name)
                    ))
                })?;
                if !mailtrap::is_id(&account) {
                    return Err(CliError::not_configured(format!(
                        "the Mailtrap account ID '{account}' is not a number"
                    ))
                    .into());
                }
                ApiTokens::Mailtrap(Mailtrap::new(
                    self.http_for(&resolved.base_url)?,
                    resolved.base_url.clone(),
                    secret,
                    account,
                    self.notices(),
                ))
            }
            _ => ApiTokens::Prefactor(Prefactor::new(
                self.http_for(&resolved.base_url)?,
                resolved.base_url.clone(),
                secret,
                self.notices(),
            )),
        };
        Ok((client, resolved))
    }

    /// The Mosquitto client for `project` (or the profile's default project).
    pub async fn mosquitto(
        &self,
        project: Option<String>,
    ) -> anyhow::Result<(Mosquitto, Resolved)> {
        let resolved = self.resolve(Vendor::Mosquitto).await?;
        let secret = token_secret(&resolved)?;
        if let Some(p) = &project {
            check_id(p, "--project", "pass the project's ID".into())?;
        }
        let Some(project) = project.or_else(|| resolved.profile.project_id.clone()) else {
            return Err(CliError::usage(format!(
                "which project? pass --project ID (profile '{}' has no default)",
                resolved.name
            ))
            .with_hint(format!(
                "set a default with `tokenctl profile set {} --project ID`",
                word(&resolved.name)
            ))
            .into());
        };
        Ok((
            Mosquitto::new(
                self.http_for(&resolved.base_url)?,
                resolved.base_url.clone(),
                secret,
                project,
                self.notices(),
            ),
            resolved,
        ))
    }

    async fn embedded(&self) -> anyhow::Result<&Embedded> {
        self.sandbox
            .get_or_try_init(|| async {
                self.paths.check_data()?;
                let dir = self.paths.sandbox_dir();
                let locked = tokio::task::spawn_blocking(move || {
                    LockedState::open(&dir, &SeedOptions::default())
                })
                .await?
                .context("opening the sandbox state")?;
                let app = AppState::new(locked.state.clone(), Duration::ZERO);
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .context("starting the sandbox")?;
                let root_url = format!("http://{}", listener.local_addr()?);
                let server = tokio::spawn(tokenctl_sandbox::serve(listener, app.clone()));
                Ok::<_, anyhow::Error>(Embedded {
                    app,
                    root_url,
                    locked: Mutex::new(locked),
                    server,
                })
            })
            .await
    }

    /// How to reach the embedded sandbox as `vendor`.
    pub async fn sandbox_connection(
        &self,
        vendor: Vendor,
    ) -> anyhow::Result<tokenctl_sandbox::Connection> {
        let e = self.embedded().await?;
        e.app.connection(&e.root_url, vendor.name()).ok_or_else(|| {
            CliError::failure(format!("the sandbox does not emulate {vendor} yet")).into()
        })
    }

    /// Ends the command: saves the embedded sandbox's state, if one ran.
    pub async fn finish(&self) -> anyhow::Result<()> {
        if let Some(e) = self.sandbox.get() {
            e.server.abort();
            let state = e.app.snapshot();
            let mut locked = e
                .locked
                .lock()
                .map_err(|_| anyhow::anyhow!("sandbox state lock poisoned"))?;
            locked.save(&state).context("saving the sandbox state")?;
        }
        Ok(())
    }
}

/// Refuses a configured account or project ID that cannot be a URL path segment (`..` would
/// make every request go to another path), naming the profile's key.
fn check_profile_ids(name: &str, profile: &Profile) -> Result<(), CliError> {
    if let Some(a) = &profile.account_id {
        check_id(
            a,
            &format!("account_id of profile '{name}'"),
            format!("fix it with `tokenctl profile set {name} --account ID`"),
        )?;
    }
    if let Some(p) = &profile.project_id {
        check_id(
            p,
            &format!("project_id of profile '{name}'"),
            format!("fix it with `tokenctl profile set {name} --project ID`"),
        )?;
    }
    Ok(())
}

/// A usage error (exit 2) naming `source` when `id` cannot be a URL path segment.
fn check_id(id: &str, source: &str, hint: String) -> Result<(), CliError> {
    match unsafe_segment(id) {
        None => Ok(()),
        Some(why) => Err(CliError::usage(format!(
            "{source} is {id:?}: {why}, so it cannot be an ID in a request path"
        ))
        .with_hint(hint)),
    }
}

/// The `api-tokens` vendors.
pub enum ApiTokens {
    Mailtrap(Mailtrap),
    Prefactor(Prefactor),
}

/// The plain token of a profile (only Cloudflare knows another kind of secret).
fn token_secret(resolved: &Resolved) -> anyhow::Result<Secret> {
    match &resolved.credential.secret {
        Secretish::Token(t) => Ok(t.clone()),
        Secretish::GlobalKey { .. } => Err(CliError::not_configured(format!(
            "profile '{}' holds a Cloudflare Global API Key",
            resolved.name
        ))
        .into()),
    }
}
