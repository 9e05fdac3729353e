//! Every byte the tool writes goes through `Ui`: data to stdout, everything else to stderr.
//!
//! TTY facts are decided once at start-up. `TOKENCTL_FORCE_TTY=1` makes the tool behave as on a
//! terminal (tables with relative times, confirmation prompts read from stdin), for tests and for
//! users who pipe through a pager.

use std::cell::Cell;
use std::io::{self, BufRead, IsTerminal, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::env::Env;
use crate::error::CliError;
use crate::output::{visible, visible_lines};
use tokenctl_api::secret::Secret;

/// Set by `main.rs` before Rust's runtime starts, when fd 1 was closed (`>&-`): the runtime
/// then quietly reopens it as /dev/null, so this is the only moment it can be seen.
static STDOUT_CLOSED_AT_START: AtomicBool = AtomicBool::new(false);

/// Records that the process was started with stdout closed (called from `main.rs`).
pub fn note_stdout_closed_at_start() {
    STDOUT_CLOSED_AT_START.store(true, Ordering::Relaxed);
}

/// Why stdout cannot hold a new secret, if it cannot: closed at start, or /dev/null.
fn stdout_discards() -> Option<&'static str> {
    if STDOUT_CLOSED_AT_START.load(Ordering::Relaxed) {
        return Some("stdout is closed");
    }
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        use std::os::unix::fs::{FileTypeExt, MetadataExt};
        let out = io::stdout().as_fd().try_clone_to_owned().ok()?;
        let meta = std::fs::File::from(out).metadata().ok()?;
        let null = std::fs::metadata("/dev/null").ok()?;
        if meta.file_type().is_char_device() && meta.rdev() == null.rdev() {
            return Some("stdout is /dev/null");
        }
    }
    None
}

/// A writer `Ui` writes through: the process's stdout or stderr, or a buffer in a test.
pub type Writer = Arc<Mutex<Box<dyn Write + Send>>>;

/// The reader `Ui` reads stdin from, when it is not the process's own.
pub type Reader = Arc<Mutex<Box<dyn BufRead + Send>>>;

/// Where `Ui` reads and writes: the process's stdin, stdout and stderr
/// ([`Streams::process`]), or in-memory buffers ([`Streams::captured`]) so that a command can
/// be run in-process in a test. Captured streams are never a terminal, and never discard.
#[derive(Clone)]
pub struct Streams {
    stdout: Writer,
    stderr: Writer,
    /// `None`: the process's stdin, locked where it is read, as before.
    stdin: Option<Reader>,
}

/// What was written to captured streams (see [`Streams::captured`]).
#[derive(Clone, Default)]
pub struct Buffers {
    pub stdout: Arc<Mutex<Vec<u8>>>,
    pub stderr: Arc<Mutex<Vec<u8>>>,
}

impl Buffers {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&lock(&self.stdout)).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&lock(&self.stderr)).into_owned()
    }
}

