//! The shared HTTP layer: one lazily built client, retries, redacted tracing, pagination.
//!
//! Vendor modules describe requests with [`Request`] and decode vendor error bodies into
//! [`ApiError`]; everything else (timeouts, retry policy, tracing) is written once here. Nothing
//! in this module knows about the CLI.

mod budget;
mod client;
mod error;
mod notices;
mod paginate;
mod retry;
mod trace;
mod url;

pub use budget::BudgetKey;
pub use client::{Auth, HttpClient, HttpOptions, Request, Response};
pub use error::{ApiError, ApiErrorKind, VendorError, decode_json, non_json_summary, unreadable};
pub use notices::{Notice, Notices};
pub use paginate::{Page, Paging, collect_pages};
pub use url::{check_base_url, join_path, unsafe_segment};
