//! A recorded rotation (`rotations list`).

use crate::journal::Entry;
use crate::output::{Cell, Record};

impl Record for Entry {
    fn id(&self) -> String {
        self.id.clone()
    }
    fn headers() -> &'static [&'static str] {
        &["ID", "PROFILE", "NOUN", "OLD", "NEW", "STEP", "DUE"]
    }
    fn row(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.id),
            Cell::text(&self.profile),
            Cell::text(&self.noun),
            Cell::text(&self.old_id),
            Cell::opt(self.new_id.as_deref()),
            Cell::text(self.step.name()),
            Cell::time(self.due.as_deref(), "-"),
        ]
    }
}
