//! Mailtrap's models as rows and detail views.

use crate::output::bulk::{BulkRecord, SecretBlock};
use crate::output::{Cell, Issued, Record};
use tokenctl_api::secret::Secret;
use tokenctl_api::vendors::mailtrap::{MailtrapToken, MailtrapTokenIssued};

fn resources(t: &MailtrapToken) -> Vec<String> {
    t.resources
        .iter()
        .flatten()
        .map(|r| {
            let level = match r.access_level {
                100 => "admin".to_owned(),
                10 => "viewer".to_owned(),
                n => n.to_string(),
            };
            let id = r
                .resource_id
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| r.resource_id.to_string());
            format!("{}:{id}:{level}", r.resource_type)
        })
        .collect()
}

impl Record for MailtrapToken {
    fn id(&self) -> String {
        self.id.to_string()
    }
    fn headers() -> &'static [&'static str] {
        &["NAME", "ID", "LAST 4", "CREATED BY", "EXPIRES"]
    }
    fn row(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.name),
            Cell::text(self.id.to_string()),
            Cell::opt(self.last_4_digits.as_deref()),
            Cell::opt(self.created_by.as_deref()),
            Cell::time(self.expires_at.as_deref(), "never"),
        ]
    }
    fn details(&self) -> Vec<(&'static str, Cell)> {
        vec![
            ("ID", Cell::text(self.id.to_string())),
            ("Name", Cell::text(&self.name)),
            ("Last 4 digits", Cell::opt(self.last_4_digits.as_deref())),
            ("Created by", Cell::opt(self.created_by.as_deref())),
            ("Resources", Cell::List(resources(self))),
            ("Expires", Cell::time(self.expires_at.as_deref(), "never")),
        ]
    }
}

impl Record for MailtrapTokenIssued {
    fn id(&self) -> String {
        self.details.id()
    }
    fn headers() -> &'static [&'static str] {
        MailtrapToken::headers()
    }
    fn row(&self) -> Vec<Cell> {
        self.details.row()
    }
    fn details(&self) -> Vec<(&'static str, Cell)> {
        self.details.details()
    }
}

impl Issued for MailtrapTokenIssued {
    fn token(&self) -> Option<&Secret> {
        Some(&self.value)
    }
}

/// A new token of a bulk rotation.
impl BulkRecord for MailtrapTokenIssued {
    fn issued(&self) -> Option<SecretBlock> {
        Some(SecretBlock::of(self))
    }
    fn secret(&self) -> Option<&dyn Issued> {
        Some(self)
    }
}
