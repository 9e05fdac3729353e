//! The report of `--dry-run`: the changes a command would have sent, none of them sent.
//!
//! Text: one line saying nothing was changed, then each request as `METHOD URL` with its body
//! indented below. `json`: one array of `{method, url, body}`; `ndjson`: one such object a line.
//! Headers are never shown, so the credential never is; bodies come redacted from the HTTP layer.

use tokenctl_api::http::PlannedRequest;

use super::{Format, visible};
use crate::ui::Ui;

/// The first line of the text report.
pub const HEADLINE: &str = "Dry run: nothing was changed. Would send:";

pub fn report(ui: &Ui, format: Format, planned: &[PlannedRequest]) -> anyhow::Result<()> {
    let text = match format {
        Format::Json => serde_json::to_string_pretty(planned)?,
        Format::Ndjson => planned
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<Vec<_>, _>>()?
            .join("\n"),
        Format::Table | Format::Id | Format::Env => text(planned),
    };
    ui.out(&text)?;
    Ok(())
}

fn text(planned: &[PlannedRequest]) -> String {
    let mut s = String::from(HEADLINE);
    for p in planned {
        s.push_str(&format!("\n  {} {}", p.method, visible(&p.url)));
        if let Some(body) = &p.body {
            s.push_str(&format!("\n    {body}"));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_lists_each_request_with_its_body() {
        let planned = vec![
            PlannedRequest {
                method: "POST".into(),
                url: "https://api.example/tokens".into(),
                body: Some(serde_json::json!({"name": "ci", "secret": "[redacted]"})),
            },
            PlannedRequest {
                method: "DELETE".into(),
                url: "https://api.example/tokens/1".into(),
                body: None,
            },
        ];
        assert_eq!(
            text(&planned),
            "Dry run: nothing was changed. Would send:\n  POST https://api.example/tokens\n    {\"name\":\"ci\",\"secret\":\"[redacted]\"}\n  DELETE https://api.example/tokens/1"
        );
    }
}
