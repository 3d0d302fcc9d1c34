//! Progress on the terminal: a determinate bar on stderr when it is a
//! terminal, nothing at all otherwise (logs and CI stay clean).
//!
//! In: a phase's total — the file's size in bytes for a pass over a stream
//! (its row count is not known until its end), or its rows when a ledger
//! knows them — then what is done as it is done, and the outcomes so far
//! (created, failed, …). Out: one line redrawn a few times a second:
//! done/total, percent, the rate as a whole number of rows per second, the
//! time left, and the outcomes. Never fails; a hidden bar costs a few
//! atomic adds.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use super::summary::thousands;

/// What the bar's position counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    /// Bytes of the input file; rows are counted beside them.
    Bytes,
    /// Rows (of a ledger's event).
    Rows,
}

/// The counts behind the line, shared with the draw thread.
#[derive(Debug)]
struct Shared {
    unit: Unit,
    /// Rows worked on during this run (read, or answered by the target):
    /// the rate is these over the time since the bar started.
    worked: AtomicU64,
    /// The position the bar started at (rows already done by an earlier run).
    start: u64,
    /// Outcomes so far, in the order first named.
    outcomes: Mutex<Vec<(&'static str, u64)>>,
}

/// A progress bar for one phase of work. Clones draw the same bar.
#[derive(Clone)]
pub struct Progress {
    bar: ProgressBar,
    shared: Arc<Shared>,
}

impl Progress {
    /// A pass over a file of `total_bytes` (read by [`advance_to`](Self::advance_to),
    /// rows counted by [`rows`](Self::rows)). Shown only when `wanted` and
    /// stderr is a terminal.
    pub fn bytes(wanted: bool, label: &str, total_bytes: u64) -> Self {
        Self::start(wanted, label, Unit::Bytes, total_bytes, 0)
    }

    /// `total` rows of which `already` were done before this run (a resume
    /// starts where the event stands, not at 0).
    pub fn rows(wanted: bool, label: &str, total: u64, already: u64) -> Self {
        Self::start(wanted, label, Unit::Rows, total, already.min(total))
    }

    fn start(wanted: bool, label: &str, unit: Unit, total: u64, already: u64) -> Self {
        let target = if wanted && std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr_with_hz(8)
        } else {
            ProgressDrawTarget::hidden()
        };
        let shared = Arc::new(Shared {
            unit,
            worked: AtomicU64::new(0),
            start: already,
            outcomes: Mutex::new(Vec::new()),
        });
        let bar = ProgressBar::with_draw_target(Some(total), target);
        let detail = {
            let shared = shared.clone();
            move |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&shared.describe(
                    state.pos(),
                    state.len().unwrap_or(0),
                    state.elapsed(),
                ));
            }
        };
        let style = ProgressStyle::with_template("{prefix:>9} [{bar:16}] {percent:>3}% {detail}")
            .map(|s| s.progress_chars("=> ").with_key("detail", detail))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_prefix(label.to_string());
        bar.set_position(already);
        if !bar.is_hidden() {
            bar.enable_steady_tick(Duration::from_millis(250));
        }
        Self { bar, shared }
    }

    /// `n` more rows done by this run's work (read, or answered).
    pub fn inc(&self, n: u64) {
        self.shared.worked.fetch_add(n, Ordering::Relaxed);
        if self.shared.unit == Unit::Rows {
            self.bar.inc(n);
        }
    }

    /// `n` more rows settled without work (rejected before sending): they
    /// move the bar but not the rate.
    pub fn skip(&self, n: u64) {
        if self.shared.unit == Unit::Rows {
            self.bar.inc(n);
        }
    }

    /// `n` more rows read (a pass over a file): same as [`inc`](Self::inc).
    pub fn rows_read(&self, n: u64) {
        self.inc(n);
    }

    /// For a pass over a file: the bytes read so far.
    pub fn advance_to(&self, bytes: u64) {
        if self.shared.unit == Unit::Bytes {
            self.bar.set_position(bytes);
        }
    }

    /// Counts one more row with this outcome (`created`, `failed`, …).
    pub fn count(&self, outcome: &'static str) {
        self.add_to(outcome, 1);
    }

    /// Adds `n` to an outcome (to start from an event's counts, say); an
    /// outcome named with 0 is shown from the start.
    pub fn add_to(&self, outcome: &'static str, n: u64) {
        let Ok(mut list) = self.shared.outcomes.lock() else {
            return;
        };
        match list.iter_mut().find(|(name, _)| *name == outcome) {
            Some((_, count)) => *count += n,
            None => list.push((outcome, n)),
        }
    }

    /// Where the bar stands (rows, or bytes for a pass over a file).
    pub fn position(&self) -> u64 {
        self.bar.position()
    }

    /// The outcomes counted so far, in the order first named.
    pub fn outcomes(&self) -> Vec<(&'static str, u64)> {
        self.shared
            .outcomes
            .lock()
            .map(|o| o.clone())
            .unwrap_or_default()
    }

    /// Clears the line.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Shared {
    fn describe(&self, pos: u64, total: u64, elapsed: Duration) -> String {
        let outcomes = self.outcomes.lock().map(|o| o.clone()).unwrap_or_default();
        describe(&Snapshot {
            unit: self.unit,
            pos,
            total,
            start: self.start,
            worked: self.worked.load(Ordering::Relaxed),
            elapsed,
            outcomes,
        })
    }
}

