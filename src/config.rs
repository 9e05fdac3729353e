//! Profiles: the non-secret settings of each connection, kept in `config.toml`.
//!
//! Secrets never go in this file; a profile only records where its secret lives.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

use crate::env::Env;
use crate::error::CliError;
pub use crate::vendor::Vendor;

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
    /// For a vendor's account-wide key (`Facts::account_key`): the account email sent with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<Storage>,
    /// A command whose output is the secret (`op read ...`), run each time it is needed; the
    /// secret is never stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_command: Option<String>,
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
            credential_command: None,
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
    /// Reads config.toml (a missing file is an empty configuration). A file that is too
    /// large, not UTF-8 or not valid TOML is "not configured" (exit 3).
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        let invalid = |why: String| -> anyhow::Error {
            CliError::not_configured(format!("{} is not valid: {why}", path.display()))
                .with_hint("fix the file by hand or remove it and add profiles again")
                .into()
        };
        match crate::files::read_toml(path) {
            Ok(config) => Ok(config),
            Err(crate::files::TomlError::Invalid(why)) => Err(invalid(why)),
            Err(crate::files::TomlError::Io(e)) => {
                Err(e).with_context(|| format!("reading {}", path.display()))
            }
        }
    }

    /// Reads, changes and writes config.toml while holding its exclusive lock, so parallel
    /// runs never lose each other's changes. Nothing is written when `change` fails.
    pub fn update<T>(
        path: &Path,
        change: impl FnOnce(&mut Config) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let target = crate::files::resolve_links(path);
        let _lock =
            crate::files::lock(&target).with_context(|| format!("locking {}", path.display()))?;
        let mut config = Config::load(&target)?;
        let out = change(&mut config)?;
        config.save(&target)?;
        Ok(out)
    }

    fn save(&self, path: &Path) -> anyhow::Result<()> {
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
    /// Why a directory above could not be found (HOME empty, unset or relative, and no
    /// override); that directory is then left empty and [`Paths::check_config`] or
    /// [`Paths::check_data`] refuses it.
    pub unusable: Option<String>,
}

impl Paths {
    /// Where tokenctl keeps its files: TOKENCTL_CONFIG_DIR/TOKENCTL_DATA_DIR, else the platform's
    /// directories. Without a usable HOME only absolute XDG_* overrides count, and a directory
    /// that cannot be found is left empty for [`Paths::check_config`]/[`Paths::check_data`].
    pub fn from_env(env: &Env) -> Paths {
        // Without a usable HOME, `directories` would fall back to the passwd entry or a relative
        // path, and tokenctl could create `/.config`: only explicit absolute overrides then count.
        let home = env.non_empty("HOME");
        let unusable = match &home {
            _ if cfg!(not(unix)) => None,
            None => Some("HOME is empty or unset".to_owned()),
            Some(h) if !Path::new(h).is_absolute() => {
                Some(format!("HOME is a relative path ({h})"))
            }
            // Creating `~/.config` below a HOME that does not exist would make that directory
            // out of nothing (`/nonexistent/.config`).
            Some(h) if !Path::new(h).is_dir() => {
                Some(format!("HOME ({h}) is not an existing directory"))
            }
            Some(_) => None,
        };
        let dirs = unusable
            .is_none()
            .then(|| directories::ProjectDirs::from("", "", "tokenctl"))
            .flatten();
        let xdg = |var: &str| {
            env.non_empty(var)
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .map(|p| p.join("tokenctl"))
        };
        let config_dir = env
            .non_empty("TOKENCTL_CONFIG_DIR")
            .map(Into::into)
            .or_else(|| dirs.as_ref().map(|d| d.config_dir().to_path_buf()))
            .unwrap_or_else(|| match unusable {
                Some(_) => xdg("XDG_CONFIG_HOME").unwrap_or_default(),
                None => ".tokenctl".into(),
            });
        let data_dir = env
            .non_empty("TOKENCTL_DATA_DIR")
            .map(Into::into)
            .or_else(|| dirs.as_ref().map(|d| d.data_dir().to_path_buf()))
            .unwrap_or_else(|| match xdg("XDG_DATA_HOME") {
                Some(d) if unusable.is_some() => d,
                _ if config_dir.as_os_str().is_empty() => PathBuf::new(),
                _ => config_dir.join("data"),
            });
        Paths {
            config_dir,
            data_dir,
            unusable,
        }
    }

    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }
    pub fn credentials_file(&self) -> PathBuf {
        self.config_dir.join("credentials.toml")
    }
    pub fn sandbox_dir(&self) -> PathBuf {
        self.data_dir.join("sandbox")
    }

    /// Refuses to go on without a configuration directory (exit 3), rather than create one
    /// somewhere unexpected such as `/`.
    pub fn check_config(&self) -> Result<(), CliError> {
        self.check(&self.config_dir, "XDG_CONFIG_HOME")
    }

    /// The same for the data directory (the sandbox's state).
    pub fn check_data(&self) -> Result<(), CliError> {
        self.check(&self.data_dir, "XDG_DATA_HOME")
    }

    fn check(&self, dir: &Path, var: &str) -> Result<(), CliError> {
        if !dir.as_os_str().is_empty() {
            return Ok(());
        }
        let why = self.unusable.as_deref().unwrap_or("HOME is not usable");
        Err(CliError::not_configured(format!(
            "{why}, so tokenctl has no directory for its files"
        ))
        .with_hint(format!(
            "set HOME to your home directory (an absolute path), or set {var} to an absolute path"
        )))
    }
}

pub use crate::files::write_private;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_writes_0600() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub/config.toml");
        let mut c = Config::default();
        let mut p = Profile::new(Vendor::DEFAULT);
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

    #[cfg(unix)]
    #[test]
    fn an_unusable_home_leaves_only_absolute_overrides() {
        let env = |pairs: &[(&str, &str)]| {
            Env::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
        };
        for home in [&[("HOME", "")][..], &[], &[("HOME", "rel")]] {
            let p = Paths::from_env(&env(home));
            assert!(
                p.check_config().is_err() && p.check_data().is_err(),
                "{home:?}"
            );
        }
        let p = Paths::from_env(&env(&[
            ("HOME", ""),
            ("XDG_CONFIG_HOME", "/x/c"),
            ("XDG_DATA_HOME", "rel"),
        ]));
        assert_eq!(p.config_file(), PathBuf::from("/x/c/tokenctl/config.toml"));
        assert_eq!(p.data_dir, PathBuf::from("/x/c/tokenctl/data"));
        let e = Paths::from_env(&env(&[("HOME", "rel")]))
            .check_config()
            .expect_err("refused");
        assert!(e.message.contains("HOME is a relative path (rel)"));
        assert_eq!(e.exit, crate::error::Exit::NotConfigured);
    }

    #[test]
    fn profile_names() {
        assert!(validate_profile_name("prod-1.eu_x").is_ok());
        assert!(validate_profile_name("").is_err());
        assert!(validate_profile_name("a b").is_err());
        assert!(validate_profile_name("a=b").is_err());
    }
}
