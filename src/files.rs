//! The files tokenctl keeps and reads, safe against parallel runs, kills and hostile paths.
//!
//! - [`lock`]: an exclusive lock on a companion `.NAME.lock` file, held for a whole
//!   read-modify-write, so parallel runs never lose each other's changes.
//! - [`write_private`]: replaces a file atomically through a unique temporary file in the same
//!   directory (0600, fsync, rename, fsync of the directory), through any symlink to it.
//! - [`write_new_private`]: creates a file in one step (temporary file, then a hard link), so
//!   a failed write leaves nothing at the name.
//! - Temporary files of runs that died (their PID is gone) are removed at the next write into
//!   the same directory.
//! - [`read_capped`]: reads at most a cap, so `/dev/zero` or a huge file cannot exhaust memory.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use crate::config::create_private_dir;

/// The largest `config.toml` or `credentials.toml` tokenctl reads: 1 MiB, thousands of times
/// a real one.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// How many symlinks [`resolve_links`] follows before giving up (as the kernel's ELOOP).
const MAX_LINK_HOPS: usize = 40;

/// A cap in words, for error messages ("1 MiB", "512 KiB", "100 bytes").
pub fn describe_cap(cap: u64) -> String {
    if cap >= 1024 * 1024 && cap.is_multiple_of(1024 * 1024) {
        format!("{} MiB", cap / (1024 * 1024))
    } else if cap >= 1024 && cap.is_multiple_of(1024) {
        format!("{} KiB", cap / 1024)
    } else {
        format!("{cap} bytes")
    }
}

/// Reads everything up to `cap` bytes; more is an error of kind `FileTooLarge`.
pub fn read_capped(reader: impl Read, cap: u64) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    reader.take(cap.saturating_add(1)).read_to_end(&mut buf)?;
    if buf.len() as u64 > cap {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!("larger than {}, the most tokenctl reads", describe_cap(cap)),
        ));
    }
    Ok(buf)
}

/// Reads a regular file of at most `cap` bytes; `None` when it does not exist. Anything else
/// at the path (a FIFO that would block the read forever, a device, a directory) is an error
/// of kind `InvalidData`, like a file too large is one of kind `FileTooLarge`.
pub fn read_file_capped(path: &Path, cap: u64) -> io::Result<Option<Vec<u8>>> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        // Opening a FIFO for reading blocks until a writer comes; non-blocking, it returns at
        // once, and the check below refuses it.
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let f = match options.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    if !f.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "it is not a regular file",
        ));
    }
    read_capped(f, cap).map(Some)
}

/// Why a TOML file tokenctl keeps could not be read.
pub enum TomlError {
    /// Not what the file must be: too large, not a regular file, not UTF-8, not valid TOML.
    Invalid(String),
    /// Reading failed (permissions, I/O).
    Io(io::Error),
}

/// Reads a TOML file of at most [`MAX_CONFIG_BYTES`] (config.toml, credentials.toml); a
/// missing file is `T::default()`.
pub fn read_toml<T: serde::de::DeserializeOwned + Default>(path: &Path) -> Result<T, TomlError> {
    let bytes = match read_file_capped(path, MAX_CONFIG_BYTES) {
        Ok(Some(b)) => b,
        Ok(None) => return Ok(T::default()),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::FileTooLarge | io::ErrorKind::InvalidData
            ) =>
        {
            return Err(TomlError::Invalid(e.to_string()));
        }
        Err(e) => return Err(TomlError::Io(e)),
    };
    let text =
        String::from_utf8(bytes).map_err(|_| TomlError::Invalid("it is not UTF-8 text".into()))?;
    toml::from_str(&text).map_err(|e| TomlError::Invalid(e.message().to_owned()))
}

/// The file `path` names, through any chain of symlinks, so a write replaces the target and
/// keeps the link (dotfile managers link config.toml). A path that is no link comes back as is.
pub fn resolve_links(path: &Path) -> PathBuf {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINK_HOPS {
        match std::fs::read_link(&current) {
            Ok(target) if target.is_absolute() => current = target,
            Ok(target) => current = parent_of(&current).join(target),
            Err(_) => break,
        }
    }
    current
}

/// The directory a file is in (`.` for a bare name).
pub fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn file_name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into())
}

/// An exclusive lock, released when dropped (or when the process dies).
#[must_use = "the lock is released when this is dropped"]
pub struct FileLock {
    _file: File,
}

/// Takes the exclusive lock that guards `target` (a `.NAME.lock` file beside it, kept for good
/// so that every run locks the same inode), waiting for other runs that hold it. The directory
/// is created (0700) if needed.
pub fn lock(target: &Path) -> io::Result<FileLock> {
    let file = open_lock_file(target)?;
    file.lock()?;
    Ok(FileLock { _file: file })
}

