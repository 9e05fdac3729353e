//! The vendor registry: every vendor tokenctl knows, and one table of facts per vendor.
//!
//! This is the one place that lists the vendors. Everything that differs by vendor is either a
//! field of [`Facts`] (names, environment variables, base URL, how IDs look, what a profile
//! needs) or lives in the vendor's own module here (how to build its client, what its tokens
//! look like to the rest of the tool). Adding a vendor: see ARCHITECTURE.md.

pub mod cloudflare;
pub mod help;
pub mod mailtrap;
pub mod mosquitto;
pub mod prefactor;

use std::fmt;

use serde::{Deserialize, Serialize};
use tokenctl_api::http::BudgetKey;
use tokenctl_api::secret::Secret;
use tokenctl_api::vendors::cloudflare::Cloudflare;
use tokenctl_api::vendors::mailtrap::Mailtrap;
use tokenctl_api::vendors::mosquitto::Mosquitto;
use tokenctl_api::vendors::prefactor::Prefactor;

use crate::context::{Context, Origin, Resolved};
use crate::credentials::Secretish;
use crate::error::CliError;
use crate::kinds::{Summary, summaries};
use crate::output::shell::word;

pub use cloudflare::{AccountTokens, ServiceTokens};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    Cloudflare,
    Mailtrap,
    Prefactor,
    Mosquitto,
}

/// The token nouns of the command line, each served by one or more vendors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Noun {
    /// Cloudflare account-owned API tokens.
    Tokens,
    /// Cloudflare Access service tokens.
    ServiceTokens,
    /// Mailtrap and Prefactor API tokens.
    ApiTokens,
    /// Cedalo Pro Mosquitto project tokens.
    ProjectTokens,
}

/// What tokenctl knows about one vendor.
pub struct Facts {
    /// The name in config.toml, `--vendor` and messages (`mailtrap`).
    pub name: &'static str,
    /// The name in help texts (`Mailtrap`).
    pub display: &'static str,
    /// The API's base URL; `None` for a self-hosted platform, whose profiles must name one.
    pub default_base_url: Option<&'static str>,
    /// The variable users already keep the vendor's secret in.
    pub token_var: &'static str,
    /// The variable the vendor's official SDKs read the base URL from.
    pub base_url_var: &'static str,
    /// The variable for the default account, where the vendor has accounts.
    pub account_var: Option<&'static str>,
    /// The legacy account-wide key, where the vendor has one (a key sent with the account's
    /// email instead of a token).
    pub account_key: Option<AccountKey>,
    /// How the vendor's account IDs look, where a profile needs one; checked before any request.
    pub account_id: Option<IdShape>,
    /// Whether tokens belong to projects, so a profile may name a default project.
    pub projects: bool,
    /// The client-side rate budget the vendor's client paces its requests by, if any.
    pub budget: Option<BudgetKey>,
    /// The nouns whose tokens the vendor serves.
    pub nouns: &'static [Noun],
}

/// How a vendor's IDs look.
pub struct IdShape {
    pub valid: fn(&str) -> bool,
    /// What a valid ID is, after "is" (`a number`, `32 hexadecimal characters`).
    pub is: &'static str,
    /// The same for `--account`'s help, where it is worth saying there.
    pub in_help: Option<&'static str>,
}

/// A vendor's legacy account-wide key, sent with the account's email.
pub struct AccountKey {
    /// What the vendor calls it ("Global API Key").
    pub name: &'static str,
    /// The variables it and its email are read from.
    pub key_var: &'static str,
    pub email_var: &'static str,
    /// `--email`'s help.
    pub email_help: &'static str,
}

impl Facts {
    /// The account-wide key's variables, key then email, where the vendor has such a key.
    pub fn key_vars(&self) -> Option<(&'static str, &'static str)> {
        self.account_key.as_ref().map(|k| (k.key_var, k.email_var))
    }
}

impl Vendor {
    /// Every vendor, in the order lists show them.
    pub const ALL: [Vendor; 4] = [
        Vendor::Cloudflare,
        Vendor::Mailtrap,
        Vendor::Prefactor,
        Vendor::Mosquitto,
    ];

    /// The vendor assumed where none is given (`auth login` without --vendor) and named in
    /// general hints.
    pub const DEFAULT: Vendor = Vendor::Cloudflare;

