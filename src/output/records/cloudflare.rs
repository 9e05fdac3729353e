//! Cloudflare's models as rows and detail views.

use crate::output::bulk::{BulkRecord, SecretBlock};
use crate::output::{Cell, Issued, Record};
use tokenctl_api::secret::Secret;
use tokenctl_api::vendors::cloudflare as cf;

impl Record for cf::Token {
    fn id(&self) -> String {
        self.id.clone()
    }
    fn headers() -> &'static [&'static str] {
        &["ID", "NAME", "STATUS", "EXPIRES", "LAST USED"]
    }
    fn row(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.id),
            Cell::text(&self.name),
            Cell::Status(self.status.clone()),
            Cell::time(self.expires_on.as_deref(), "never"),
            Cell::time(self.last_used_on.as_deref(), "never"),
        ]
    }
    fn details(&self) -> Vec<(&'static str, Cell)> {
        vec![
            ("ID", Cell::text(&self.id)),
            ("Name", Cell::text(&self.name)),
            ("Status", Cell::Status(self.status.clone())),
            ("Permissions", Cell::List(self.permission_names())),
            ("Resources", Cell::List(self.resource_keys())),
            ("IP conditions", Cell::List(self.ip_summary())),
            ("Issued", Cell::time(self.issued_on.as_deref(), "-")),
            ("Modified", Cell::time(self.modified_on.as_deref(), "-")),
            ("Not before", Cell::time(self.not_before.as_deref(), "-")),
            ("Expires", Cell::time(self.expires_on.as_deref(), "never")),
            (
                "Last used",
                Cell::time(self.last_used_on.as_deref(), "never"),
            ),
        ]
    }
}

impl Record for cf::TokenCreated {
    fn id(&self) -> String {
        self.token.id.clone()
    }
    fn headers() -> &'static [&'static str] {
        cf::Token::headers()
    }
    fn row(&self) -> Vec<Cell> {
        self.token.row()
    }
    fn details(&self) -> Vec<(&'static str, Cell)> {
        self.token.details()
    }
}

impl Issued for cf::TokenCreated {
    fn token(&self) -> Option<&Secret> {
        Some(&self.value)
    }
    fn name(&self) -> Option<&str> {
        Some(&self.token.name)
    }
}

impl Record for cf::PermissionGroup {
    fn id(&self) -> String {
        self.id.clone()
    }
    fn headers() -> &'static [&'static str] {
        &["ID", "NAME", "SCOPES"]
    }
    fn row(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.id),
            Cell::text(&self.name),
            Cell::List(self.scopes.clone()),
        ]
    }
}

impl Record for cf::Verified {
    fn id(&self) -> String {
        self.id.clone()
    }
    fn headers() -> &'static [&'static str] {
        &["ID", "STATUS", "EXPIRES", "NOT BEFORE"]
    }
    fn row(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.id),
            Cell::Status(self.status.clone()),
            Cell::time(self.expires_on.as_deref(), "never"),
            Cell::time(self.not_before.as_deref(), "-"),
        ]
    }
}

impl Record for cf::ServiceToken {
    fn id(&self) -> String {
        self.id.clone()
    }
    fn headers() -> &'static [&'static str] {
        &["NAME", "ID", "CLIENT ID", "EXPIRES", "LAST SEEN"]
    }
    fn row(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.name),
            Cell::text(&self.id),
            Cell::opt(self.client_id.as_deref()),
            Cell::time(self.expires_at.as_deref(), "never"),
            Cell::time(self.last_seen_at.as_deref(), "never"),
        ]
    }
    fn details(&self) -> Vec<(&'static str, Cell)> {
        let enabled = match self.enabled {
            Some(false) => "disabled",
            _ => "enabled",
        };
        let mut rows = vec![
            ("ID", Cell::text(&self.id)),
            ("Name", Cell::text(&self.name)),
            ("Client ID", Cell::opt(self.client_id.as_deref())),
            ("Status", Cell::Status(enabled.into())),
            ("Duration", Cell::opt(self.duration.as_deref())),
            ("Expires", Cell::time(self.expires_at.as_deref(), "never")),
            (
                "Last seen",
                Cell::time(self.last_seen_at.as_deref(), "never"),
            ),
            ("Created", Cell::time(self.created_at.as_deref(), "-")),
            ("Updated", Cell::time(self.updated_at.as_deref(), "-")),
        ];
        if let Some(prev) = self
            .extra
            .get("previous_client_secret_expires_at")
            .and_then(|v| v.as_str())
        {
            rows.push(("Previous secret until", Cell::time(Some(prev), "-")));
        }
        rows
    }
}

impl Record for cf::ServiceTokenIssued {
    fn id(&self) -> String {
        self.token.id.clone()
    }
    fn headers() -> &'static [&'static str] {
        cf::ServiceToken::headers()
    }
    fn row(&self) -> Vec<Cell> {
        self.token.row()
    }
    fn details(&self) -> Vec<(&'static str, Cell)> {
        self.token.details()
    }
    fn env(&self) -> Option<Vec<(&'static str, String)>> {
        Some(vec![
            (
                "CF_ACCESS_CLIENT_ID",
                self.token.client_id.clone().unwrap_or_default(),
            ),
            (
                "CF_ACCESS_CLIENT_SECRET",
                self.client_secret.expose().to_owned(),
            ),
        ])
    }
}

impl BulkRecord for cf::ServiceToken {}

/// A client ID and secret: no profile authenticates with them, and a secret file gets both, as
/// JSON, as clients need them.
impl Issued for cf::ServiceTokenIssued {
    fn token(&self) -> Option<&Secret> {
        None
    }
    fn name(&self) -> Option<&str> {
        Some(&self.token.name)
    }
    fn secrets(&self) -> Vec<(&'static str, Secret)> {
        let client_id = Secret::new(self.token.client_id.clone().unwrap_or_default());
        vec![
            ("client id", client_id),
            ("client secret", self.client_secret.clone()),
        ]
    }
    fn secret_file(&self) -> String {
        let client_id = self.token.client_id.as_deref().unwrap_or_default();
        let v = serde_json::json!({ "client_id": client_id, "client_secret": self.client_secret.expose() });
        format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
    }
}

impl BulkRecord for cf::ServiceTokenIssued {
    fn issued(&self) -> Option<SecretBlock> {
        Some(SecretBlock::of(self))
    }
    fn secret(&self) -> Option<&dyn Issued> {
        Some(self)
    }
}
