//! Where secrets come from and where they are kept.
//!
//! Resolution order for a profile's secret: `TOKENCTL_TOKEN`; the vendor's usual variable
//! (its `token_var`, or its account-wide key's variables); the store the
//! profile names (the OS keyring by default, or the opt-in 0600 file).

pub mod command;
mod file;
mod keyring;

use std::fmt;

pub use file::FileStore;
pub use keyring::KeyringStore;

use crate::config::{Profile, Storage, Vendor};
use crate::env::Env;
use tokenctl_api::secret::Secret;

/// The keyring service name every tokenctl secret is stored under (user = profile name).
pub const KEYRING_SERVICE: &str = "tokenctl";

#[derive(Debug)]
pub enum StoreError {
    /// The store cannot be reached at all (no keyring daemon, locked collection).
    Unavailable(String),
    Other(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Unavailable(m) | StoreError::Other(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for StoreError {}

/// A place that keeps secrets by profile name.
pub trait CredentialStore {
    fn get(&self, profile: &str) -> Result<Option<Secret>, StoreError>;
    fn set(&self, profile: &str, secret: &Secret) -> Result<(), StoreError>;
    /// Returns whether something was deleted.
    fn delete(&self, profile: &str) -> Result<bool, StoreError>;
}

/// Where a resolved secret came from, for `auth status`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Env(String),
    Keyring,
    File(String),
    Sandbox,
    /// The profile's `credential_command`.
    Command,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Env(v) => write!(f, "env {v}"),
            Source::Keyring => f.write_str("keyring"),
            Source::File(p) => write!(f, "file {p} (plain text)"),
            Source::Sandbox => f.write_str("sandbox"),
            Source::Command => f.write_str("credential_command"),
        }
    }
}

/// A secret and how to present it.
#[derive(Clone, Debug)]
pub enum Secretish {
    Token(Secret),
    /// A vendor's account-wide key with its account email (`Facts::account_key`).
    GlobalKey {
        email: String,
        key: Secret,
    },
}

#[derive(Clone, Debug)]
pub struct Credential {
    pub secret: Secretish,
    pub source: Source,
}

/// A secret from the environment, if one is set for this vendor.
pub fn from_env(env: &Env, vendor: Vendor, profile: &Profile) -> Option<Credential> {
    if let Some(v) = env.non_empty("TOKENCTL_TOKEN") {
        return Some(Credential {
            secret: Secretish::Token(Secret::new(v)),
            source: Source::Env("TOKENCTL_TOKEN".into()),
        });
    }
    if let Some(v) = env.non_empty(vendor.token_var()) {
        return Some(Credential {
            secret: Secretish::Token(Secret::new(v)),
            source: Source::Env(vendor.token_var().into()),
        });
    }
    if let Some((key_var, email_var)) = vendor.facts().key_vars()
        && let Some(key) = env.non_empty(key_var)
    {
        let email = env.non_empty(email_var).or_else(|| profile.email.clone())?;
        return Some(Credential {
            secret: Secretish::GlobalKey {
                email,
                key: Secret::new(key),
            },
            source: Source::Env(key_var.into()),
        });
    }
    None
}

/// The store a profile's secret lives in.
pub fn store_for(profile: &Profile, paths: &crate::config::Paths) -> Box<dyn CredentialStore> {
    match profile.storage.unwrap_or(Storage::Keyring) {
        Storage::Keyring => Box::new(KeyringStore::new(KEYRING_SERVICE)),
        Storage::File => Box::new(FileStore::new(paths.credentials_file())),
    }
}

/// Wraps a stored secret as the profile expects it (token, or Global API Key with email).
pub fn stored_credential(profile: &Profile, secret: Secret, source: Source) -> Credential {
    let secret = match &profile.email {
        Some(email) if profile.vendor.facts().key_vars().is_some() => Secretish::GlobalKey {
            email: email.clone(),
            key: secret,
        },
        _ => Secretish::Token(secret),
    };
    Credential { secret, source }
}
