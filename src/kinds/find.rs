//! Finding one token by ID or exact name, for every kind.

use super::TokenKind;
use crate::error::{CliError, Exit};

/// A token named on the command line: its ID, and the token when the lookup already read it.
pub struct Found<T> {
    pub id: String,
    pub token: Option<T>,
}

/// An ID-shaped reference is used as is; anything else is matched against the kind's tokens,
/// first by ID (for kinds whose IDs have no telling shape), then by exact name. A name several
/// tokens share is an error listing them, so the user can name one by its ID.
pub async fn find<K: TokenKind>(kind: &K, reference: &str) -> anyhow::Result<Found<K::Token>> {
    if let Some(id) = kind.as_id(reference) {
        return Ok(Found { id, token: None });
    }
    let candidates = kind.named(reference).await?;
    let (by_id, rest): (Vec<K::Token>, Vec<K::Token>) = candidates
        .into_iter()
        .partition(|t| kind.summary(t).id == reference);
    let mut matches = if by_id.is_empty() {
        rest.into_iter()
            .filter(|t| kind.summary(t).name.as_deref() == Some(reference))
            .collect()
    } else {
        by_id
    };
    let (one, many) = K::WHAT;
    match matches.len() {
        0 => Err(CliError::new(
            Exit::NotFound,
            format!("no {one} has the ID or name '{reference}'"),
        )
        .with_hint(format!("see `{}`", kind.list_command()))
        .into()),
        1 => {
            let t = matches.remove(0);
            Ok(Found {
                id: kind.summary(&t).id,
                token: Some(t),
            })
        }
        n => {
            let each: Vec<String> = matches.iter().map(|t| kind.tell_apart(t)).collect();
            Err(CliError::usage(format!(
                "{n} {many} are named '{reference}': {}",
                each.join(", ")
            ))
            .with_hint(format!("name the {one} by its ID"))
            .into())
        }
    }
}
