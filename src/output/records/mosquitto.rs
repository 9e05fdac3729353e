//! Mosquitto's models as rows and detail views; dates arrive as Unix seconds or milliseconds.

use crate::output::bulk::{BulkRecord, SecretBlock};
use crate::output::{Cell, Issued, Record};
use tokenctl_api::secret::Secret;
use tokenctl_api::vendors::mosquitto::{MosquittoToken, MosquittoTokenIssued, unix_time};

fn time(v: Option<f64>, none: &'static str) -> Cell {
    match v {
        None => Cell::Time(None, none),
        Some(n) => unix_time(n).map_or_else(
            || Cell::Unparseable(n.to_string()),
            |t| Cell::Time(Some(t), none),
        ),
    }
}

impl Record for MosquittoToken {
    fn id(&self) -> String {
        self.id.clone()
    }
    fn headers() -> &'static [&'static str] {
        &[
            "NAME",
            "ID",
            "ROLE",
            "TYPE",
            "BROKERS",
            "VALID UNTIL",
            "LAST USED",
        ]
    }
    fn row(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.name),
            Cell::text(&self.id),
            Cell::opt(self.role_id.as_deref()),
            Cell::opt(self.kind.as_deref()),
            Cell::List(self.brokers.clone().unwrap_or_default()),
            time(self.valid_date, "never"),
            time(self.last_used_date, "never"),
        ]
    }
    fn details(&self) -> Vec<(&'static str, Cell)> {
        let mut rows: Vec<(&'static str, Cell)> =
            Self::headers().iter().copied().zip(self.row()).collect();
        rows.push(("ISSUED", time(self.issue_date, "-")));
        rows.push(("ISSUER", Cell::opt(self.issuer.as_deref())));
        rows
    }
}

impl Record for MosquittoTokenIssued {
    fn id(&self) -> String {
        self.details.id.clone()
    }
    fn headers() -> &'static [&'static str] {
        MosquittoToken::headers()
    }
    fn row(&self) -> Vec<Cell> {
        self.details.row()
    }
    fn details(&self) -> Vec<(&'static str, Cell)> {
        self.details.details()
    }
}

impl Issued for MosquittoTokenIssued {
    fn token(&self) -> Option<&Secret> {
        Some(&self.token)
    }
}

/// A new token of a bulk rotation.
impl BulkRecord for MosquittoTokenIssued {
    fn issued(&self) -> Option<SecretBlock> {
        Some(SecretBlock::of(self))
    }
    fn secret(&self) -> Option<&dyn Issued> {
        Some(self)
    }
}
