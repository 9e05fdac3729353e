//! The rotation journals of a bulk `rotate`: each token's entry, begun by the step that creates
//! its new token, is held here until the step after its hand-over takes it back to finish it.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::error::CliError;
use crate::journal::Running;

/// The journals of the rotations under way, by the old token's ID.
#[derive(Default)]
pub struct Journals(Mutex<HashMap<String, Running>>);

impl Journals {
    /// Holds `id`'s journal until [`Journals::take`].
    pub fn keep(&self, id: &str, journal: Running) {
        if let Ok(mut map) = self.0.lock() {
            map.insert(id.to_owned(), journal);
        }
    }

    /// Takes `id`'s journal back (an error when it was never kept: its step was skipped).
    pub fn take(&self, id: &str) -> anyhow::Result<Running> {
        let taken = self.0.lock().ok().and_then(|mut map| map.remove(id));
        taken.ok_or_else(|| {
            CliError::failure(format!("the rotation of {id} was not journalled")).into()
        })
    }

    /// After `id`'s hand-over: its journal, to finish the rotation with; or, when a sink did
    /// not get the new secret, the error the token fails with (`untouched` says what became of
    /// the old token), its entry left as it stands for `rotations resume|abort`.
    pub fn handed_over(
        &self,
        id: &str,
        delivered: bool,
        untouched: impl Fn(anyhow::Error) -> anyhow::Error,
    ) -> anyhow::Result<Running> {
        let journal = self.take(id);
        if !delivered {
            return Err(untouched(
                CliError::failure("its new secret did not reach every --deliver sink (see above)")
                    .into(),
            ));
        }
        journal
    }
}