    pub fn facts(self) -> &'static Facts {
        match self {
            Vendor::Cloudflare => &cloudflare::FACTS,
            Vendor::Mailtrap => &mailtrap::FACTS,
            Vendor::Prefactor => &prefactor::FACTS,
            Vendor::Mosquitto => &mosquitto::FACTS,
        }
    }

    pub fn name(self) -> &'static str {
        self.facts().name
    }

    pub fn from_name(name: &str) -> Option<Vendor> {
        Vendor::ALL.into_iter().find(|v| v.name() == name)
    }

    pub fn default_base_url(self) -> Option<&'static str> {
        self.facts().default_base_url
    }

    pub fn base_url_var(self) -> &'static str {
        self.facts().base_url_var
    }

    pub fn token_var(self) -> &'static str {
        self.facts().token_var
    }

    pub fn account_var(self) -> Option<&'static str> {
        self.facts().account_var
    }

    /// The refusal of an account ID that cannot be one of this vendor's, if it cannot.
    pub fn check_account_id(self, id: &str) -> Result<(), String> {
        match &self.facts().account_id {
            Some(shape) if !(shape.valid)(id) => Err(format!(
                "invalid account ID '{id}': a {} account ID is {}",
                self.facts().display,
                shape.is
            )),
            _ => Ok(()),
        }
    }

    /// A profile of a self-hosted platform must name its base URL.
    pub fn needs_base_url(self) -> bool {
        self.default_base_url().is_none()
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Noun {
    pub const ALL: [Noun; 4] = [
        Noun::Tokens,
        Noun::ServiceTokens,
        Noun::ApiTokens,
        Noun::ProjectTokens,
    ];

    /// The noun on the command line (`service-tokens`).
    pub fn name(self) -> &'static str {
        match self {
            Noun::Tokens => "tokens",
            Noun::ServiceTokens => "service-tokens",
            Noun::ApiTokens => "api-tokens",
            Noun::ProjectTokens => "project-tokens",
        }
    }

    pub fn from_name(name: &str) -> Option<Noun> {
        Noun::ALL.into_iter().find(|n| n.name() == name)
    }

    /// The vendors that serve the noun, from the table.
    pub fn vendors(self) -> Vec<Vendor> {
        Vendor::ALL
            .into_iter()
            .filter(|v| v.facts().nouns.contains(&self))
            .collect()
    }
}

/// A vendor's client, built from a resolved profile by the one constructor, [`Client::connect`].
pub enum Client {
    Cloudflare(Cloudflare),
    Mailtrap(Mailtrap),
    Prefactor(Prefactor),
    Mosquitto(Mosquitto),
}

impl Client {
    /// The client for a resolved profile: its vendor's, with the profile's base URL, credential,
    /// account and project, checked before any request.
    pub fn connect(ctx: &Context, r: &Resolved) -> anyhow::Result<Client> {
        Ok(match r.profile.vendor {
            Vendor::Cloudflare => Client::Cloudflare(cloudflare::connect(ctx, r)?),
            Vendor::Mailtrap => Client::Mailtrap(mailtrap::connect(ctx, r)?),
            Vendor::Prefactor => Client::Prefactor(prefactor::connect(ctx, r)?),
            Vendor::Mosquitto => Client::Mosquitto(mosquitto::connect(ctx, r)?),
        })
    }

    /// Every token of `noun`, summarised; `noun` must be one the client's vendor serves.
    pub async fn summaries(&self, noun: Noun, r: &Resolved) -> anyhow::Result<Vec<Summary>> {
        match (self, noun) {
            (Client::Cloudflare(cf), Noun::Tokens) => {
                cloudflare::refuse_global_key(r)?;
                summaries(&AccountTokens(cf)).await
            }
            (Client::Cloudflare(cf), Noun::ServiceTokens) => summaries(&ServiceTokens(cf)).await,
            (Client::Mailtrap(mt), Noun::ApiTokens) => summaries(&mailtrap::Tokens(mt)).await,
            (Client::Prefactor(pf), Noun::ApiTokens) => {
                summaries(&prefactor::Tokens {
                    client: pf,
                    account: r.profile.account_id.as_deref(),
                })
                .await
            }
            (Client::Mosquitto(mq), Noun::ProjectTokens) => summaries(&mosquitto::Tokens(mq)).await,
            (_, noun) => Err(CliError::usage(format!(
                "profile '{}' is a {} profile, which has no {}",
                r.name,
                r.profile.vendor,
                noun.name()
            ))
            .into()),
        }
    }

