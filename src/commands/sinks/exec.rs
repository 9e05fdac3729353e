//! `--deliver exec:COMMAND`: the secret on the stdin of `sh -c COMMAND`, and nowhere else.
//!
//! Not in argv, and not in the environment: the child's environment is tokenctl's without any
//! variable that holds a credential, plus `TOKENCTL_DELIVER_*` naming what it receives (never
//! the values). The child's stdout and stderr go to tokenctl's stderr, since stdout carries
//! data. It runs in its own process group, which is killed at the deadline.

use std::io::{Read, Write};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use super::spec::{DeliverFormat, field_key};
use super::{Delivered, Sink};
use crate::context::{Context, Resolved};
use crate::error::CliError;

/// The most of a child's output that is passed on.
const OUTPUT_CAP: u64 = 64 * 1024;

pub(super) struct Exec {
    pub command: String,
    pub timeout: Duration,
    pub format: Option<DeliverFormat>,
}

impl Exec {
    fn format(&self, fields: usize) -> DeliverFormat {
        self.format.unwrap_or(if fields == 1 {
            DeliverFormat::Raw
        } else {
            DeliverFormat::Env
        })
    }

    /// Refuses `raw` for a secret of several fields, where it would drop all but one.
    pub fn check_fields(&self, fields: &[&str]) -> anyhow::Result<()> {
        if fields.len() > 1 && self.format(fields.len()) == DeliverFormat::Raw {
            return Err(CliError::usage(format!(
                "--deliver-format raw sends one value, and this secret has {} ({})",
                fields.len(),
                fields.join(", ")
            ))
            .with_hint("use --deliver-format env or json")
            .into());
        }
        Ok(())
    }
}

/// What the child reads on stdin.
fn stdin_text(
    format: DeliverFormat,
    fields: &[(&'static str, tokenctl_api::secret::Secret)],
) -> String {
    match format {
        DeliverFormat::Raw => fields
            .first()
            .map(|(_, v)| v.expose().to_owned())
            .unwrap_or_default(),
        DeliverFormat::Env => fields
            .iter()
            .map(|(k, v)| format!("{}={}\n", field_key(k), v.expose()))
            .collect(),
        DeliverFormat::Json => {
            let map: serde_json::Map<String, serde_json::Value> = fields
                .iter()
                .map(|(k, v)| (field_key(k).to_lowercase(), v.expose().into()))
                .collect();
            format!("{}\n", serde_json::Value::Object(map))
        }
    }
}

impl Sink for Exec {
    fn check(&self, _: &Context) -> anyhow::Result<()> {
        Ok(())
    }

    fn write(&self, ctx: &Context, from: &Resolved, it: &Delivered<'_>) -> anyhow::Result<()> {
        let fields = it.issued.secrets();
        let labels: Vec<&str> = fields.iter().map(|(k, _)| *k).collect();
        self.check_fields(&labels)?;
        let input = stdin_text(self.format(fields.len()), &fields);
        let mut cmd = crate::child::shell(&self.command, &ctx.env);
        cmd.env("TOKENCTL_DELIVER_ID", it.id)
            .env("TOKENCTL_DELIVER_VENDOR", from.profile.vendor.to_string())
            .env("TOKENCTL_DELIVER_PROFILE", &from.name)
            .env(
                "TOKENCTL_DELIVER_FIELDS",
                labels
                    .iter()
                    .map(|l| field_key(l))
                    .collect::<Vec<_>>()
                    .join(","),
            );
        if let Some(name) = it.name {
            cmd.env("TOKENCTL_DELIVER_NAME", name);
        }
        let (reader, writer) = std::io::pipe().context("creating a pipe")?;
        cmd.stdin(Stdio::piped())
            .stdout(writer.try_clone().context("creating a pipe")?)
            .stderr(writer);
        let mut child = cmd.spawn().context("starting sh")?;
        // The write ends now belong to the child alone: the reader sees the end when it exits.
        drop(cmd);
        let stdin = child.stdin.take();
        std::thread::spawn(move || {
            if let Some(mut stdin) = stdin {
                // A child that does not read its stdin closes it: not an error of ours.
                let _ = stdin.write_all(input.as_bytes());
            }
        });
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut out = Vec::new();
            let _ = reader.take(OUTPUT_CAP).read_to_end(&mut out);
            let _ = tx.send(out);
        });
        let deadline = Instant::now() + self.timeout;
        let status = loop {
            if let Some(status) = child.try_wait().context("waiting for the command")? {
                break Some(status);
            }
            if Instant::now() >= deadline {
                crate::child::kill_group(&mut child);
                break None;
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        if let Ok(out) = rx.recv_timeout(Duration::from_millis(500))
            && !out.is_empty()
        {
            let text = String::from_utf8_lossy(&out);
            ctx.ui
                .err_line(crate::output::visible_lines(text.trim_end_matches('\n')).as_ref());
        }
        match status {
            None => Err(CliError::failure(format!(
                "did not finish within {}s and was killed",
                self.timeout.as_secs_f64()
            ))
            .into()),
            Some(s) if s.success() => {
                ctx.ui.note_secret_kept();
                ctx.ui.status("Delivered the new secret to the command.");
                Ok(())
            }
            Some(s) => Err(CliError::failure(match s.code() {
                Some(code) => format!("exited with status {code}"),
                None => "was killed by a signal".to_owned(),
            })
            .into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokenctl_api::secret::Secret;

    #[test]
    fn stdin_is_the_value_env_lines_or_one_object() {
        let one = [("token", Secret::new("t0k".to_owned()))];
        assert_eq!(stdin_text(DeliverFormat::Raw, &one), "t0k");
        assert_eq!(stdin_text(DeliverFormat::Env, &one), "TOKEN=t0k\n");
        let two = [
            ("client id", Secret::new("id".to_owned())),
            ("client secret", Secret::new("s".to_owned())),
        ];
        assert_eq!(
            stdin_text(DeliverFormat::Json, &two),
            "{\"client_id\":\"id\",\"client_secret\":\"s\"}\n"
        );
    }
}