/// What one redraw of the line shows.
struct Snapshot {
    unit: Unit,
    pos: u64,
    total: u64,
    start: u64,
    worked: u64,
    elapsed: Duration,
    outcomes: Vec<(&'static str, u64)>,
}

/// The text after the bar: `12,345 / 300,000 rows · 1,234 rows/s · 3m 20s
/// left · created 12,000 · failed 345`.
fn describe(s: &Snapshot) -> String {
    let mut out = String::new();
    let secs = s.elapsed.as_secs_f64();
    match s.unit {
        Unit::Rows => {
            let _ = write!(out, "{} / {} rows", thousands(s.pos), thousands(s.total));
        }
        Unit::Bytes => {
            let _ = write!(
                out,
                "{} rows · {} / {} MB",
                thousands(s.worked),
                mb(s.pos),
                mb(s.total)
            );
        }
    }
    if secs >= 0.5 {
        let _ = write!(
            out,
            " · {} rows/s",
            thousands((s.worked as f64 / secs).round() as u64)
        );
    }
    let moved = s.pos.saturating_sub(s.start);
    let left = s.total.saturating_sub(s.pos);
    if secs >= 1.0 && moved > 0 && left > 0 {
        let eta = left as f64 * secs / moved as f64;
        let _ = write!(out, " · {} left", duration(eta));
    }
    for (name, n) in &s.outcomes {
        let _ = write!(out, " · {name} {}", thousands(*n));
    }
    out
}

/// Bytes as megabytes with one decimal under 100, whole above.
fn mb(bytes: u64) -> String {
    let m = bytes as f64 / 1_000_000.0;
    if m < 100.0 {
        format!("{m:.1}")
    } else {
        thousands(m.round() as u64)
    }
}

/// `3725.0` → `1h 02m`, `200.0` → `3m 20s`, `45.2` → `46s`.
fn duration(secs: f64) -> String {
    let s = secs.ceil() as u64;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m {:02}s", s / 60, s % 60),
        _ => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(unit: Unit, pos: u64, total: u64, start: u64, worked: u64, secs: u64) -> Snapshot {
        Snapshot {
            unit,
            pos,
            total,
            start,
            worked,
            elapsed: Duration::from_secs(secs),
            outcomes: Vec::new(),
        }
    }

    #[test]
    fn rows_line_has_done_total_whole_rate_time_left_and_outcomes() {
        let mut s = snap(Unit::Rows, 100_000, 300_000, 0, 90_000, 10);
        s.outcomes = vec![("created", 89_000), ("failed", 1_000)];
        assert_eq!(
            describe(&s),
            "100,000 / 300,000 rows · 9,000 rows/s · 20s left · created 89,000 · failed 1,000"
        );
    }

    #[test]
    fn a_resumed_bar_times_only_what_moved_in_this_run() {
        // 200,000 were done before; 10,000 more in 10 s: 90,000 left at
        // 1,000 rows/s is 90 s, not the 4.5 s the whole position would say.
        let s = snap(Unit::Rows, 210_000, 300_000, 200_000, 10_000, 10);
        assert_eq!(
            describe(&s),
            "210,000 / 300,000 rows · 1,000 rows/s · 1m 30s left"
        );
    }

    #[test]
    fn bytes_line_counts_rows_beside_the_megabytes() {
        let s = snap(Unit::Bytes, 25_000_000, 100_000_000, 0, 62_870, 2);
        assert_eq!(
            describe(&s),
            "62,870 rows · 25.0 / 100 MB · 31,435 rows/s · 6s left"
        );
    }

    #[test]
    fn nothing_is_guessed_before_there_is_anything_to_go_on() {
        let s = snap(Unit::Rows, 0, 300_000, 0, 0, 0);
        assert_eq!(describe(&s), "0 / 300,000 rows");
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration(45.2), "46s");
        assert_eq!(duration(200.0), "3m 20s");
        assert_eq!(duration(3725.0), "1h 02m");
    }

    #[test]
    fn a_hidden_bar_still_counts() {
        let p = Progress::rows(false, "sending", 10, 4);
        p.inc(2);
        p.skip(1);
        p.add_to("created", 4);
        p.count("created");
        p.count("failed");
        assert_eq!(p.bar.position(), 7);
        assert_eq!(p.shared.worked.load(Ordering::Relaxed), 2);
        let outcomes = p.shared.outcomes.lock().unwrap().clone();
        assert_eq!(outcomes, vec![("created", 5), ("failed", 1)]);
        p.finish();
    }
}
