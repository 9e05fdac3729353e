//! Typed clients for each vendor API. Nothing here knows about the CLI.

pub mod cloudflare;
pub mod mailtrap;
pub mod mosquitto;
pub mod prefactor;