    /// Checks the credential with a cheap authenticated read; says what it learnt.
    pub async fn check(&self, r: &Resolved) -> anyhow::Result<String> {
        match self {
            Client::Cloudflare(cf) => cloudflare::check(cf, r).await,
            Client::Mailtrap(mt) => {
                let n = mt.list().await.map_err(checking)?.len();
                Ok(format!("token works ({n} tokens visible)"))
            }
            Client::Prefactor(pf) => {
                pf.check().await.map_err(checking)?;
                Ok("token works".into())
            }
            Client::Mosquitto(mq) => {
                let n = mq.list().await.map_err(checking)?.len();
                Ok(format!(
                    "token works ({n} tokens in project {})",
                    r.profile.project_id.as_deref().unwrap_or_default()
                ))
            }
        }
    }
}

fn checking(e: tokenctl_api::http::ApiError) -> anyhow::Error {
    anyhow::Error::new(e).context("checking the token")
}

/// The profile's account, checked against the vendor's ID shape; refused when missing.
fn account(r: &Resolved) -> anyhow::Result<String> {
    let vendor = r.profile.vendor;
    let f = vendor.facts();
    let Some(account) = r.profile.account_id.clone() else {
        let var = f.account_var.unwrap_or("the account variable");
        return Err(CliError::not_configured(format!(
            "profile '{}' has no {} account ID",
            r.name, f.display
        ))
        .with_hint(match r.origin {
            Origin::EnvOnly => format!(
                "set {var}, or add a profile with `tokenctl profile add NAME --vendor {vendor} --account ID`"
            ),
            _ => format!(
                "set it with `tokenctl profile set {} --account ID` or {var}",
                word(&r.name)
            ),
        })
        .into());
    };
    if let Some(shape) = &f.account_id
        && !(shape.valid)(&account)
    {
        return Err(CliError::not_configured(format!(
            "the {} account ID '{account}' is not {}",
            f.display, shape.is
        ))
        .into());
    }
    Ok(account)
}

/// The plain token of a profile (only a vendor with an account-wide key knows another kind).
fn token(r: &Resolved) -> anyhow::Result<Secret> {
    match &r.credential.secret {
        Secretish::Token(t) => Ok(t.clone()),
        Secretish::GlobalKey { .. } => Err(CliError::not_configured(format!(
            "profile '{}' holds an account-wide API key, which {} does not take",
            r.name,
            r.profile.vendor.facts().display
        ))
        .into()),
    }
}

/// What `audit` covers, vendor by vendor.
pub const AUDIT_COVERAGE: &str = "A Cloudflare profile covers its account tokens and its Access service tokens; Mailtrap and Prefactor their API tokens; Mosquitto the project tokens of the profile's project.";

/// Which vendors report use and states, for `audit`'s reasons.
pub const AUDIT_REASONS: &str = "only where the vendor reports use, so never for Mailtrap, and only for tokens that could be used now); `disabled` (Cloudflare, Access); `suspended` (Prefactor); `revoked` (Prefactor: the token is dead, and that is its only finding; delete it)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_agrees_with_itself() {
        for v in Vendor::ALL {
            let f = v.facts();
            assert_eq!(Vendor::from_name(f.name), Some(v));
            assert!(!f.nouns.is_empty(), "{v} serves no noun");
            assert!(f.token_var.ends_with("_TOKEN"), "{v}");
            if let Some(url) = f.default_base_url {
                assert!(url.starts_with("https://"), "{v}: {url}");
            }
        }
        for n in Noun::ALL {
            assert_eq!(Noun::from_name(n.name()), Some(n));
            assert!(!n.vendors().is_empty(), "{n:?} has no vendor");
        }
    }

    #[test]
    fn help_lists_come_from_the_table() {
        assert_eq!(
            help::list(),
            "Cloudflare, Mailtrap, Prefactor, Cedalo Mosquitto"
        );
        assert_eq!(
            help::list_and(),
            "Cloudflare, Mailtrap, Prefactor and Cedalo Mosquitto"
        );
    }
}
