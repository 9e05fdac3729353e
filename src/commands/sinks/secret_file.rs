//! `--secret-file PATH` and `--deliver file:PATH`: the secret in a new 0600 file.

use std::path::PathBuf;

use anyhow::Context as _;

use super::{Delivered, Sink};
use crate::context::{Context, Resolved};
use crate::error::CliError;
use crate::files;

/// `--secret-file PATH`: created 0600, never replacing a file without `--force`.
pub(super) struct SecretFile {
    pub path: PathBuf,
    pub force: bool,
}

impl Sink for SecretFile {
    fn check(&self, _: &Context) -> anyhow::Result<()> {
        let (path, force) = (self.path.as_path(), self.force);
        // A dangling symlink is a name that exists too: creating through it is refused.
        let exists = path.exists() || std::fs::symlink_metadata(path).is_ok();
        if exists && !force {
            return Err(CliError::usage(format!(
                "{} already exists; pass --force to replace it, or choose another --secret-file",
                path.display()
            ))
            .into());
        }
        if path.is_dir() {
            return Err(CliError::usage(format!("{} is a directory", path.display())).into());
        }
        // --force replaces a regular file only: never a device, FIFO or socket (or a link to one).
        if let Ok(meta) = std::fs::metadata(path)
            && !meta.is_file()
        {
            return Err(CliError::usage(format!(
                "{} is not a regular file; --secret-file writes only regular files",
                path.display()
            ))
            .with_hint("choose a path for a new file")
            .into());
        }
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(dir) = parent
            && !dir.is_dir()
        {
            return Err(
                CliError::usage(format!("the directory {} does not exist", dir.display())).into(),
            );
        }
        Ok(())
    }

    fn write(&self, ctx: &Context, _: &Resolved, it: &Delivered<'_>) -> anyhow::Result<()> {
        let contents = it.issued.secret_file();
        create_secret_file(
            &self.path,
            self.force,
            &contents,
            "the secret was being issued",
        )
        .with_context(|| format!("writing the secret to {}", self.path.display()))?;
        ctx.ui.note_secret_kept();
        ctx.ui.status(&format!(
            "Wrote the new secret to {} (mode 0600).",
            self.path.display()
        ));
        Ok(())
    }
}

/// Creates a secret file in one step (see [`files::write_new_private`]): readers never see
/// half of it, and a failed write leaves nothing at the name, so a retry needs no --force. A
/// file that appeared at the name `while` the secret was issued is not replaced without --force.
pub(crate) fn create_secret_file(
    path: &std::path::Path,
    force: bool,
    contents: &str,
    while_: &str,
) -> anyhow::Result<()> {
    match files::write_new_private(path, force, contents.as_bytes()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(CliError::failure(format!(
            "{} appeared while {while_}; pass --force to replace it",
            path.display()
        ))
        .into()),
        Err(e) => Err(e.into()),
    }
}
