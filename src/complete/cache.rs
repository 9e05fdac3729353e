//! The completion cache: token IDs and names (never secrets) fetched for one profile, kept a
//! short while so pressing TAB again does not call the API again.
//!
//! One small JSON file per noun and connection under `$XDG_CACHE_HOME/tokenctl/completion/`,
//! written 0600 in a 0700 directory. The file name is a hash of the connection settings (never
//! of a secret), so two profiles or accounts never share an entry.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// How long a fetched list is offered without asking the API again.
pub const TTL: Duration = Duration::from_secs(60);

/// A token as completion offers it: its ID and, where the vendor has one, its name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    /// Unix seconds when the list was fetched.
    fetched_at: u64,
    items: Vec<Item>,
}

/// `$XDG_CACHE_HOME/tokenctl/completion` (or the platform's cache directory). None without an
/// absolute HOME or XDG_CACHE_HOME, where the platform's answer could be relative or `/`.
pub fn dir() -> Option<PathBuf> {
    let absolute = |var: &str| {
        std::env::var_os(var).is_some_and(|v| !v.is_empty() && Path::new(&v).is_absolute())
    };
    if cfg!(unix) && !absolute("HOME") && !absolute("XDG_CACHE_HOME") {
        return None;
    }
    directories::ProjectDirs::from("", "", "tokenctl")
        .map(|d| d.cache_dir().join("completion"))
        .filter(|d| d.is_absolute())
}

/// The entry for a connection: `<noun>-<hash of key>.json`.
pub fn path(dir: &Path, noun: &str, key: &str) -> PathBuf {
    dir.join(format!("{noun}-{:016x}.json", fnv1a(key.as_bytes())))
}

/// The largest cache entry read: 1 MiB.
pub const MAX_ENTRY_BYTES: u64 = 1024 * 1024;

/// The cached items, if the entry exists and is younger than [`TTL`].
pub fn read(path: &Path) -> Option<Vec<Item>> {
    // A cache entry holds IDs and names only: far under the cap, which keeps a damaged or
    // hostile file from costing memory on every TAB.
    let bytes = crate::files::read_file_capped(path, MAX_ENTRY_BYTES).ok()??;
    let entry: Entry = serde_json::from_slice(&bytes).ok()?;
    let now = unix_now();
    let age = now.checked_sub(entry.fetched_at)?;
    (age < TTL.as_secs()).then_some(entry.items)
}

/// Stores `items` as fetched now. Errors are ignored by the caller: a cache is optional.
pub fn write(path: &Path, items: &[Item]) -> std::io::Result<()> {
    let entry = Entry {
        fetched_at: unix_now(),
        items: items.to_vec(),
    };
    let json = serde_json::to_vec(&entry).map_err(std::io::Error::other)?;
    crate::config::write_private(path, &json)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// FNV-1a: a stable hash (unlike `DefaultHasher`, the same across Rust releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_past_the_cap_is_not_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = path(dir.path(), "tokens", "key");
        let padding = " ".repeat(MAX_ENTRY_BYTES as usize);
        let entry = format!("{{\"fetched_at\": {}, \"items\": []{padding}}}", unix_now());
        std::fs::write(&p, entry).expect("write");
        assert_eq!(read(&p), None);
        std::fs::write(
            &p,
            format!("{{\"fetched_at\": {}, \"items\": []}}", unix_now()),
        )
        .expect("write");
        assert_eq!(read(&p), Some(vec![]));
    }

    #[test]
    fn round_trip_then_expiry() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = path(dir.path(), "tokens", "key");
        assert_eq!(read(&p), None);
        let items = vec![
            Item {
                id: "a".repeat(32),
                name: Some("ci".into()),
            },
            Item {
                id: "b".into(),
                name: None,
            },
        ];
        write(&p, &items).expect("write");
        assert_eq!(read(&p), Some(items.clone()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // An entry older than the TTL is a miss.
        let old = serde_json::json!({ "fetched_at": unix_now() - TTL.as_secs(), "items": items });
        std::fs::write(&p, old.to_string()).expect("write old");
        assert_eq!(read(&p), None);
        // So is one from the future (a clock that went back) or a corrupt file.
        let future = serde_json::json!({ "fetched_at": unix_now() + 3600, "items": [] });
        std::fs::write(&p, future.to_string()).expect("write future");
        assert_eq!(read(&p), None);
        std::fs::write(&p, "{").expect("write corrupt");
        assert_eq!(read(&p), None);
    }

    #[test]
    fn keys_name_different_files() {
        let d = Path::new("/c");
        assert_eq!(path(d, "tokens", "a"), path(d, "tokens", "a"));
        assert_ne!(path(d, "tokens", "a"), path(d, "tokens", "b"));
        assert_ne!(path(d, "tokens", "a"), path(d, "service-tokens", "a"));
        // Known FNV-1a 64 values keep the file names stable across releases.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
