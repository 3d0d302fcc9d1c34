//! Progress on the terminal: a live row count and rate on stderr when it is
//! a terminal, nothing at all otherwise (logs and CI stay clean).

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress line for one phase of work.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// Shown only when `wanted` and stderr is a terminal.
    pub fn new(wanted: bool, label: &str) -> Self {
        let target = if wanted && std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr_with_hz(8)
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {prefix:>10} {human_pos:>12} rows  {per_sec:>14}  {elapsed}  {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_prefix(label.to_string());
        bar.enable_steady_tick(Duration::from_millis(125));
        Self { bar }
    }

    /// Counts `n` more rows.
    pub fn inc(&self, n: u64) {
        self.bar.inc(n);
    }

    /// Shows a short status after the counts (e.g. created and failed so far).
    pub fn set_message(&self, msg: String) {
        self.bar.set_message(msg);
    }

    /// Clears the line.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
