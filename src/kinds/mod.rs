//! One abstraction over every token kind: its noun, how to list all of its tokens, and a typed
//! summary of each. Bulk selection, audit, completion and find-by-ID-or-name are written once
//! over it; each vendor's module (`crate::vendor::<vendor>`) implements it for its kinds.

mod find;
mod summary;

use std::future::Future;

pub use find::{Found, find};
pub use summary::{
    Dates, Expiry, Grant, Posture, State, Status, Summary, Usage, expiry_of, usage_of,
};

use crate::vendor::Noun;

/// A kind of token: one noun of one vendor.
pub trait TokenKind: Sync {
    /// The vendor's own model of a token.
    type Token: Send + Sync;

    /// The noun on the command line.
    const NOUN: Noun;

    /// The tokens as messages name them, singular and plural ("service token", ...).
    const WHAT: (&'static str, &'static str);

    /// The `--status` words the kind's tokens can have; empty when they have no status.
    const STATUSES: &'static [&'static str];

    /// Every token of the kind (expired ones too), each once.
    fn list_all(&self) -> impl Future<Output = anyhow::Result<Vec<Self::Token>>> + Send;

    /// What the token says about itself, read into the shared shape.
    fn summary(&self, t: &Self::Token) -> Summary;

    /// The ID `reference` stands for, when it has the shape of one of the kind's IDs: such a
    /// reference is taken as an ID without a lookup.
    fn as_id(&self, _reference: &str) -> Option<String> {
        None
    }

    /// The tokens that may carry the name `name` (by default every token; a kind whose API
    /// filters by name asks it to).
    fn named(&self, _name: &str) -> impl Future<Output = anyhow::Result<Vec<Self::Token>>> + Send {
        self.list_all()
    }

    /// How one of several tokens that share a name is told apart in the error (its ID, by
    /// default).
    fn tell_apart(&self, t: &Self::Token) -> String {
        self.summary(t).id
    }

    /// The command that lists the tokens, for hints.
    fn list_command(&self) -> String {
        format!("tokenctl {} list", Self::NOUN.name())
    }
}

/// Every token of a kind, summarised.
pub async fn summaries<K: TokenKind>(kind: &K) -> anyhow::Result<Vec<Summary>> {
    Ok(kind
        .list_all()
        .await?
        .iter()
        .map(|t| kind.summary(t))
        .collect())
}
