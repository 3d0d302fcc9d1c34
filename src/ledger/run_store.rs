//! The runs of an event: every `ferry import`, `resume` and `revert` that
//! worked on it, recorded when it starts and again when it ends.
//!
//! In: an event key and a [`RunVerb`] at the start ([`Ledger::start_run`]),
//! the [`RunHandle`] and how it ended at the finish ([`Ledger::finish_run`]).
//! Out: [`RunRecord`]s in the order they started ([`Ledger::runs`]), each
//! with its times, how it ended and the rows it moved into each status.
//! Fails with [`LedgerError`].
//!
//! A run killed before its finish keeps no end. It is shown as
//! [`RunState::Crashed`] once that is certain (a later run took the event
//! over, or the process that ran it is gone) and as [`RunState::Running`]
//! while its process lives. What a crashed run did is still known: the rows
//! it moved, from its start to the next run's start (or to now).

use std::collections::BTreeMap;

use super::error::LedgerError;
use super::lock::{holder_alive, this_process};
use super::status::RowStatus;
use super::{now, Ledger};

/// Which command a run was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunVerb {
    /// `ferry import`: the run that opened the event.
    Import,
    /// `ferry resume`: carried on with an unfinished import.
    Resume,
    /// `ferry revert`: deleted and restored what the import did.
    Revert,
}

impl RunVerb {
    /// The stored and displayed name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Import => "import",
            Self::Resume => "resume",
            Self::Revert => "revert",
        }
    }

    /// Reads a name written by [`as_str`](Self::as_str).
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Import, Self::Resume, Self::Revert]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// How a run stands, as read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    /// It went through every row it was given.
    Completed,
    /// Ctrl-C stopped it: rows in flight were finished, the rest left.
    Interrupted,
    /// No end recorded and its process is still running.
    Running,
    /// No end recorded and its process is gone (killed, crashed, or stopped
    /// by an error before it could record its end).
    Crashed,
}

impl RunState {
    /// The stored and displayed name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::Interrupted => "interrupted",
            Self::Running => "running",
            Self::Crashed => "crashed",
        }
    }
}

/// A run under way, as [`Ledger::start_run`] hands it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunHandle {
    id: i64,
    event: String,
}

/// How a run ended, for [`Ledger::finish_run`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunEnd {
    /// Whether Ctrl-C stopped it before every row was done.
    pub interrupted: bool,
    /// Rows the target answered during the run, if counted.
    pub answered: Option<u64>,
    /// Requests put on the wire, retries included.
    pub requests: u64,
}

/// One run of an event as the ledger holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    /// Import, resume or revert.
    pub verb: RunVerb,
    /// When it started (UTC, RFC 3339).
    pub started_at: String,
    /// When it recorded its end; `None` while running or after a crash.
    pub ended_at: Option<String>,
    /// How it ended (or stands).
    pub state: RunState,
    /// Rows the target answered during the run (`None` if not counted).
    pub answered: Option<u64>,
    /// Requests sent, retries included (`None` for a run without an end).
    pub requests: Option<u64>,
    /// Rows the run moved into each status (only statuses that grew). For a
    /// run without an end: up to the next run's start, or up to now.
    pub moved: BTreeMap<RowStatus, u64>,
}

impl RunRecord {
    /// Rows the run moved into `status`.
    pub fn moved(&self, status: RowStatus) -> u64 {
        self.moved.get(&status).copied().unwrap_or(0)
    }
}

/// A runs row as stored.
struct RawRun {
    verb: String,
    started_at: String,
    ended_at: Option<String>,
    outcome: Option<String>,
    pid: u32,
    process_start: String,
    before: String,
    after: Option<String>,
    answered: Option<i64>,
    requests: Option<i64>,
}

fn counts_json(counts: &BTreeMap<RowStatus, u64>) -> String {
    let named: BTreeMap<&str, u64> = counts.iter().map(|(s, n)| (s.as_str(), *n)).collect();
    serde_json::to_string(&named).unwrap_or_else(|_| "{}".into())
}

fn parse_counts(json: &str) -> Result<BTreeMap<RowStatus, u64>, LedgerError> {
    let named: BTreeMap<String, u64> = serde_json::from_str(json)
        .map_err(|e| LedgerError::Corrupt(format!("run counts {json:?}: {e}")))?;
    named
        .into_iter()
        .map(|(name, n)| {
            RowStatus::parse(&name)
                .map(|s| (s, n))
                .ok_or_else(|| LedgerError::Corrupt(format!("unknown row status {name:?}")))
        })
        .collect()
}

