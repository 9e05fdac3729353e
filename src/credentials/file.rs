//! The opt-in plain-file store for machines with no keyring: `credentials.toml`, 0600 in a
//! 0700 directory. `auth status` warns whenever a secret lives here.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::{CredentialStore, StoreError};
use crate::config::write_private;
use crate::files;
use tokenctl_api::secret::Secret;

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
        files::read_toml(&self.path).map_err(|e| {
            StoreError::Other(match e {
                files::TomlError::Invalid(why) => {
                    format!("{} is not valid: {why}", self.path.display())
                }
                files::TomlError::Io(e) => format!("reading {}: {e}", self.path.display()),
            })
        })
    }

    fn write(&self, map: &BTreeMap<String, Secret>) -> Result<(), StoreError> {
        let text = toml::to_string(map).map_err(|e| StoreError::Other(e.to_string()))?;
        write_private(&self.path, text.as_bytes())
            .map_err(|e| StoreError::Other(format!("writing {}: {e}", self.path.display())))
    }

    /// Reads, changes and writes the file while holding its exclusive lock, so parallel runs
    /// never lose each other's secrets. `change` says whether there is anything to write.
    fn update<T>(
        &self,
        change: impl FnOnce(&mut BTreeMap<String, Secret>) -> (T, bool),
    ) -> Result<T, StoreError> {
        let target = files::resolve_links(&self.path);
        let _lock = files::lock(&target)
            .map_err(|e| StoreError::Other(format!("locking {}: {e}", self.path.display())))?;
        let mut map = self.read()?;
        let (out, changed) = change(&mut map);
        if changed {
            self.write(&map)?;
        }
        Ok(out)
    }
}

impl CredentialStore for FileStore {
    fn get(&self, profile: &str) -> Result<Option<Secret>, StoreError> {
        Ok(self.read()?.remove(profile))
    }

    fn set(&self, profile: &str, secret: &Secret) -> Result<(), StoreError> {
        self.update(|map| {
            map.insert(profile.to_owned(), secret.clone());
            ((), true)
        })
    }

    fn delete(&self, profile: &str) -> Result<bool, StoreError> {
        self.update(|map| {
            let removed = map.remove(profile).is_some();
            (removed, removed)
        })
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
