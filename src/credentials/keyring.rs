//! The OS keyring (Secret Service, Keychain, Credential Manager) through the `keyring` crate.
//!
//! Every call runs on its own thread with a deadline: a keyring that does not answer must not
//! hang the tool. Failures become one line that names the remedies.

use std::sync::mpsc;
use std::time::Duration;

use super::{CredentialStore, StoreError};
use tokenctl_api::secret::Secret;

const DEADLINE: Duration = Duration::from_millis(900);

/// What to do instead of the keyring.
fn remedy() -> String {
    format!(
        "set the secret in an environment variable (e.g. {} or TOKENCTL_TOKEN), or store it in a plain file with `tokenctl auth login --insecure-storage`",
        crate::config::Vendor::DEFAULT.token_var()
    )
}

pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    pub fn new(service: &str) -> Self {
        KeyringStore {
            service: service.to_owned(),
        }
    }

    fn call<T: Send + 'static>(
        &self,
        profile: &str,
        op: impl FnOnce(keyring::Entry) -> Result<T, keyring::Error> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, rx) = mpsc::channel();
        let service = self.service.clone();
        let user = profile.to_owned();
        std::thread::spawn(move || {
            let result = match keyring::Entry::new(&service, &user) {
                Ok(entry) => op(entry).map_err(|e| describe(&e)),
                Err(e) => Err(describe(&e)),
            };
            let _ = tx.send(result);
        });
        match rx.recv_timeout(DEADLINE) {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(StoreError::Unavailable(format!(
                "the OS keyring did not answer within {} ms; {}",
                DEADLINE.as_millis(),
                remedy()
            ))),
        }
    }
}

/// One line for a keyring failure, with the remedies when the keyring is out of reach.
fn describe(e: &keyring::Error) -> StoreError {
    match e {
        keyring::Error::NoDefaultStore => {
            let cause = match keyring::Entry::store_status() {
                Err(inner) => first_line(&inner.to_string()),
                Ok(()) => "no credential store".into(),
            };
            StoreError::Unavailable(format!(
                "no OS keyring is reachable ({cause}); {}",
                remedy()
            ))
        }
        keyring::Error::NoStorageAccess(inner) | keyring::Error::PlatformFailure(inner) => {
            StoreError::Unavailable(format!(
                "the OS keyring cannot be used ({}); {}",
                first_line(&inner.to_string()),
                remedy()
            ))
        }
        other => StoreError::Other(format!("keyring error: {}", first_line(&other.to_string()))),
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_owned()
}

impl CredentialStore for KeyringStore {
    fn get(&self, profile: &str) -> Result<Option<Secret>, StoreError> {
        self.call(profile, |entry| match entry.get_password() {
            Ok(v) => Ok(Some(Secret::new(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e),
        })
    }

    fn set(&self, profile: &str, secret: &Secret) -> Result<(), StoreError> {
        let value = secret.clone();
        self.call(profile, move |entry| entry.set_password(value.expose()))
    }

    fn delete(&self, profile: &str) -> Result<bool, StoreError> {
        self.call(profile, |entry| match entry.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(e),
        })
    }
}
