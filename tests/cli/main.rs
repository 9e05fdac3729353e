//! The integration tests: one binary, one file per noun, run against the real `tokenctl`.

#[path = "../support/mod.rs"]
mod support;

mod api_tokens;
mod auth;
mod bad_input;
mod bulk;
mod common;
mod contract;
mod faults;
mod harness;
mod leaks;
mod misc;
mod profile;
mod project_tokens;
mod service_tokens;
mod tokens;
