//! Profiles: the non-secret settings of each connection, kept in `config.toml`.
//!
//! Secrets never go in this file; a profile only records where its secret lives.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

use crate::error::CliError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    Cloudflare,
    Mailtrap,
    Prefactor,
    Mosquitto,
}

impl Vendor {
    pub fn name(self) -> &'static str {
        match self {
            Vendor::Cloudflare => "cloudflare",
            Vendor::Mailtrap => "mailtrap",
            Vendor::Prefactor => "prefactor",
            Vendor::Mosquitto => "mosquitto",
        }
    }

    pub fn from_name(name: &str) -> Option<Vendor> {
        [
            Vendor::Cloudflare,
            Vendor::Mailtrap,
            Vendor::Prefactor,
            Vendor::Mosquitto,
        ]
        .into_iter()
        .find(|v| v.name() == name)
    }

    pub fn default_base_url(self) -> Option<&'static str> {
        match self {
            Vendor::Cloudflare => Some("https://api.cloudflare.com/client/v4"),
            Vendor::Mailtrap => Some("https://mailtrap.io"),
            Vendor::Prefactor => Some("https://app.prefactorai.com"),
            Vendor::Mosquitto => None,
        }
    }

    /// The environment variable the vendor's official SDKs read the base URL from.
    pub fn base_url_var(self) -> &'static str {
        match self {
            Vendor::Cloudflare => "CLOUDFLARE_BASE_URL",
            Vendor::Mailtrap => "MAILTRAP_BASE_URL",
            Vendor::Prefactor => "PREFACTOR_BASE_URL",
            Vendor::Mosquitto => "MOSQUITTO_URL",
        }
    }

    /// The environment variable users already keep the vendor's secret in.
    pub fn token_var(self) -> &'static str {
        match self {
            Vendor::Cloudflare => "CLOUDFLARE_API_TOKEN",
            Vendor::Mailtrap => "MAILTRAP_API_TOKEN",
            Vendor::Prefactor => "PREFACTOR_API_TOKEN",
            Vendor::Mosquitto => "MOSQUITTO_API_TOKEN",
        }
    }

    /// The environment variable for the default account, where the vendor has accounts.
    pub fn account_var(self) -> Option<&'static str> {
        match self {
            Vendor::Cloudflare => Some("CLOUDFLARE_ACCOUNT_ID"),
            Vendor::Mailtrap => Some("MAILTRAP_ACCOUNT_ID"),
            _ => None,
        }
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a profile's secret is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Storage {
    Keyring,
    /// The opt-in plain file (`auth login --insecure-storage`).
    File,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub vendor: Vendor,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// For Cloudflare's Global API Key: the account email sent as `X-Auth-Email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<Storage>,
}

impl Profile {
    pub fn new(vendor: Vendor) -> Self {
        Profile {
            vendor,
            base_url: None,
            account_id: None,
            project_id: None,
            email: None,
            storage: None,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Config {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_profile: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

impl Config {
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|e| {
                CliError::not_configured(format!(
                    "{} is not valid: {}",
                    path.display(),
                    e.message()
                ))
                .with_hint("fix the file by hand or remove it and add profiles again")
                .into()
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        let text = toml::to_string_pretty(self).context("serialising the configuration")?;
        write_private(path, text.as_bytes()).with_context(|| format!("writing {}", path.display()))
    }
}

/// Checks a profile name: letters, digits, `-`, `_` and `.`, so it is safe as a keyring user
/// and a TOML key.
pub fn validate_profile_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 64 {
        return Err("a profile name has 1 to 64 characters".into());
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(format!(
            "invalid profile name '{name}': use letters, digits, '-', '_' and '.'"
        ));
    }
    Ok(())
}

/// Where tokenctl keeps its files.
#[derive(Clone, Debug)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
}

impl Paths {
    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }
    pub fn credentials_file(&self) -> PathBuf {
        self.config_dir.join("credentials.toml")
    }
    pub fn sandbox_dir(&self) -> PathBuf {
        self.data_dir.join("sandbox")
    }
}

/// Writes a file only its owner can read (0600), in a directory only its owner can enter
/// (0700), atomically (temporary file, then rename).
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let tmp = dir.join(format!(
        ".{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file")
    ));
    {
        let mut f = private_file_options(true).open(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// Open options for a 0600 file; `truncate` replaces an existing one, otherwise the file must
/// not exist yet.
pub fn private_file_options(truncate: bool) -> std::fs::OpenOptions {
    let mut o = std::fs::OpenOptions::new();
    o.write(true);
    if truncate {
        o.create(true).truncate(true);
    } else {
        o.create_new(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_writes_0600() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub/config.toml");
        let mut c = Config::default();
        let mut p = Profile::new(Vendor::Cloudflare);
        p.account_id = Some("a".repeat(32));
        c.profiles.insert("prod".into(), p);
        c.default_profile = Some("prod".into());
        c.save(&path).expect("save");
        assert_eq!(Config::load(&path).expect("load"), c);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let dmode = std::fs::metadata(path.parent().expect("dir"))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(dmode & 0o777, 0o700);
        }
    }

    #[test]
    fn profile_names() {
        assert!(validate_profile_name("prod-1.eu_x").is_ok());
        assert!(validate_profile_name("").is_err());
        assert!(validate_profile_name("a b").is_err());
        assert!(validate_profile_name("a=b").is_err());
    }
}
