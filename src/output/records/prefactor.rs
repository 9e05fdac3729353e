//! Prefactor's models as rows and detail views.

use crate::output::bulk::{BulkRecord, SecretBlock};
use crate::output::{Cell, Issued, Record};
use tokenctl_api::secret::Secret;
use tokenctl_api::vendors::prefactor::{PrefactorToken, PrefactorTokenIssued};

impl Record for PrefactorToken {
    fn id(&self) -> String {
        self.id.clone()
    }
    fn headers() -> &'static [&'static str] {
        &[
            "ID",
            "SCOPE",
            "STATUS",
            "ACCOUNT",
            "ENVIRONMENT",
            "AGENT",
            "DEPLOYMENT",
            "EXPIRES",
            "LAST USED",
        ]
    }
    fn row(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.id),
            Cell::opt(self.token_scope.as_deref()),
            Cell::Status(self.status.clone().unwrap_or_else(|| "-".into())),
            Cell::opt(self.account_id.as_deref()),
            Cell::opt(self.environment_id.as_deref()),
            Cell::opt(self.agent_id.as_deref()),
            Cell::opt(self.agent_deployment_id.as_deref()),
            Cell::time(self.expires_at.as_deref(), "never"),
            Cell::time(self.last_used_at.as_deref(), "never"),
        ]
    }
    fn details(&self) -> Vec<(&'static str, Cell)> {
        let mut rows: Vec<(&'static str, Cell)> =
            Self::headers().iter().copied().zip(self.row()).collect();
        rows.push(("CREATED", Cell::time(self.inserted_at.as_deref(), "-")));
        rows.push(("ALLOWED NOW", Cell::List(self.steps().unwrap_or_default())));
        rows
    }
}

impl Record for PrefactorTokenIssued {
    fn id(&self) -> String {
        self.details.id.clone()
    }
    fn headers() -> &'static [&'static str] {
        PrefactorToken::headers()
    }
    fn row(&self) -> Vec<Cell> {
        self.details.row()
    }
    fn details(&self) -> Vec<(&'static str, Cell)> {
        self.details.details()
    }
}

impl Issued for PrefactorTokenIssued {
    fn token(&self) -> Option<&Secret> {
        Some(&self.token)
    }
}

impl BulkRecord for PrefactorToken {}

/// A new token of a bulk rotation.
impl BulkRecord for PrefactorTokenIssued {
    fn issued(&self) -> Option<SecretBlock> {
        Some(SecretBlock::of(self))
    }
    fn secret(&self) -> Option<&dyn Issued> {
        Some(self)
    }
}
