//! The sink flags written back as arguments, for the rotation journal: a rotation run again
//! (`rotations resume`) hands its new secret to the same places. Relative paths are made
//! absolute, since a resume may run elsewhere. Sink specs hold no secret.

use std::path::{Path, PathBuf};

use super::{DeliverArgs, DeliverFormat, DeliverSpec, SecretFileArgs, SinkArgs};

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

impl DeliverSpec {
    /// The `--deliver` value that parses back to this sink.
    pub fn flag(&self) -> String {
        match self {
            DeliverSpec::Exec(c) => format!("exec:{c}"),
            DeliverSpec::Keyring(p) => format!("keyring:{p}"),
            DeliverSpec::File(p) => format!("file:{}", absolute(p).display()),
            DeliverSpec::Dotenv { path, keys } => {
                let keys = keys
                    .as_ref()
                    .map(|k| format!("#{}", k.join(",")))
                    .unwrap_or_default();
                format!("dotenv:{}{keys}", absolute(path).display())
            }
        }
    }
}

impl DeliverArgs {
    pub fn flags(&self) -> Vec<String> {
        let mut out = Vec::new();
        for spec in &self.deliver {
            out.extend(["--deliver".to_owned(), spec.flag()]);
        }
        if !self.deliver.is_empty() {
            out.extend([
                "--deliver-timeout".to_owned(),
                format!("{}s", self.deliver_timeout.as_secs().max(1)),
            ]);
        }
        if let Some(f) = self.deliver_format {
            let f = match f {
                DeliverFormat::Env => "env",
                DeliverFormat::Json => "json",
                DeliverFormat::Raw => "raw",
            };
            out.extend(["--deliver-format".to_owned(), f.to_owned()]);
        }
        out
    }
}

impl SecretFileArgs {
    pub fn flags(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(p) = &self.secret_file {
            out.extend([
                "--secret-file".to_owned(),
                absolute(p).display().to_string(),
            ]);
        }
        if self.force {
            out.push("--force".to_owned());
        }
        out.extend(self.deliver.flags());
        out
    }
}

impl SecretFileArgs {
    /// One token's sink flags in a bulk run: its `--deliver` sinks with `{id}` and `{name}`
    /// filled in. The run's `--secret-file` holds every token's secret, not this one's alone.
    pub fn token_flags(&self, id: &str, name: Option<&str>) -> Vec<String> {
        let deliver = DeliverArgs {
            deliver: self
                .deliver
                .deliver
                .iter()
                .map(|s| s.for_token(id, name))
                .collect(),
            ..self.deliver.clone()
        };
        deliver.flags()
    }
}

impl SinkArgs {
    pub fn flags(&self) -> Vec<String> {
        let mut out = self.file.flags();
        if let Some(p) = &self.save_as {
            out.extend(["--save-as".to_owned(), p.clone()]);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_back_to_the_same_sinks() {
        for s in [
            "exec:gh secret set X",
            "dotenv:/a/.env#A,B",
            "keyring:p",
            "file:/x",
        ] {
            let spec: DeliverSpec = s.parse().expect("parses");
            assert_eq!(spec.flag(), s);
        }
    }
}
