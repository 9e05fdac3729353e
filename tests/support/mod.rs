pub mod hostile;
pub mod keyring;
pub mod prism;
