//! The interactive walk-through of `tokens create` on a terminal.

use dialoguer::{Input, MultiSelect};
use jiff::Timestamp;

use crate::dates::parse_when;
use crate::error::CliError;
use crate::ui::Ui;
use tokenctl_api::vendors::cloudflare::Cloudflare;

pub struct Answers {
    pub name: String,
    /// Permission group IDs, when they were asked for.
    pub groups: Option<Vec<String>>,
    pub expires: Option<Timestamp>,
}

/// Prompts need a real terminal on stdin and stderr (dialoguer draws on stderr).
pub fn available(ui: &Ui) -> bool {
    ui.can_prompt() && ui.real_terminal()
}

pub async fn ask(
    cf: &Cloudflare,
    name: Option<String>,
    ask_groups: bool,
    ask_expiry: bool,
) -> anyhow::Result<Answers> {
    let name = match name {
        Some(n) => n,
        None => Input::<String>::new()
            .with_prompt("Token name")
            .validate_with(|s: &String| super::create::parse_name(s).map(|_| ()))
            .interact_text()?,
    };
    let groups = if ask_groups {
        let all = cf.permission_groups(None, None).await?;
        let labels: Vec<String> = all
            .iter()
            .map(|g| {
                let scopes = short_scopes(&g.scopes);
                crate::output::visible(&format!("{}  [{scopes}]", g.name)).into_owned()
            })
            .collect();
        let picked = MultiSelect::new()
            .with_prompt("Permission groups (space to select, enter to confirm)")
            .items(&labels)
            .max_length(15)
            .interact()?;
        if picked.is_empty() {
            return Err(
                CliError::usage("no permission group selected; nothing was created").into(),
            );
        }
        Some(picked.into_iter().map(|i| all[i].id.clone()).collect())
    } else {
        None
    };
    let expires = if ask_expiry {
        let raw: String = Input::new()
            .with_prompt("Expires (e.g. 90d or 2027-01-31; empty for never)")
            .allow_empty(true)
            .validate_with(|s: &String| {
                if s.trim().is_empty() {
                    Ok(())
                } else {
                    parse_when(s).map(|_| ())
                }
            })
            .interact_text()?;
        if raw.trim().is_empty() {
            None
        } else {
            Some(parse_when(&raw).map_err(CliError::usage)?)
        }
    } else {
        None
    };
    Ok(Answers {
        name,
        groups,
        expires,
    })
}

fn short_scopes(scopes: &[String]) -> String {
    scopes
        .iter()
        .map(|s| s.rsplit('.').next().unwrap_or(s))
        .collect::<Vec<_>>()
        .join(", ")
}