/// The statuses that grew from `before` to `after`, by how much.
fn grown(
    before: &BTreeMap<RowStatus, u64>,
    after: &BTreeMap<RowStatus, u64>,
) -> BTreeMap<RowStatus, u64> {
    after
        .iter()
        .filter_map(|(s, n)| {
            let was = before.get(s).copied().unwrap_or(0);
            (*n > was).then(|| (*s, n - was))
        })
        .collect()
}

impl Ledger {
    /// Records that a run of `verb` starts on the event now, with the
    /// event's row counts at this moment.
    pub fn start_run(&mut self, event: &str, verb: RunVerb) -> Result<RunHandle, LedgerError> {
        let (id, _) = self.resolve(event)?;
        let before = counts_json(&self.counts(event)?);
        let (pid, start) = this_process();
        self.conn.execute(
            "INSERT INTO runs (event_id, verb, started_at, pid, process_start, counts_before) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![id, verb.as_str(), now(), pid, start, before],
        )?;
        Ok(RunHandle {
            id: self.conn.last_insert_rowid(),
            event: event.to_string(),
        })
    }

    /// Records the end of `run` now, with the event's row counts at this moment.
    pub fn finish_run(&mut self, run: &RunHandle, end: RunEnd) -> Result<(), LedgerError> {
        let after = counts_json(&self.counts(&run.event)?);
        let outcome = if end.interrupted {
            RunState::Interrupted
        } else {
            RunState::Completed
        };
        let to_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        self.conn.execute(
            "UPDATE runs SET ended_at = ?1, outcome = ?2, counts_after = ?3, answered = ?4, \
             requests = ?5 WHERE id = ?6",
            rusqlite::params![
                now(),
                outcome.as_str(),
                after,
                end.answered.map(to_i64),
                to_i64(end.requests),
                run.id
            ],
        )?;
        Ok(())
    }

