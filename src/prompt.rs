//! The questions the create flows ask on a terminal, written once over `inquire`.
//!
//! Every prompt draws on stderr (stdout carries data) and runs only when
//! [`available`] says so: a real terminal on stdin and stderr, and no `--no-input`. Esc and
//! Ctrl-C end the command with exit 130 and nothing sent. Whatever is shown as an option came
//! from a server or the user, so callers pass it through [`crate::output::visible`] first.

use inquire::validator::Validation;
use inquire::{Confirm, InquireError, MultiSelect, Select, Text};

use crate::error::{CliError, Exit};
use crate::ui::Ui;

/// Whether questions may be asked: a real terminal on stdin and stderr, and no `--no-input`.
pub fn available(ui: &Ui) -> bool {
    ui.can_prompt() && ui.real_terminal()
}

/// An interrupted or failed prompt as tokenctl's error: Esc and Ctrl-C exit 130.
pub fn failed(e: InquireError) -> anyhow::Error {
    match e {
        InquireError::OperationCanceled | InquireError::OperationInterrupted => CliError::new(
            Exit::Interrupted,
            "cancelled at the prompt; nothing was sent",
        )
        .into(),
        InquireError::NotTTY => CliError::usage("no terminal to ask on").into(),
        InquireError::IO(e) => e.into(),
        other => anyhow::anyhow!("the prompt failed: {other}"),
    }
}

/// The validator of a free-text answer: `parse`'s error is shown and the question asked again.
fn validator<T, F>(
    parse: F,
) -> impl Fn(&str) -> Result<Validation, inquire::CustomUserError> + Clone + 'static
where
    F: Fn(&str) -> Result<T, String> + Clone + 'static,
{
    move |s: &str| {
        Ok(match parse(s) {
            Ok(_) => Validation::Valid,
            Err(e) => Validation::Invalid(crate::output::visible(&e).into_owned().into()),
        })
    }
}

/// Asks for a value until `parse` takes it.
pub fn text<T, F>(label: &str, help: &str, parse: F) -> anyhow::Result<T>
where
    F: Fn(&str) -> Result<T, String> + Clone + 'static,
{
    let mut prompt = Text::new(label).with_validator(validator(parse.clone()));
    if !help.is_empty() {
        prompt = prompt.with_help_message(help);
    }
    let raw = prompt.prompt().map_err(failed)?;
    parse(&raw).map_err(|e| CliError::usage(e).into())
}

/// Asks for a value that may be left empty (`None`).
pub fn optional<T, F>(label: &str, help: &str, parse: F) -> anyhow::Result<Option<T>>
where
    F: Fn(&str) -> Result<T, String> + Clone + 'static,
{
    let maybe = move |s: &str| {
        if s.trim().is_empty() {
            Ok(None)
        } else {
            parse(s).map(Some)
        }
    };
    text(label, help, maybe)
}

/// One of `options` (already escaped); its index.
pub fn select(label: &str, options: &[&str]) -> anyhow::Result<usize> {
    let picked = Select::new(label, options.to_vec())
        .with_help_message("↑↓ to move, enter to choose, esc to cancel")
        .raw_prompt()
        .map_err(failed)?;
    Ok(picked.index)
}

/// Several of `options` (already escaped), filtered as the user types; their indexes.
/// Choosing none asks again.
pub fn multi_select(label: &str, options: Vec<String>) -> anyhow::Result<Vec<usize>> {
    let picked = MultiSelect::new(label, options)
        .with_help_message(
            "type to filter, space to keep, ↑↓ to move, enter when done, esc to cancel",
        )
        .with_page_size(12)
        .with_validator(|chosen: &[inquire::list_option::ListOption<&String>]| {
            Ok(if chosen.is_empty() {
                Validation::Invalid(
                    "choose at least one (space keeps the one under the cursor)".into(),
                )
            } else {
                Validation::Valid
            })
        })
        .raw_prompt()
        .map_err(failed)?;
    Ok(picked.into_iter().map(|o| o.index).collect())
}

/// Yes or no, `default` on enter.
pub fn yes_no(label: &str, default: bool) -> anyhow::Result<bool> {
    Confirm::new(label)
        .with_default(default)
        .prompt()
        .map_err(failed)
}

/// Shows what is about to be created (`rows`, rendered by [`crate::output::summary`]) on
/// stderr and asks whether to go on; no ends the command with nothing sent.
pub fn confirm_create(ui: &Ui, what: &str, rows: &[(&str, Vec<String>)]) -> anyhow::Result<()> {
    ui.streams().err(&crate::output::summary(
        &format!("About to create {what}:"),
        rows,
    ));
    if yes_no("Create it?", true)? {
        Ok(())
    } else {
        Err(CliError::failure("declined; nothing was created").into())
    }
}

/// A parser of a list typed on one line (items separated by commas or spaces), each item
/// taken by `parse`; an empty list is refused.
pub fn list_of<T>(
    parse: impl Fn(&str) -> Result<T, String> + Clone + 'static,
) -> impl Fn(&str) -> Result<Vec<T>, String> + Clone + 'static {
    move |s: &str| {
        let items: Vec<T> = s
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty())
            .map(&parse)
            .collect::<Result<_, _>>()?;
        if items.is_empty() {
            Err("give at least one".into())
        } else {
            Ok(items)
        }
    }
}

/// A parser of a name or other text that must not be blank; trimmed.
pub fn non_empty(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() {
        Err("must not be empty".into())
    } else {
        Ok(t.to_owned())
    }
}

/// A parser of a time that must be in the future (`--expires` and its kin).
pub fn future_when(s: &str) -> Result<jiff::Timestamp, String> {
    let t = crate::dates::parse_when(s)?;
    if t <= jiff::Timestamp::now() {
        Err(format!("{} is in the past", crate::dates::rfc3339(t)))
    } else {
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_split_on_commas_and_spaces() {
        let p = list_of(|s: &str| s.parse::<u32>().map_err(|e| e.to_string()));
        assert_eq!(p("1, 2 3,,4"), Ok(vec![1, 2, 3, 4]));
        assert!(p(" , ").is_err());
        assert!(p("1,x").is_err());
        assert!(future_when("2001-01-01").is_err());
        assert!(future_when("30d").is_ok());
    }
}
