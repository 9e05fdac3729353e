//! Sandbox state kept in a directory and shared safely between processes.
//!
//! `DIR/lock` carries an exclusive advisory lock for as long as a
//! [`LockedState`] lives, so two `tokenctl --sandbox` runs never interleave
//! their read-modify-write cycles. `DIR/state.json` (mode 0600) is replaced
//! atomically: written to `state.json.tmp`, synced, then renamed.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::{SandboxState, SeedOptions};

const LOCK_FILE: &str = "lock";
const STATE_FILE: &str = "state.json";
const TEMP_FILE: &str = "state.json.tmp";

/// The sandbox state of a directory, held under its exclusive lock.
#[derive(Debug)]
pub struct LockedState {
    dir: PathBuf,
    /// Released when dropped (closing the file drops the lock).
    _lock: File,
    pub state: SandboxState,
}

impl LockedState {
    /// Opens (creating it 0700 if missing) `dir`, waits for its lock, and
    /// loads the state, seeding and saving a fresh one if there is none.
    pub fn open(dir: &Path, seed: &SeedOptions) -> io::Result<Self> {
        create_private_dir(dir)?;
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let lock = options.open(dir.join(LOCK_FILE))?;
        lock.lock()?;
        let path = dir.join(STATE_FILE);
        match read_state(&path) {
            Ok(bytes) => {
                let state = serde_json::from_slice(&bytes).map_err(|e| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{} is not a sandbox state: {e}", path.display()),
                    )
                })?;
                Ok(Self {
                    dir: dir.to_owned(),
                    _lock: lock,
                    state,
                })
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let state = SandboxState::seeded(seed);
                let mut locked = Self {
                    dir: dir.to_owned(),
                    _lock: lock,
                    state: state.clone(),
                };
                locked.save(&state)?;
                Ok(locked)
            }
            Err(e) => Err(e),
        }
    }

    /// Replaces the stored state with `state`, atomically.
    pub fn save(&mut self, state: &SandboxState) -> io::Result<()> {
        let json = serde_json::to_vec_pretty(state).map_err(io::Error::other)?;
        let temp = self.dir.join(TEMP_FILE);
        let mut file = private_file(&temp)?;
        file.write_all(&json)?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, self.dir.join(STATE_FILE))?;
        self.state = state.clone();
        Ok(())
    }

    /// Throws the state away for a freshly seeded one, and saves it.
    pub fn reset(&mut self, seed: &SeedOptions) -> io::Result<()> {
        self.save(&SandboxState::seeded(seed))
    }

    /// The directory this state lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)
}

/// Creates or truncates `path`, readable by the owner only.
fn private_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let file = options.open(path)?;
        // A leftover temp file keeps its old mode; make sure it is private.
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
        Ok(file)
    }
    #[cfg(not(unix))]
    options.open(path)
}

/// The largest state file the embedded sandbox reads: 64 MiB, far above any seeded or grown
/// state (the benchmark's 500 tokens take well under 1 MiB).
pub const MAX_STATE_BYTES: u64 = 64 * 1024 * 1024;

/// Reads the state file, at most [`MAX_STATE_BYTES`].
fn read_state(path: &Path) -> io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    fs::File::open(path)?
        .take(MAX_STATE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_STATE_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{} is larger than {} MiB, the most the sandbox reads: run `tokenctl sandbox reset`",
                path.display(),
                MAX_STATE_BYTES / (1024 * 1024)
            ),
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    fn small() -> SeedOptions {
        SeedOptions {
            account_tokens: 8,
            service_tokens: 5,
        }
    }

    #[test]
    fn round_trip_and_reset() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("sandbox");
        let mut first = LockedState::open(&dir, &small()).unwrap();
        assert_eq!(first.state.cloudflare.tokens.len(), 8);
        assert_eq!(first.state.cloudflare.service_tokens.len(), 5);
        let admin = first.state.connections("http://x")["cloudflare"]
            .token
            .clone();
        let mut state = first.state.clone();
        state.cloudflare.tokens.truncate(5);
        first.save(&state).unwrap();
        drop(first);

        let mut second = LockedState::open(&dir, &small()).unwrap();
        assert_eq!(second.state.cloudflare.tokens.len(), 5);
        assert_eq!(
            second.state.connections("http://x")["cloudflare"].token,
            admin
        );
        second.reset(&small()).unwrap();
        assert_eq!(second.state.cloudflare.tokens.len(), 8);
        assert_ne!(
            second.state.connections("http://x")["cloudflare"].token,
            admin
        );
        assert!(!dir.join(TEMP_FILE).exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&dir), 0o700);
            assert_eq!(mode(&dir.join(STATE_FILE)), 0o600);
        }
    }

    #[test]
    fn states_written_before_service_tokens_still_load() {
        let tmp = tempfile::tempdir().unwrap();
        let state = SandboxState::seeded(&small());
        let mut json = serde_json::to_value(&state).unwrap();
        let cf = json["cloudflare"].as_object_mut().unwrap();
        for key in ["email", "global_api_key", "service_tokens"] {
            cf.remove(key).unwrap();
        }
        fs::write(tmp.path().join(STATE_FILE), json.to_string()).unwrap();
        let mut locked = LockedState::open(tmp.path(), &small()).unwrap();
        let cf = &locked.state.cloudflare;
        assert_eq!(cf.tokens.len(), 8);
        assert!(cf.service_tokens.is_empty());
        assert!(cf.global_api_key.is_empty());
        let connection = &locked.state.connections("http://x")["cloudflare"];
        assert_eq!(
            connection.token,
            state.connections("http://x")["cloudflare"].token
        );
        assert!(connection.api_key.is_none());
        let again = locked.state.clone();
        locked.save(&again).unwrap();
        drop(locked);
        let reopened = LockedState::open(tmp.path(), &small()).unwrap();
        assert!(reopened.state.cloudflare.service_tokens.is_empty());
        assert_eq!(reopened.state.cloudflare.email, "admin@acme.example");
    }

    #[test]
    fn corrupt_state_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join(STATE_FILE), "{not json").unwrap();
        let err = LockedState::open(tmp.path(), &small()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn second_open_waits_for_the_first() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_owned();
        let first = LockedState::open(&dir, &small()).unwrap();
        let (tx, rx) = mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let second = LockedState::open(&dir, &small()).unwrap();
            tx.send(second.state.cloudflare.tokens.len()).unwrap();
        });
        assert!(rx.recv_timeout(Duration::from_millis(300)).is_err());
        drop(first);
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), 8);
        waiter.join().unwrap();
    }
}