/// The `.NAME.lock` file beside `target` that [`lock`] and [`try_lock`] take.
pub fn lock_path(target: &Path) -> PathBuf {
    parent_of(target).join(format!(".{}.lock", file_name_of(target)))
}

/// The `.NAME.lock` file beside `target`, created (0600, in a 0700 directory) if needed.
fn open_lock_file(target: &Path) -> io::Result<File> {
    create_private_dir(parent_of(target))?;
    let path = lock_path(target);
    let mut o = OpenOptions::new();
    o.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(&path)
}

/// Takes the same lock as [`lock`] without waiting: `None` when another run holds it.
pub fn try_lock(target: &Path) -> io::Result<Option<FileLock>> {
    let file = open_lock_file(target)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(FileLock { _file: file })),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// Replaces the file `path` names (through symlinks) with `contents`, mode 0600, in a 0700
/// directory: a unique temporary file beside it, fsync, rename, fsync of the directory. A
/// reader sees the old file or the new one, never half of one; a failure leaves the old one.
pub fn write_private(path: &Path, contents: &[u8]) -> io::Result<()> {
    let target = resolve_links(path);
    let dir = parent_of(&target);
    create_private_dir(dir)?;
    // Earlier versions staged tokenctl's own files at the fixed `.NAME.tmp`; a run killed then
    // left it, possibly holding secrets.
    let legacy = dir.join(format!(".{}.tmp", file_name_of(&target)));
    if std::fs::symlink_metadata(&legacy).is_ok_and(|m| m.is_file()) {
        let _ = std::fs::remove_file(&legacy);
    }
    let tmp = stage(&target, contents)?;
    if let Err(e) = std::fs::rename(&tmp, &target) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    sync_dir(dir);
    Ok(())
}

/// Replaces `target` (no symlink resolved here) with `contents`, mode `mode`, in one step: a
/// temporary file beside it, fsync, rename, fsync of the directory. Unlike [`write_private`],
/// the directory is neither created nor changed: it is the user's.
pub fn replace_with_mode(target: &Path, contents: &[u8], mode: u32) -> io::Result<()> {
    let tmp = stage(target, contents)?;
    #[cfg(unix)]
    let placed = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(mode))
            .and_then(|()| std::fs::rename(&tmp, target))
    };
    #[cfg(not(unix))]
    let placed = {
        let _ = mode;
        std::fs::rename(&tmp, target)
    };
    if let Err(e) = placed {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    sync_dir(parent_of(target));
    Ok(())
}

/// Creates `path` with `contents` (0600) in one step: a temporary file beside it, then a hard
/// link that fails with `AlreadyExists` if the name is taken. With `replace`, the file the name
/// points at (through symlinks) is replaced by a rename instead, if it is a regular file; any
/// other kind of file is refused (`InvalidInput`). A failure leaves nothing new at the name.
pub fn write_new_private(path: &Path, replace: bool, contents: &[u8]) -> io::Result<()> {
    let target = if replace {
        resolve_links(path)
    } else {
        path.to_path_buf()
    };
    let dir = parent_of(&target);
    let tmp = stage(&target, contents)?;
    let placed = if replace {
        refuse_special(&target).and_then(|()| std::fs::rename(&tmp, &target))
    } else {
        match std::fs::hard_link(&tmp, &target) {
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists => {
                // No hard links on this file system: rename, if the name is still free.
                match std::fs::symlink_metadata(&target) {
                    Err(m) if m.kind() == io::ErrorKind::NotFound => std::fs::rename(&tmp, &target),
                    Ok(_) => Err(io::Error::from(io::ErrorKind::AlreadyExists)),
                    Err(_) => Err(e),
                }
            }
            other => other,
        }
    };
    // After a link the temporary name goes; after a rename it is already gone.
    let _ = std::fs::remove_file(&tmp);
    placed?;
    sync_dir(dir);
    Ok(())
}

/// Refuses an existing file that is not a regular file (a device, FIFO, socket, directory).
fn refuse_special(target: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(target) {
        Ok(m) if !m.is_file() => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not a regular file", target.display()),
        )),
        _ => Ok(()),
    }
}

