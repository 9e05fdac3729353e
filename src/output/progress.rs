//! The progress bar of bulk work: on stderr, on a terminal only (`TOKENCTL_FORCE_TTY` counts, but not
//! for captured streams),
//! never under `--quiet` or `-v` (whose trace lines would tear it).

use console::Term;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::ui::Ui;

pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar for `len` steps, labelled `what` ("Rotating"); hidden where it does not belong.
    pub fn new(ui: &Ui, quiet: bool, verbose: bool, len: usize, what: &str) -> Progress {
        // Captured streams (a test running a command in-process) get no bar.
        if !ui.stderr_tty || !ui.streams().is_process() || quiet || verbose || len == 0 {
            return Progress(None);
        }
        let term = Term::stderr();
        // A real terminal gets indicatif's own checks (TERM=dumb); a forced one is drawn as is.
        let target = if term.is_term() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::term_like_with_hz(Box::new(term), 20)
        };
        let bar = ProgressBar::with_draw_target(Some(len as u64), target);
        let style = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message(what.to_owned());
        bar.tick();
        Progress(Some(bar))
    }

    /// One step done.
    pub fn inc(&self) {
        if let Some(b) = &self.0 {
            b.inc(1);
        }
    }

    /// Runs `f` (which writes to the terminal) with the bar lifted out of the way.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.0 {
            Some(b) => b.suspend(f),
            None => f(),
        }
    }

    /// Removes the bar, before the summary is written.
    pub fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}
