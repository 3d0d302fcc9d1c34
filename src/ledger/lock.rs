//! One process at a time per event: a lock row naming the holder (pid and the
//! process's start time), taken over when that process is gone.
//!
//! In: an event key. Out: the lock, or [`LedgerError::Locked`] naming the live
//! holder. A killed import leaves its row behind; the next taker sees the pid
//! gone (or reused by a process with another start time, or a zombie) and
//! takes over. Where there is no `/proc` the holder is assumed alive unless it
//! is this very process.

use std::sync::OnceLock;

use rusqlite::{OptionalExtension, Transaction, TransactionBehavior};

use super::error::LedgerError;
use super::{now, Ledger};

/// How [`Ledger::lock`] got the lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockOutcome {
    /// Nobody held it.
    Acquired,
    /// This handle already held it.
    AlreadyHeld,
    /// A process that no longer runs held it (a killed import); now ours.
    TookOver {
        /// The dead holder.
        pid: u32,
        /// When it had taken the lock.
        since: String,
    },
}

/// This process: its pid and its start time as the kernel reports it.
pub(super) fn this_process() -> &'static (u32, String) {
    static ME: OnceLock<(u32, String)> = OnceLock::new();
    ME.get_or_init(|| {
        let pid = std::process::id();
        let start = match read_proc(pid) {
            ProcState::Running { start } => start,
            _ => String::new(),
        };
        (pid, start)
    })
}

/// What `/proc` says about a pid.
enum ProcState {
    /// There is no `/proc` to ask.
    Unknown,
    /// No such process, or a zombie.
    Gone,
    /// Running, started at this many clock ticks after boot.
    Running { start: String },
}

fn read_proc(pid: u32) -> ProcState {
    if !std::path::Path::new("/proc/self/stat").exists() {
        return ProcState::Unknown;
    }
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return ProcState::Gone;
    };
    // The command name (field 2) is in parentheses and may hold spaces, so
    // count fields from the last ')': state is field 3, starttime field 22.
    let after = stat.rfind(')').map_or("", |i| &stat[i + 1..]);
    let mut fields = after.split_ascii_whitespace();
    match fields.next() {
        Some("Z" | "X" | "x") | None => ProcState::Gone,
        Some(_) => ProcState::Running {
            start: fields.nth(18).unwrap_or("").to_string(),
        },
    }
}

/// Whether the process that recorded (`pid`, `start`) is still running.
pub(super) fn holder_alive(pid: u32, start: &str) -> bool {
    let (my_pid, my_start) = this_process();
    if pid == *my_pid {
        return start == my_start;
    }
    match read_proc(pid) {
        ProcState::Unknown => true,
        ProcState::Gone => false,
        ProcState::Running { start: now } => start.is_empty() || now == start,
    }
}

/// The lock row of an event: pid, process start, token, acquired at.
type Holder = (u32, String, String, String);

