//! The integration tests: one binary, one file per noun, run against the real `tokenctl`.

#[path = "../support/mod.rs"]
mod support;

mod api_tokens;
mod audit;
mod auth;
mod bad_input;
mod bulk;
mod common;
mod completion;
mod contract;
mod faults;
mod generated;
mod harness;
mod help;
mod leaks;
mod man;
mod misc;
mod profile;
mod project_tokens;
mod service_tokens;
mod startup;
mod terminal;
mod tokens;
