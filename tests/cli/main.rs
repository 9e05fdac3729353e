//! The integration tests: one binary, one file per noun, run against the real `tokenctl`.

#[path = "../support/mod.rs"]
mod support;

mod api_tokens;
mod audit;
mod audit_formats;
mod audit_policy;
mod audit_rules;
mod auth;
mod bad_input;
mod bulk;
mod bulk_rotate;
mod common;
mod completion;
mod contract;
mod contract_mailtrap;
mod credential_command;
mod deliver;
mod dry_run;
mod exec;
mod faults;
mod files;
mod generated;
mod harness;
mod help;
mod hostile_http;
mod hostile_pages;
mod in_process;
mod leaks;
mod man;
mod misc;
mod package;
mod profile;
mod project_tokens;
mod pty;
mod rate_budget;
mod reconcile;
mod rotate;
mod rotate_failures;
mod rotations;
mod schedule;
mod service_tokens;
mod startup;
mod terminal;
mod tokens;
mod wizards;
