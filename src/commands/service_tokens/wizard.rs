//! `service-tokens create` on a terminal: the name and the duration the flags left out.

use super::create::parse_name;
use crate::dates::parse_service_duration;
use crate::prompt;
use tokenctl_api::vendors::cloudflare::ServiceTokenBody;

/// Asks for the name, and the duration when `--duration` was not given.
pub fn ask(name: &mut Option<String>, duration: &mut Option<String>) -> anyhow::Result<()> {
    if name.is_none() {
        *name = Some(prompt::text("Service token name", "", parse_name)?);
    }
    if duration.is_none() {
        *duration = prompt::optional(
            "Valid for",
            "e.g. 8760h, 90d, 2w or forever; empty for the API's 8760h",
            parse_service_duration,
        )?;
    }
    Ok(())
}

/// The rows of the summary shown before the token is created.
pub fn summary_rows(body: &ServiceTokenBody) -> Vec<(&'static str, Vec<String>)> {
    vec![
        ("name", body.name.iter().cloned().collect()),
        (
            "valid for",
            vec![
                body.duration
                    .clone()
                    .unwrap_or_else(|| "8760h (the API's default)".into()),
            ],
        ),
    ]
}
