//! The rotation journal: one JSON file per rotation in `DATA_DIR/rotations` (0600 in a 0700
//! directory), holding IDs and steps only, never a secret.
//!
//! A `rotate` writes its entry before its first change and advances it after each step; a
//! finished rotation removes it. `rotations resume`, `abort` and `finish` read it back. Each
//! write replaces the file atomically ([`crate::files::write_private`]); a running rotation
//! holds its entry's lock ([`crate::files::try_lock`]) for its whole run, so a second run cannot
//! act on a rotation that is still moving.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::config::Vendor;
use crate::context::{Context, Origin, Resolved};
use crate::dates::rfc3339;
use crate::error::CliError;
use crate::files::FileLock;

/// The largest journal file read back: far above a real one.
const MAX_ENTRY_BYTES: u64 = 64 * 1024;

/// How far a rotation got. Each step is written once it has happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// Written before the new token is asked for: it may exist, its ID is not known.
    Started,
    /// The new token exists (its ID is recorded); its secret was not handed over yet.
    Created,
    /// The new secret went to the sinks and was printed.
    Delivered,
    /// `--verify` showed the new secret works.
    Verified,
    /// The old token is due for retirement at `due` (`rotations finish`).
    Scheduled,
}

impl Step {
    pub fn name(self) -> &'static str {
        match self {
            Step::Started => "started",
            Step::Created => "created",
            Step::Delivered => "delivered",
            Step::Verified => "verified",
            Step::Scheduled => "scheduled",
        }
    }
}

/// One rotation, as recorded.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    /// The profile's name, and where it came from (`configured`, `sandbox`, `environment`).
    pub profile: String,
    pub origin: String,
    pub vendor: Vendor,
    /// The noun rotated: `tokens`, `service-tokens`, `api-tokens`, `project-tokens`.
    pub noun: String,
    /// The Mosquitto project the tokens belong to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    pub old_id: String,
    pub old_name: String,
    /// Tokens that looked like the new one before it was asked for: a token that looks like it
    /// and is not among these is the new one, even when its ID was never learned.
    #[serde(default)]
    pub siblings: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_id: Option<String>,
    /// The grace period in seconds (0: retired at once).
    pub grace_secs: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    /// The sink flags as given (sink specs hold no secret), to run the rotation again.
    #[serde(default)]
    pub sinks: Vec<String>,
    #[serde(default)]
    pub verify: bool,
    pub step: Step,
    pub started: String,
    pub updated: String,
}

/// A rotation that is moving: its entry and the lock held on it until it is dropped.
pub struct Running {
    pub entry: Entry,
    dir: PathBuf,
    /// `None` under `--dry-run`, which writes nothing.
    lock: Option<FileLock>,
}

/// The directory of the journal.
pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("rotations")
}

fn file(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.json"))
}

/// Names an origin as the journal records it.
pub fn origin_name(origin: Origin) -> &'static str {
    match origin {
        Origin::Configured => "configured",
        Origin::Sandbox => "sandbox",
        Origin::EnvOnly => "environment",
    }
}

/// A rotation ID: the time and a random part, so IDs sort by age and never collide.
fn new_id() -> String {
    let now = Timestamp::now();
    format!(
        "r{}-{:06x}",
        now.strftime("%Y%m%d%H%M%S"),
        rand::random::<u32>() & 0xff_ffff
    )
}

/// What a rotation records before its first change.
pub struct Begin<'a> {
    pub resolved: &'a Resolved,
    pub noun: &'a str,
    pub old_id: &'a str,
    pub old_name: &'a str,
    pub siblings: Vec<String>,
    pub grace_secs: i64,
    pub sinks: Vec<String>,
    pub verify: bool,
}

impl Running {
    /// Writes a new entry (step `started`) and holds its lock.
    /// Without a data directory (no usable HOME) or under --dry-run, nothing is written: the
    /// rotation runs unjournalled, as the caller says.
    pub fn begin(ctx: &Context, b: Begin<'_>) -> anyhow::Result<Running> {
        let unjournalled = ctx.paths.check_data().is_err();
        if unjournalled && !ctx.globals.dry_run {
            ctx.ui.warn(
                "no data directory (HOME is not usable): this rotation is not journalled, so `tokenctl rotations` cannot resume it",
            );
        }
        let dry_run = ctx.globals.dry_run || unjournalled;
        let data_dir = &ctx.paths.data_dir;
        let now = rfc3339(Timestamp::now());
        let entry = Entry {
            id: new_id(),
            profile: b.resolved.name.clone(),
            origin: origin_name(b.resolved.origin).to_owned(),
            vendor: b.resolved.profile.vendor,
            noun: b.noun.to_owned(),
            project: b.resolved.profile.project_id.clone(),
            old_id: b.old_id.to_owned(),
            old_name: b.old_name.to_owned(),
            siblings: b.siblings,
            new_id: None,
            grace_secs: b.grace_secs,
            due: None,
            sinks: b.sinks,
            verify: b.verify,
            step: Step::Started,
            started: now.clone(),
            updated: now,
        };
        let dir = dir(data_dir);
        let lock = match dry_run {
            true => None,
            false => Some(lock_entry(&dir, &entry.id)?.ok_or_else(|| {
                CliError::failure(format!("rotation {} is already locked", entry.id))
            })?),
        };
        let running = Running { entry, dir, lock };
        running.save()?;
        Ok(running)
    }

