//! The sandbox inside this process for `--sandbox`: started on first use, its state locked in
//! the data directory for the length of the command and saved when the command ends.

use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context as _;

use super::Context;
use crate::config::Vendor;
use crate::error::CliError;
use tokenctl_sandbox::{AppState, LockedState, SeedOptions};

/// The sandbox running inside this process for `--sandbox`, its state locked in the data dir
/// for the length of the command.
pub(super) struct Embedded {
    app: AppState,
    root_url: String,
    locked: Mutex<LockedState>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Context {
    async fn embedded(&self) -> anyhow::Result<&Embedded> {
        self.sandbox
            .get_or_try_init(|| async {
                self.paths.check_data()?;
                let dir = self.paths.sandbox_dir();
                let locked = tokio::task::spawn_blocking(move || {
                    LockedState::open(&dir, &SeedOptions::default())
                })
                .await?
                .context("opening the sandbox state")?;
                let app = AppState::new(locked.state.clone(), Duration::ZERO);
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .context("starting the sandbox")?;
                let root_url = format!("http://{}", listener.local_addr()?);
                let server = tokio::spawn(tokenctl_sandbox::serve(listener, app.clone()));
                Ok::<_, anyhow::Error>(Embedded {
                    app,
                    root_url,
                    locked: Mutex::new(locked),
                    server,
                })
            })
            .await
    }

    /// How to reach the embedded sandbox as `vendor`.
    pub async fn sandbox_connection(
        &self,
        vendor: Vendor,
    ) -> anyhow::Result<tokenctl_sandbox::Connection> {
        let e = self.embedded().await?;
        e.app.connection(&e.root_url, vendor.name()).ok_or_else(|| {
            CliError::failure(format!("the sandbox does not emulate {vendor} yet")).into()
        })
    }

    /// After a command replaced the token a `sandbox-<vendor>` profile signs in with: that
    /// profile signs in with the new one from now on, as a stored credential would follow.
    /// Returns whether the embedded sandbox knew the secret.
    pub(super) fn adopt_sandbox_secret(&self, vendor: Vendor, secret: &str) -> bool {
        self.sandbox
            .get()
            .is_some_and(|e| e.app.adopt_connection_token(vendor.name(), secret))
    }

    /// Saves the embedded sandbox's state, if one ran.
    pub(super) fn save_sandbox(&self) -> anyhow::Result<()> {
        if let Some(e) = self.sandbox.get() {
            e.server.abort();
            let state = e.app.snapshot();
            let mut locked = e
                .locked
                .lock()
                .map_err(|_| anyhow::anyhow!("sandbox state lock poisoned"))?;
            locked.save(&state).context("saving the sandbox state")?;
        }
        Ok(())
    }
}
