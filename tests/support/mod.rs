pub mod keyring;
pub mod prism;