    /// Every run of the event, in the order they started.
    pub fn runs(&self, event: &str) -> Result<Vec<RunRecord>, LedgerError> {
        let (id, _) = self.resolve(event)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT verb, started_at, ended_at, outcome, pid, process_start, counts_before, \
             counts_after, answered, requests FROM runs WHERE event_id = ?1 ORDER BY id",
        )?;
        let raws = stmt
            .query_map([id], |r| {
                Ok(RawRun {
                    verb: r.get(0)?,
                    started_at: r.get(1)?,
                    ended_at: r.get(2)?,
                    outcome: r.get(3)?,
                    pid: r.get(4)?,
                    process_start: r.get(5)?,
                    before: r.get(6)?,
                    after: r.get(7)?,
                    answered: r.get(8)?,
                    requests: r.get(9)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let befores = raws
            .iter()
            .map(|r| parse_counts(&r.before))
            .collect::<Result<Vec<_>, _>>()?;
        let mut now_counts = None;
        let mut out = Vec::with_capacity(raws.len());
        for (i, raw) in raws.iter().enumerate() {
            let verb = RunVerb::parse(&raw.verb)
                .ok_or_else(|| LedgerError::Corrupt(format!("unknown run verb {:?}", raw.verb)))?;
            let later = befores.get(i + 1);
            let state = match raw.outcome.as_deref() {
                Some("completed") => RunState::Completed,
                Some("interrupted") => RunState::Interrupted,
                Some(other) => {
                    return Err(LedgerError::Corrupt(format!(
                        "unknown run outcome {other:?}"
                    )))
                }
                // A later run could only start once this one's lock was free.
                None if later.is_some() => RunState::Crashed,
                None if holder_alive(raw.pid, &raw.process_start) => RunState::Running,
                None => RunState::Crashed,
            };
            let after = match (&raw.after, later) {
                (Some(json), _) => parse_counts(json)?,
                (None, Some(next)) => next.clone(),
                (None, None) => match &now_counts {
                    Some(c) => Clone::clone(c),
                    None => {
                        let c = self.counts(event)?;
                        now_counts = Some(c.clone());
                        c
                    }
                },
            };
            let to_u64 = |n: Option<i64>| n.map(|n| u64::try_from(n).unwrap_or(0));
            out.push(RunRecord {
                verb,
                started_at: raw.started_at.clone(),
                ended_at: raw.ended_at.clone(),
                state,
                answered: to_u64(raw.answered),
                requests: to_u64(raw.requests),
                moved: grown(&befores[i], &after),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::test_support::ledger_with_rows;
    use crate::ledger::{ImportMode, RowUpdate};

    #[test]
    fn a_finished_run_keeps_its_times_outcome_and_what_it_moved() {
        let (_dir, mut ledger, key) = ledger_with_rows(ImportMode::Create, 4);
        let run = ledger.start_run(&key, RunVerb::Import).unwrap();
        ledger.mark_sent(&key, &[1, 2, 3]).unwrap();
        ledger
            .apply(
                &key,
                &[
                    RowUpdate::new(1, RowStatus::Created),
                    RowUpdate::new(2, RowStatus::Created),
                    RowUpdate::new(3, RowStatus::Failed),
                ],
            )
            .unwrap();
        ledger
            .finish_run(
                &run,
                RunEnd {
                    interrupted: true,
                    answered: Some(3),
                    requests: 5,
                },
            )
            .unwrap();
        let runs = ledger.runs(&key).unwrap();
        assert_eq!(runs.len(), 1);
        let r = &runs[0];
        assert_eq!((r.verb, r.state), (RunVerb::Import, RunState::Interrupted));
        assert!(r.ended_at.as_deref().unwrap() >= r.started_at.as_str());
        assert_eq!((r.answered, r.requests), (Some(3), Some(5)));
        assert_eq!(
            r.moved,
            BTreeMap::from([(RowStatus::Created, 2), (RowStatus::Failed, 1)])
        );
    }

    #[test]
    fn a_run_without_an_end_is_crashed_once_another_run_follows_and_did_what_the_rows_say() {
        let (_dir, mut ledger, key) = ledger_with_rows(ImportMode::Create, 3);
        let _killed = ledger.start_run(&key, RunVerb::Import).unwrap();
        ledger.mark_sent(&key, &[1]).unwrap();
        ledger
            .apply(&key, &[RowUpdate::new(1, RowStatus::Created)])
            .unwrap();
        // Still this process: it is running.
        assert_eq!(ledger.runs(&key).unwrap()[0].state, RunState::Running);
        let resume = ledger.start_run(&key, RunVerb::Resume).unwrap();
        ledger.mark_sent(&key, &[2, 3]).unwrap();
        ledger
            .apply(
                &key,
                &[
                    RowUpdate::new(2, RowStatus::Created),
                    RowUpdate::new(3, RowStatus::Created),
                ],
            )
            .unwrap();
        ledger
            .finish_run(
                &resume,
                RunEnd {
                    interrupted: false,
                    answered: Some(2),
                    requests: 2,
                },
            )
            .unwrap();
        let runs = ledger.runs(&key).unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].state, RunState::Crashed);
        assert_eq!(runs[0].ended_at, None);
        assert_eq!((runs[0].answered, runs[0].requests), (None, None));
        assert_eq!(runs[0].moved(RowStatus::Created), 1);
        assert_eq!(
            (runs[1].verb, runs[1].state),
            (RunVerb::Resume, RunState::Completed)
        );
        assert_eq!(runs[1].moved(RowStatus::Created), 2);
        assert_eq!(runs[1].moved(RowStatus::Pending), 0);
    }

    #[test]
    fn a_run_whose_process_is_gone_is_crashed() {
        let (_dir, mut ledger, key) = ledger_with_rows(ImportMode::Create, 1);
        ledger.start_run(&key, RunVerb::Revert).unwrap();
        // A pid no process has (above the kernel's pid_max).
        ledger
            .conn
            .execute("UPDATE runs SET pid = 99999999, process_start = '1'", [])
            .unwrap();
        let runs = ledger.runs(&key).unwrap();
        if std::path::Path::new("/proc/self/stat").exists() {
            assert_eq!(runs[0].state, RunState::Crashed);
        }
        assert_eq!(runs[0].verb, RunVerb::Revert);
    }

    #[test]
    fn verbs_round_trip() {
        for v in [RunVerb::Import, RunVerb::Resume, RunVerb::Revert] {
            assert_eq!(RunVerb::parse(v.as_str()), Some(v));
        }
        assert_eq!(RunVerb::parse("approve"), None);
    }
}