/// Writes `contents` to a new, unique temporary file beside `target` and syncs it; removes it
/// again on failure. Stale temporary files of dead runs for the same name go first.
fn stage(target: &Path, contents: &[u8]) -> io::Result<PathBuf> {
    let dir = parent_of(target);
    let name = file_name_of(target);
    remove_stale_temps(dir, &name);
    let tmp = dir.join(format!(
        ".{name}.{}.{:08x}.tmp",
        std::process::id(),
        rand::random::<u32>()
    ));
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let written = o.open(&tmp).and_then(|mut f| {
        f.write_all(contents)?;
        f.sync_all()
    });
    match written {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Makes a rename in `dir` durable. Best effort: some file systems cannot sync a directory,
/// and the rename has happened either way.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Removes tokenctl's own temporary files in `dir` whose process is no longer alive: left by
/// a run that was killed, and possibly holding a secret. Ours are `.ANY.PID.XXXXXXXX.tmp` (8 hex
/// digits) for any name, and the older `.NAME.PID.tmp` for this `name` only, as that shape is
/// common enough that another program's file could have it.
pub fn remove_stale_temps(dir: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name.to_str().and_then(|n| temp_pid(n, name)) else {
            continue;
        };
        if pid == std::process::id() || process_alive(pid) {
            continue;
        }
        if entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The PID in one of tokenctl's temporary file names (see [`remove_stale_temps`]), if it is one.
fn temp_pid(file_name: &str, name: &str) -> Option<u32> {
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let rest = file_name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (head, last) = rest.rsplit_once('.')?;
    let random = last.len() == 8 && last.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f'));
    let pid = if random {
        let (file, pid) = head.rsplit_once('.')?;
        (!file.is_empty() && digits(pid)).then_some(pid)?
    } else {
        (head == name && digits(last)).then_some(last)?
    };
    pid.parse().ok()
}

/// Whether a process with this PID exists. When in doubt, yes: a live run's file must stay.
fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return true;
        };
        if pid <= 0 {
            return true;
        }
        // SAFETY: signal 0 only checks that the process exists; nothing is sent.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_are_enforced_and_described() {
        assert_eq!(read_capped(&b"abc"[..], 3).expect("fits"), b"abc");
        let e = read_capped(&b"abcd"[..], 3).expect_err("too large");
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        assert_eq!(describe_cap(MAX_CONFIG_BYTES), "1 MiB");
        assert_eq!(describe_cap(64 * 1024), "64 KiB");
        assert_eq!(describe_cap(10), "10 bytes");
    }

    #[test]
    fn temp_names_are_recognised() {
        let n = "a.json";
        assert_eq!(temp_pid(".a.json.123.tmp", n), Some(123));
        assert_eq!(temp_pid(".a.json.123.0badcafe.tmp", n), Some(123));
        assert_eq!(temp_pid(".b.json.123.0badcafe.tmp", n), Some(123));
        assert_eq!(temp_pid(".b.json.123.tmp", n), None);
        assert_eq!(temp_pid(".a.json.tmp", n), None);
        assert_eq!(temp_pid(".a.json.12x.tmp", n), None);
        assert_eq!(temp_pid(".a.json.123.zz.tmp", n), None);
        assert_eq!(temp_pid(".123.0badcafe.tmp", n), None);
        assert_eq!(temp_pid(".a.json.lock", n), None);
    }

    #[test]
    fn stale_temps_of_dead_runs_go_and_live_ones_stay() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut child = std::process::Command::new("true").spawn().expect("spawn");
        let dead = child.id();
        child.wait().expect("wait");
        let stale = dir.path().join(format!(".s.json.{dead}.tmp"));
        let mine = dir
            .path()
            .join(format!(".s.json.{}.tmp", std::process::id()));
        let other = dir.path().join(format!(".t.json.{dead}.tmp"));
        let other_new = dir.path().join(format!(".t.json.{dead}.0badcafe.tmp"));
        for p in [&stale, &mine, &other, &other_new] {
            std::fs::write(p, "x").expect("write");
        }
        remove_stale_temps(dir.path(), "s.json");
        assert!(!stale.exists());
        assert!(mine.exists());
        assert!(other.exists());
        assert!(!other_new.exists());
    }

    #[test]
    fn new_files_are_never_replaced_without_asking() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("s");
        write_new_private(&path, false, b"1").expect("create");
        let e = write_new_private(&path, false, b"2").expect_err("exists");
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        write_new_private(&path, true, b"3").expect("replace");
        assert_eq!(std::fs::read(&path).expect("read"), b"3");
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn writes_go_through_symlinks_to_the_target() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real/config.toml");
        create_private_dir(parent_of(&real)).expect("dir");
        std::fs::write(&real, "old").expect("write");
        let link = dir.path().join("config.toml");
        std::os::unix::fs::symlink(&real, &link).expect("link");
        let legacy = dir.path().join("real/.config.toml.tmp");
        std::fs::write(&legacy, "old secret").expect("write");
        write_private(&link, b"new").expect("write");
        assert!(!legacy.exists(), "an earlier version's temporary file goes");
        assert!(
            std::fs::symlink_metadata(&link)
                .expect("meta")
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&real).expect("read"), b"new");
    }
}
