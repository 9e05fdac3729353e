//! The `--secret-file` of bulk roll/rotate: every issued object in one JSON array, 0600,
//! created in one step so that no reader sees half a document.

use std::path::Path;

use crate::commands::sinks::{self, SecretFileArgs};
use crate::context::Context;
use crate::output::bulk::{BulkRecord, Entry, Outcome};

/// Writes every issued object as one JSON array; returns the failure, if any.
pub(super) fn write<R: BulkRecord>(
    ctx: &Context,
    file: &SecretFileArgs,
    results: &[(&Entry, &Outcome<R>)],
) -> Option<anyhow::Error> {
    let path = file.secret_file.as_ref()?;
    let issued: Vec<&R> = results.iter().filter_map(|(_, o)| o.issued()).collect();
    let written = serde_json::to_string_pretty(&issued)
        .map_err(anyhow::Error::from)
        .and_then(|doc| write_atomically(path, file.force, &format!("{doc}\n")));
    match written {
        Ok(()) => {
            ctx.ui.status(&format!(
                "Wrote {} new secret(s) to {} (mode 0600).",
                issued.len(),
                path.display()
            ));
            None
        }
        Err(e) => Some(e.context(format!("writing the secrets to {}", path.display()))),
    }
}

/// Creates `path` (0600) in one step, as every secret file is (see
/// [`sinks::create_secret_file`]).
fn write_atomically(path: &Path, force: bool, contents: &str) -> anyhow::Result<()> {
    sinks::create_secret_file(path, force, contents, "the tokens were being changed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_documents_are_created_0600_and_never_replaced_without_force() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("secrets.json");
        write_atomically(&path, false, "[1]\n").expect("write");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "[1]\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert!(write_atomically(&path, false, "[2]\n").is_err());
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "[1]\n");
        write_atomically(&path, true, "[3]\n").expect("forced");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "[3]\n");
        let left: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind");
    }
}