    /// Takes over a recorded rotation; `None` when another run holds it.
    /// Under `--dry-run` nothing is locked or written.
    pub fn take(data_dir: &Path, dry_run: bool, entry: Entry) -> anyhow::Result<Option<Running>> {
        let dir = dir(data_dir);
        if dry_run {
            return Ok(Some(Running {
                entry,
                dir,
                lock: None,
            }));
        }
        Ok(lock_entry(&dir, &entry.id)?.map(|lock| Running {
            entry,
            dir,
            lock: Some(lock),
        }))
    }

    /// Records a step (and whatever `change` sets beside it).
    pub fn step(&mut self, step: Step, change: impl FnOnce(&mut Entry)) -> anyhow::Result<()> {
        self.entry.step = step;
        change(&mut self.entry);
        self.entry.updated = rfc3339(Timestamp::now());
        self.save()
    }

    fn save(&self) -> anyhow::Result<()> {
        if self.lock.is_none() {
            return Ok(());
        }
        let path = file(&self.dir, &self.entry.id);
        let text = serde_json::to_vec_pretty(&self.entry)?;
        crate::files::write_private(&path, &text)
            .map_err(|e| anyhow::anyhow!("writing the rotation journal {}: {e}", path.display()))
    }

    /// The rotation is over: its entry goes.
    pub fn done(self) -> anyhow::Result<()> {
        if self.lock.is_none() {
            return Ok(());
        }
        let path = file(&self.dir, &self.entry.id);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(anyhow::anyhow!(
                    "removing the rotation journal {}: {e}",
                    path.display()
                ));
            }
        }
        let _ = std::fs::remove_file(crate::files::lock_path(&path));
        Ok(())
    }
}

fn lock_entry(dir: &Path, id: &str) -> anyhow::Result<Option<FileLock>> {
    crate::files::try_lock(&file(dir, id))
        .map_err(|e| anyhow::anyhow!("locking the rotation journal in {}: {e}", dir.display()))
}

/// Every recorded rotation, oldest first. A file that cannot be read as an entry is an error
/// naming it, so a damaged journal is never taken for an empty one.
pub fn load_all(data_dir: &Path) -> anyhow::Result<Vec<Entry>> {
    let dir = dir(data_dir);
    let read = match std::fs::read_dir(&dir) {
        Ok(r) => r,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(anyhow::anyhow!("reading {}: {e}", dir.display())),
    };
    let mut entries = Vec::new();
    for item in read {
        let path = item?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') || !name.ends_with(".json") {
            continue;
        }
        entries.push(load(&path)?);
    }
    entries.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(entries)
}

fn load(path: &Path) -> anyhow::Result<Entry> {
    let damaged = |why: String| -> anyhow::Error {
        CliError::failure(format!(
            "the rotation journal {} is damaged: {why}",
            path.display()
        ))
        .with_hint(
            "look at the file; once you know what it recorded, move it away (the tokens it names are untouched)",
        )
        .into()
    };
    let bytes = crate::files::read_file_capped(path, MAX_ENTRY_BYTES)
        .map_err(|e| damaged(e.to_string()))?
        .ok_or_else(|| damaged("it is gone".into()))?;
    serde_json::from_slice(&bytes).map_err(|e| damaged(e.to_string()))
}

/// Whether token `id` of `noun` in `profile` (of `vendor`) is the old token of a rotation in
/// `journal`: one that has not finished, so the token is being retired and its twin, the new
/// token, already stands in for it.
pub fn retiring(journal: &[Entry], profile: &str, vendor: Vendor, noun: &str, id: &str) -> bool {
    journal
        .iter()
        .any(|e| e.profile == profile && e.vendor == vendor && e.noun == noun && e.old_id == id)
}

/// The entries a command names: the one with `id`, or all when none is given.
pub fn pick(data_dir: &Path, id: Option<&str>) -> anyhow::Result<Vec<Entry>> {
    let all = load_all(data_dir)?;
    let Some(id) = id else { return Ok(all) };
    let one: Vec<Entry> = all.into_iter().filter(|e| e.id == id).collect();
    if one.is_empty() {
        return Err(CliError::usage(format!("no rotation '{id}' is recorded"))
            .with_hint("see them with `tokenctl rotations list`")
            .into());
    }
    Ok(one)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_entry_is_an_error_naming_the_file() {
        let d = tempfile::tempdir().expect("tempdir");
        let dir = dir(d.path());
        crate::config::create_private_dir(&dir).expect("dir");
        std::fs::write(dir.join("r1.json"), b"{not json").expect("write");
        let e = load_all(d.path()).expect_err("damaged");
        assert!(e.to_string().contains("r1.json is damaged"), "{e}");
    }
}
