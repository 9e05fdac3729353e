//! The shared HTTP layer: one lazily built client, retries, redacted tracing, pagination.
//!
//! Vendor modules describe requests with [`Request`] and decode vendor error bodies into
//! [`ApiError`]; everything else (timeouts, retry policy, tracing) is written once here. Nothing
//! in this module knows about the CLI.
//!
//! Servers are not trusted: redirects are refused, bodies are read up to the caps in
//! [`limits`], vendor text is capped when printed, and the credential in use is cut out of
//! every error and trace line ([`redact`]).

mod body;
mod budget;
mod client;
mod dry_run;
mod error;
pub mod limits;
mod notices;
mod paginate;
mod redact;
mod retry;
mod trace;
mod url;

pub use budget::BudgetKey;
pub use client::{Auth, HttpClient, HttpOptions, Request, Response};
pub use dry_run::{DryRun, PlannedRequest};
pub use error::{
    ApiError, ApiErrorKind, VendorError, decode_json, non_json_summary, unreadable, unusable_answer,
};
pub use notices::{Notice, Notices};
pub use paginate::{Page, Paging, collect_pages};
pub use url::{check_base_url, join_path, unsafe_segment};