/// A `Write` into a shared buffer.
struct SharedBuf(Arc<Mutex<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        lock(&self.0).extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Locks, also after a panic elsewhere poisoned the lock: the bytes are still good.
fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Streams {
    /// The process's own stdin, stdout and stderr.
    pub fn process() -> Self {
        Streams {
            stdout: Arc::new(Mutex::new(Box::new(io::stdout()))),
            stderr: Arc::new(Mutex::new(Box::new(io::stderr()))),
            stdin: None,
        }
    }

    /// Buffers in memory: stdin holds `stdin`, and what is written is kept in the returned
    /// [`Buffers`].
    pub fn captured(stdin: &str) -> (Self, Buffers) {
        let buffers = Buffers::default();
        let streams = Streams {
            stdout: Arc::new(Mutex::new(Box::new(SharedBuf(buffers.stdout.clone())))),
            stderr: Arc::new(Mutex::new(Box::new(SharedBuf(buffers.stderr.clone())))),
            stdin: Some(Arc::new(Mutex::new(Box::new(io::Cursor::new(
                stdin.as_bytes().to_vec(),
            ))))),
        };
        (streams, buffers)
    }

    /// Whether these are the process's own streams (which may be a terminal).
    pub fn is_process(&self) -> bool {
        self.stdin.is_none()
    }

    /// Writes `text` to stderr as is; a failure to write there is ignored, as there is no
    /// other place to say it.
    pub fn err(&self, text: &str) {
        let mut err = lock(&self.stderr);
        let _ = err.write_all(text.as_bytes());
        let _ = err.flush();
    }

    /// Writes `text` to stdout as is.
    pub fn out(&self, text: &str) -> io::Result<()> {
        let mut out = lock(&self.stdout);
        out.write_all(text.as_bytes())?;
        out.flush()
    }

    /// Runs `f` on stdin.
    pub fn with_stdin<R>(&self, f: impl FnOnce(&mut dyn BufRead) -> R) -> R {
        match &self.stdin {
            None => f(&mut io::stdin().lock()),
            Some(r) => f(&mut *lock(r)),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

pub struct Ui {
    pub stdout_tty: bool,
    pub stdin_tty: bool,
    pub stderr_tty: bool,
    pub color: bool,
    quiet: bool,
    no_input: bool,
    /// `--dry-run`: nothing will change, so nothing needs confirming and no secret is issued.
    dry_run: bool,
    /// Set once a newly issued secret has been written, so a later broken pipe is not silent.
    secret_written: Cell<bool>,
    /// Set once a sink (`--secret-file`, `--save-as`) holds the new secret.
    secret_kept: Cell<bool>,
    streams: Streams,
}

impl Ui {
    /// A `Ui` reading and writing `streams`. Only the process's own streams can be a terminal.
    pub fn with_streams(
        color: ColorChoice,
        quiet: bool,
        no_input: bool,
        env: &Env,
        streams: Streams,
    ) -> Self {
        let forced = env.flag("TOKENCTL_FORCE_TTY");
        let real = streams.is_process();
        let stdout_tty = forced || (real && io::stdout().is_terminal());
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                stdout_tty
                    && env.get("NO_COLOR").is_none_or(str::is_empty)
                    && env.get("TERM") != Some("dumb")
            }
        };
        Ui {
            stdout_tty,
            stdin_tty: forced || (real && io::stdin().is_terminal()),
            stderr_tty: forced || (real && io::stderr().is_terminal()),
            color,
            quiet,
            no_input,
            dry_run: false,
            secret_written: Cell::new(false),
            secret_kept: Cell::new(false),
            streams,
        }
    }

    /// The streams this `Ui` reads and writes.
    pub fn streams(&self) -> &Streams {
        &self.streams
    }

    /// Whether stdin and stderr are a real terminal that a widget (a hidden prompt, the
    /// `tokens create` wizard) can draw on. Never for captured streams.
    pub fn real_terminal(&self) -> bool {
        self.streams.is_process() && io::stdin().is_terminal() && io::stderr().is_terminal()
    }

    /// Why stdout cannot hold a new secret, if it cannot. Captured stdout keeps everything.
    fn stdout_discards(&self) -> Option<&'static str> {
        if self.streams.is_process() {
            stdout_discards()
        } else {
            None
        }
    }

    /// Writes data to stdout. A closed pipe surfaces as `io::ErrorKind::BrokenPipe`, which the
    /// top level turns into a quiet exit 0.
    pub fn out(&self, text: &str) -> io::Result<()> {
        let mut out = lock(&self.streams.stdout);
        out.write_all(text.as_bytes())?;
        if !text.ends_with('\n') {
            out.write_all(b"\n")?;
        }
        out.flush()
    }

    /// Writes a piece of data to stdout as is, without ending the line (a streamed JSON array).
    pub fn out_part(&self, text: &str) -> io::Result<()> {
        self.streams.out(text)
    }

    /// Writes a line to stderr as is, whatever `--quiet` says: an error, or a secret that could
    /// not go to stdout. The caller escapes what needs it.
    pub fn err_line(&self, text: &str) {
        self.streams.err(&format!("{text}\n"));
    }

    /// Refuses, before the request that would issue it, a new secret that nothing would keep:
    /// stdout closed or /dev/null, and no `--secret-file` or `--save-as` to hold it. The secret
    /// exists only in the vendor's answer; printed into the void it would be lost for good.
    pub fn refuse_lost_secret(&self, has_sink: bool) -> anyhow::Result<()> {
        if has_sink || self.dry_run {
            return Ok(());
        }
        match self.stdout_discards() {
            None => Ok(()),
            Some(why) => Err(CliError::usage(format!(
                "{why}: the new secret would be lost, so nothing was sent"
            ))
            .with_hint("send stdout to a file or a pipe, or keep the secret with --secret-file FILE (or --save-as PROFILE where offered)")
            .into()),
        }
    }

    /// A sink now holds the new secret: stdout is no longer its only way out.
    pub fn note_secret_kept(&self) {
        self.secret_kept.set(true);
    }

    /// Writes output that carries a newly issued secret. If stdout is gone, the text goes to
    /// stderr instead and the command fails: the secret must reach the user. That includes a
    /// stdout that discards what it gets (closed, /dev/null) when the sink that was to keep the
    /// secret failed.
    pub fn out_secret(&self, text: &str) -> anyhow::Result<()> {
        let discarded = self.stdout_discards().filter(|_| !self.secret_kept.get());
        let written = match discarded {
            Some(why) => Err(io::Error::other(format!(
                "{why}, and no place you asked for holds the secret"
            ))),
            None => self.out(text),
        };
        match written {
            Ok(()) => {
                self.secret_written.set(true);
                Ok(())
            }
            Err(e) => {
                self.err_line(&format!(
                    "warning: could not write to stdout ({e}); the new secret follows on stderr, store it now:"
                ));
                self.err_line(text);
                Err(CliError::failure(match discarded {
                    Some(why) => format!("{why} and the place you asked for did not get the new secret; it was written to stderr instead"),
                    None => "stdout was closed while a new secret was being printed; it was written to stderr instead".to_owned(),
                }).into())
            }
        }
    }

    /// A progress or success note on stderr; silent under `--quiet`.
    pub fn status(&self, text: &str) {
        if !self.quiet {
            // One line: a newline inside a server value (a name, a status) is shown escaped,
            // so it can never forge an `error:` line of its own.
            self.err_line(&visible(text));
        }
    }

    /// A note tokenctl composed of several lines (a bulk selection), each value in it already
    /// escaped; its own line breaks stay.
    pub fn status_lines(&self, text: &str) {
        if !self.quiet {
            self.err_line(&visible_lines(text));
        }
    }

    /// A warning on stderr. Like [`Ui::status`], any control character left in the text is
    /// shown escaped; the colour is tokenctl's own and added after.
    pub fn warn(&self, text: &str) {
        let text = visible(text);
        if self.color && self.stderr_tty {
            self.err_line(&format!(
                "{} {text}",
                console::style("warning:").yellow().bold()
            ));
        } else {
            self.err_line(&format!("warning: {text}"));
        }
    }

    /// For `--dry-run`: nothing changes, so [`Ui::confirm_destructive`] asks nothing and
    /// [`Ui::refuse_lost_secret`] refuses nothing (no secret will be issued).
    pub fn dry_run(mut self, on: bool) -> Self {
        self.dry_run = on;
        self
    }

    /// Whether a question may be asked: a terminal on both ends and no `--no-input`.
    pub fn can_prompt(&self) -> bool {
        self.stdin_tty && self.stderr_tty && !self.no_input
    }

    /// Asks a yes/no question on stderr and reads the answer from stdin.
    pub fn confirm(&self, question: &str) -> anyhow::Result<bool> {
        self.streams
            .err(&format!("{} [y/N] ", visible_lines(question)));
        let mut line = String::new();
        self.streams.with_stdin(|r| r.read_line(&mut line))?;
        Ok(matches!(
            line.trim().to_ascii_lowercase().as_str(),
            "y" | "yes"
        ))
    }

    /// Refuses, before any request is sent, a destructive action that could not be confirmed:
    /// no `--yes` and no terminal to ask on.
    pub fn refuse_unconfirmable(&self, question: &str, yes: bool) -> anyhow::Result<()> {
        if yes || self.dry_run || self.can_prompt() {
            return Ok(());
        }
        Err(CliError::usage(format!(
            "{question} needs confirmation; pass --yes to confirm without a terminal"
        ))
        .into())
    }

    /// The guard every destructive verb passes: `--yes`, or a confirmed prompt on a terminal.
    pub fn confirm_destructive(&self, question: &str, yes: bool) -> anyhow::Result<()> {
        self.refuse_unconfirmable(question, yes)?;
        if yes || self.dry_run || self.confirm(&format!("{question}?"))? {
            Ok(())
        } else {
            Err(CliError::failure("cancelled, nothing was changed").into())
        }
    }

    /// Reads a secret from a hidden prompt on the terminal.
    pub fn prompt_secret(&self, prompt: &str) -> anyhow::Result<Secret> {
        // The prompt reads the process's own terminal: captured streams have none.
        if !(self.can_prompt() && self.streams.is_process() && io::stdin().is_terminal()) {
            return Err(CliError::usage(
                "no terminal to read the secret from; pipe it on stdin with --with-token",
            )
            .into());
        }
        // Hidden, asked once, and asked again while empty (as the prompt always did).
        let value = inquire::Password::new(prompt)
            .without_confirmation()
            .with_display_mode(inquire::PasswordDisplayMode::Hidden)
            .with_validator(|s: &str| {
                Ok(if s.is_empty() {
                    inquire::validator::Validation::Invalid("the secret must not be empty".into())
                } else {
                    inquire::validator::Validation::Valid
                })
            })
            .prompt()
            .map_err(crate::prompt::failed)?;
        Ok(Secret::new(value))
    }
}

/// The longest secret `--with-token` reads from stdin: 16 KiB, far above any vendor's token, so
/// `/dev/zero` or a wrong file cannot exhaust memory.
pub const MAX_STDIN_SECRET_BYTES: u64 = 16 * 1024;

/// Reads a secret piped on stdin: the first line, trimmed. Never from an argument.
pub fn read_secret_from_stdin(ui: &Ui) -> anyhow::Result<Secret> {
    let mut line = String::new();
    ui.streams
        .with_stdin(|r| r.take(MAX_STDIN_SECRET_BYTES + 1).read_line(&mut line))?;
    if line.len() as u64 > MAX_STDIN_SECRET_BYTES {
        return Err(CliError::usage(format!(
            "the secret on stdin is longer than {}, the most --with-token reads",
            crate::files::describe_cap(MAX_STDIN_SECRET_BYTES)
        ))
        .with_hint("pipe only the token, on one line")
        .into());
    }
    let value = line.trim();
    if value.is_empty() {
        return Err(CliError::usage(
            "--with-token reads the secret from stdin, but stdin was empty",
        )
        .into());
    }
    Ok(Secret::new(value))
}
