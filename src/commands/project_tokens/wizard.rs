//! `project-tokens create` on a terminal: name, role, type, brokers and validity, each only
//! when its flag was left out.

use jiff::Timestamp;

use super::create::{Kind, Role};
use crate::prompt::{self, future_when, list_of, non_empty};
use tokenctl_api::vendors::mosquitto::CreateBody;

/// What the flags gave, filled in by [`ask`].
pub struct Wanted<'a> {
    pub name: &'a mut Option<String>,
    pub role: &'a mut Option<Role>,
    pub kind: &'a mut Option<Kind>,
    pub brokers: &'a mut Vec<String>,
    pub valid_until: &'a mut Option<Timestamp>,
}

pub fn ask(w: Wanted) -> anyhow::Result<()> {
    if w.name.is_none() {
        *w.name = Some(prompt::text("Project token name", "", non_empty)?);
    }
    if w.role.is_none() {
        let roles = [Role::Admin, Role::Editor, Role::Viewer];
        *w.role = Some(roles[prompt::select("Role", &["admin", "editor", "viewer"])?]);
    }
    if w.kind.is_none() && w.brokers.is_empty() {
        // A restricted token cannot be an admin: an admin's token is unrestricted.
        *w.kind = Some(if *w.role == Some(Role::Admin) {
            Kind::Unrestricted
        } else {
            [Kind::Restricted, Kind::Unrestricted][prompt::select(
                "Type",
                &["restricted (to the brokers you name)", "unrestricted"],
            )?]
        });
    }
    if *w.kind == Some(Kind::Restricted) && w.brokers.is_empty() {
        *w.brokers = prompt::text(
            "Brokers",
            "the brokers it may use, comma-separated",
            list_of(non_empty),
        )?;
    }
    if w.valid_until.is_none() {
        *w.valid_until = prompt::optional(
            "Valid until",
            "e.g. 90d or 2027-01-31; empty for 365 days",
            future_when,
        )?;
    }
    Ok(())
}

/// The rows of the summary shown before the token is created.
pub fn summary_rows(body: &CreateBody) -> Vec<(&'static str, Vec<String>)> {
    vec![
        ("name", vec![body.name.clone()]),
        ("role", vec![body.role.clone()]),
        ("type", vec![body.kind.clone()]),
        ("brokers", body.brokers.clone()),
        ("valid until", body.valid_date.iter().cloned().collect()),
    ]
}