fn holder(tx: &Transaction<'_>, event_id: i64) -> Result<Option<Holder>, LedgerError> {
    Ok(tx
        .query_row(
            "SELECT pid, process_start, token, acquired_at FROM event_locks WHERE event_id = ?1",
            [event_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?)
}

/// Records this process as the holder of the event's lock.
pub(super) fn write_lock(
    tx: &Transaction<'_>,
    event_id: i64,
    token: &str,
    at: &str,
) -> Result<(), LedgerError> {
    let (pid, start) = this_process();
    tx.execute(
        "INSERT OR REPLACE INTO event_locks (event_id, pid, process_start, token, acquired_at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        rusqlite::params![event_id, pid, start, token, at],
    )?;
    Ok(())
}

/// Fails with [`LedgerError::Locked`] if a live process other than the
/// holder of `token` has the event's lock.
pub(super) fn check_not_held_elsewhere(
    tx: &Transaction<'_>,
    event_id: i64,
    key: &str,
    token: &str,
) -> Result<(), LedgerError> {
    match holder(tx, event_id)? {
        Some((pid, start, holder_token, since))
            if holder_token != token && holder_alive(pid, &start) =>
        {
            Err(LedgerError::Locked {
                key: key.to_string(),
                pid,
                since,
            })
        }
        _ => Ok(()),
    }
}

impl Ledger {
    /// Takes the event's lock for this handle, so that its rows may be
    /// written; fails with [`LedgerError::Locked`] while another live process
    /// (or another handle in this one) holds it.
    pub fn lock(&mut self, key: &str) -> Result<LockOutcome, LedgerError> {
        let (id, _) = self.resolve(key)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let outcome = match holder(&tx, id)? {
            None => LockOutcome::Acquired,
            Some((_, _, token, _)) if token == self.token => LockOutcome::AlreadyHeld,
            Some((pid, start, _, since)) if holder_alive(pid, &start) => {
                return Err(LedgerError::Locked {
                    key: key.to_string(),
                    pid,
                    since,
                });
            }
            Some((pid, _, _, since)) => LockOutcome::TookOver { pid, since },
        };
        if outcome != LockOutcome::AlreadyHeld {
            write_lock(&tx, id, &self.token, &now())?;
        }
        tx.commit()?;
        if !self.locked.contains(&id) {
            self.locked.push(id);
        }
        Ok(outcome)
    }

    /// Gives the event's lock back (dropping the ledger does the same).
    pub fn unlock(&mut self, key: &str) -> Result<(), LedgerError> {
        let (id, _) = self.resolve(key)?;
        self.conn.execute(
            "DELETE FROM event_locks WHERE event_id = ?1 AND token = ?2",
            rusqlite::params![id, self.token],
        )?;
        self.locked.retain(|&held| held != id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::test_support::{new_event, temp_ledger};
    use crate::ledger::{ImportMode, NewRow};
    use crate::model::MigrationEventState;

    /// Records `pid` (with `start`) as the holder of the event's lock.
    fn plant_lock(ledger: &Ledger, key: &str, pid: u32, start: &str) {
        ledger
            .conn
            .execute(
                "UPDATE event_locks SET pid = ?1, process_start = ?2, token = 'other' \
                 WHERE event_id = (SELECT id FROM events WHERE encoded_key = ?3)",
                rusqlite::params![pid, start, key],
            )
            .unwrap();
    }

    #[test]
    fn the_creator_holds_the_lock_until_it_drops_the_ledger() {
        let (dir, mut first) = temp_ledger();
        let key = first
            .create_event(&new_event(ImportMode::Create))
            .unwrap()
            .encoded_key;
        assert_eq!(first.lock(&key).unwrap(), LockOutcome::AlreadyHeld);
        let mut second = Ledger::open(&dir.path().join("ledger.db")).unwrap();
        let err = second.lock(&key).unwrap_err();
        assert!(
            matches!(&err, LedgerError::Locked { pid, .. } if *pid == std::process::id()),
            "{err}"
        );
        // Reading needs no lock; writing does.
        assert_eq!(second.event(&key).unwrap().encoded_key, key);
        assert!(matches!(
            second.insert_rows(&key, &[NewRow::pending(1, 2, None)]),
            Err(LedgerError::NotLocked { .. })
        ));
        assert!(matches!(
            second.set_state(&key, MigrationEventState::Approved),
            Err(LedgerError::Locked { .. })
        ));
        drop(first);
        assert_eq!(second.lock(&key).unwrap(), LockOutcome::Acquired);
        second
            .insert_rows(&key, &[NewRow::pending(1, 2, None)])
            .unwrap();
        second.unlock(&key).unwrap();
        assert!(matches!(
            second.mark_sent(&key, &[1]),
            Err(LedgerError::NotLocked { .. })
        ));
    }

    #[test]
    fn a_lock_whose_process_is_gone_is_taken_over() {
        let (dir, mut first) = temp_ledger();
        let key = first
            .create_event(&new_event(ImportMode::Create))
            .unwrap()
            .encoded_key;
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        plant_lock(&first, &key, dead, "1");
        std::mem::forget(first); // as if killed: no cleanup ran
        let mut second = Ledger::open(&dir.path().join("ledger.db")).unwrap();
        match second.lock(&key).unwrap() {
            LockOutcome::TookOver { pid, since } => {
                assert_eq!(pid, dead);
                assert!(since.ends_with('Z'));
            }
            other => panic!("expected TookOver, got {other:?}"),
        }
        second
            .insert_rows(&key, &[NewRow::pending(1, 2, None)])
            .unwrap();
    }

    #[test]
    fn our_own_pid_from_an_earlier_run_is_stale() {
        let (_dir, mut ledger) = temp_ledger();
        let key = ledger
            .create_event(&new_event(ImportMode::Create))
            .unwrap()
            .encoded_key;
        plant_lock(&ledger, &key, std::process::id(), "not-our-start-time");
        assert!(matches!(
            ledger.lock(&key).unwrap(),
            LockOutcome::TookOver { .. }
        ));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_live_process_keeps_its_lock_until_it_exits() {
        let (_dir, mut ledger) = temp_ledger();
        let key = ledger
            .create_event(&new_event(ImportMode::Create))
            .unwrap()
            .encoded_key;
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = child.id();
        let ProcState::Running { start } = read_proc(pid) else {
            panic!("child {pid} not visible in /proc");
        };
        plant_lock(&ledger, &key, pid, &start);
        let err = ledger.lock(&key).unwrap_err();
        assert!(
            matches!(err, LedgerError::Locked { pid: p, .. } if p == pid),
            "{err}"
        );
        // The same pid with another start time is a reused pid: stale.
        plant_lock(&ledger, &key, pid, "1");
        assert!(matches!(
            ledger.lock(&key).unwrap(),
            LockOutcome::TookOver { .. }
        ));
        plant_lock(&ledger, &key, pid, &start);
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(
            matches!(ledger.lock(&key).unwrap(), LockOutcome::TookOver { pid: p, .. } if p == pid)
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn proc_stat_is_read_past_a_command_name_with_spaces() {
        let ProcState::Running { start } = read_proc(std::process::id()) else {
            panic!("this process not visible in /proc");
        };
        assert!(
            !start.is_empty() && start.bytes().all(|b| b.is_ascii_digit()),
            "{start}"
        );
        assert!(matches!(read_proc(u32::MAX), ProcState::Gone));
    }
}
