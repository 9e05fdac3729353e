//! The opt-in plain-file store for machines with no keyring: `credentials.toml`, 0600 in a
//! 0700 directory. `auth status` warns whenever a secret lives here.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::{CredentialStore, StoreError};
use crate::config::write_private;
use crate::secret::Secret;

pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    pub fn new(path: PathBuf) -> Self {
        FileStore { path }
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    fn read(&self) -> Result<BTreeMap<String, Secret>, StoreError> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => toml::from_str(&text).map_err(|e| {
                StoreError::Other(format!(
                    "{} is not valid: {}",
                    self.path.display(),
                    e.message()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(StoreError::Other(format!(
                "reading {}: {e}",
                self.path.display()
            ))),
        }
    }

    fn write(&self, map: &BTreeMap<String, Secret>) -> Result<(), StoreError> {
        let text = toml::to_string(map).map_err(|e| StoreError::Other(e.to_string()))?;
        write_private(&self.path, text.as_bytes())
            .map_err(|e| StoreError::Other(format!("writing {}: {e}", self.path.display())))
    }
}

impl CredentialStore for FileStore {
    fn get(&self, profile: &str) -> Result<Option<Secret>, StoreError> {
        Ok(self.read()?.remove(profile))
    }

    fn set(&self, profile: &str, secret: &Secret) -> Result<(), StoreError> {
        let mut map = self.read()?;
        map.insert(profile.to_owned(), secret.clone());
        self.write(&map)
    }

    fn delete(&self, profile: &str) -> Result<bool, StoreError> {
        let mut map = self.read()?;
        let removed = map.remove(profile).is_some();
        if removed {
            self.write(&map)?;
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_get_delete() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = FileStore::new(dir.path().join("credentials.toml"));
        assert!(store.get("p").expect("get").is_none());
        store.set("p", &Secret::new("abc")).expect("set");
        assert_eq!(
            store.get("p").expect("get").map(|s| s.expose().to_owned()),
            Some("abc".into())
        );
        assert!(store.delete("p").expect("delete"));
        assert!(!store.delete("p").expect("delete"));
    }
}
