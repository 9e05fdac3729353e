//! The HTTP layer and the vendor clients of tokenctl: what is sent to each token API and what
//! its answers mean, with no command-line wording. The CLI adds hints and renders the results.
//!
//! - [`http`]: one client for every vendor (timeouts, retries, rate budgets, pagination,
//!   redirects refused, body limits, redaction of the credential in use).
//! - [`vendors`]: one module per vendor, each with its client and models.
//! - [`secret`]: [`secret::Secret`], the type every credential and issued value travels in.
//! - [`escape`]: quoting of server-chosen text before it is shown.

pub mod escape;
pub mod http;
pub mod secret;
pub mod vendors;
