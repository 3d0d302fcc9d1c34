//! The event report's first line: where the event stands and what to do
//! next, in one sentence a team lead can act on ("approve or revert?").
//!
//! In: the event's key, state, row counts and whether a run is still going.
//! Out: a [`Status`] — a [`Verdict`], the sentence, and the command that
//! comes next. Nothing here fails.

use serde::Serialize;

use super::RowCounts;
use crate::model::MigrationEventState;
use crate::report::summary::thousands;

/// Where an event stands, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// A run is working on the event right now; the page is a snapshot.
    Running,
    /// A revert began but did not undo every row; the event is still DRAFT.
    RevertUnfinished,
    /// Rows are still to send or sent without an answer: resume first.
    Unfinished,
    /// Every row has its outcome; the event waits for a decision.
    Complete,
    /// Accepted; final.
    Approved,
    /// Rolled back.
    Reverted,
}

impl Verdict {
    /// The word the status line starts with.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Running => "RUNNING",
            Self::RevertUnfinished => "REVERT UNFINISHED",
            Self::Unfinished => "UNFINISHED",
            Self::Complete => "COMPLETE",
            Self::Approved => "APPROVED",
            Self::Reverted => "REVERTED",
        }
    }
}

/// The status line and what to run next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    /// Where the event stands.
    pub verdict: Verdict,
    /// One sentence, starting with the verdict.
    pub line: String,
    /// The command to run next, if any.
    pub next: Option<String>,
}

/// What a status line is made from.
#[derive(Debug, Clone, Copy)]
pub struct StatusFacts<'a> {
    /// The event's key.
    pub key: &'a str,
    /// DRAFT, APPROVED or REVERTED.
    pub state: &'a MigrationEventState,
    /// Rows per status.
    pub counts: &'a RowCounts,
    /// The verb of a run still working on the event, if one is.
    pub running: Option<&'a str>,
}

fn n(v: u64) -> String {
    thousands(v)
}

/// "525 created", then "0 updated" only when the import updated any.
fn done(c: &RowCounts) -> String {
    let mut s = format!("{} created", n(c.created));
    if c.updated > 0 {
        s += &format!(", {} updated", n(c.updated));
    }
    s
}

/// ", 75 rejected in validation, 3 failed at the target" for what is non-zero.
fn refused(c: &RowCounts) -> String {
    let mut s = String::new();
    if c.rejected > 0 {
        s += &format!(", {} rejected in validation", n(c.rejected));
    }
    if c.failed > 0 {
        s += &format!(", {} failed at the target", n(c.failed));
    }
    s
}

/// The status of an event from its facts.
pub fn status(f: StatusFacts<'_>) -> Status {
    let c = f.counts;
    let key = f.key;
    let reverted_any = c.deleted + c.restored + c.kept + c.revert_failed > 0;
    if *f.state == MigrationEventState::Reverted {
        return Status {
            verdict: Verdict::Reverted,
            line: format!(
                "REVERTED — {} deleted, {} restored to their state before the import; nothing left to decide",
                n(c.deleted),
                n(c.restored)
            ),
            next: None,
        };
    }
    if *f.state == MigrationEventState::Approved {
        return Status {
            verdict: Verdict::Approved,
            line: format!("APPROVED — {}{}; final", done(c), refused(c)),
            next: None,
        };
    }
    if let Some(verb) = f.running {
        return Status {
            verdict: Verdict::Running,
            line: format!(
                "RUNNING — a {verb} is working on this event: {} so far, {} rows unsettled; render the page again when it ends",
                done(c),
                n(c.unsettled)
            ),
            next: Some(format!("ferry events show {key} --html event.html")),
        };
    }
    if reverted_any {
        let mut line = format!(
            "REVERT UNFINISHED — {} deleted, {} restored",
            n(c.deleted),
            n(c.restored)
        );
        if c.kept > 0 {
            line += &format!(", {} kept (changed since the import)", n(c.kept));
        }
        if c.revert_failed > 0 {
            line += &format!(", {} could not be reverted", n(c.revert_failed));
        }
        let left = c.created + c.updated;
        if left > 0 {
            line += &format!(", {} not reached yet", n(left));
        }
        line += ": run the revert again";
        if c.kept > 0 {
            line += " (--force reverts kept clients too)";
        }
        return Status {
            verdict: Verdict::RevertUnfinished,
            line,
            next: Some(format!("ferry revert {key}")),
        };
    }
    if c.unsettled > 0 {
        let mut parts = Vec::new();
        if c.pending > 0 {
            parts.push(format!("{} not yet sent", n(c.pending)));
        }
        if c.sent > 0 {
            parts.push(format!("{} sent without an answer", n(c.sent)));
        }
        return Status {
            verdict: Verdict::Unfinished,
            line: format!(
                "UNFINISHED — {} rows unsettled ({}); {} so far{}: run ferry resume {key}, then decide",
                n(c.unsettled),
                parts.join(", "),
                done(c),
                refused(c)
            ),
            next: Some(format!("ferry resume {key}")),
        };
    }
    let advice = if c.failed > 0 {
        ": review the failures below, then approve or revert"
    } else {
        "; ready to approve"
    };
    Status {
        verdict: Verdict::Complete,
        line: format!("COMPLETE — {}, 0 unsettled{}{advice}", done(c), refused(c)),
        next: Some(format!("ferry approve {key}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "8a1f";

    fn counts(f: impl FnOnce(&mut RowCounts)) -> RowCounts {
        let mut c = RowCounts::default();
        f(&mut c);
        c.unsettled = c.pending + c.sent;
        c
    }

    fn line(state: MigrationEventState, c: &RowCounts, running: Option<&str>) -> Status {
        status(StatusFacts {
            key: KEY,
            state: &state,
            counts: c,
            running,
        })
    }

    #[test]
    fn every_row_settled_without_failures_is_ready_to_approve() {
        let c = counts(|c| {
            c.created = 525;
            c.rejected = 75;
        });
        let s = line(MigrationEventState::Draft, &c, None);
        assert_eq!(s.verdict, Verdict::Complete);
        assert_eq!(
            s.line,
            "COMPLETE — 525 created, 0 unsettled, 75 rejected in validation; ready to approve"
        );
        assert_eq!(s.next.as_deref(), Some("ferry approve 8a1f"));
    }

    #[test]
    fn failures_at_the_target_ask_for_a_review_and_updates_are_named() {
        let c = counts(|c| {
            c.created = 1200;
            c.updated = 3;
            c.failed = 25;
        });
        let s = line(MigrationEventState::Draft, &c, None);
        assert_eq!(s.verdict, Verdict::Complete);
        assert_eq!(
            s.line,
            "COMPLETE — 1,200 created, 3 updated, 0 unsettled, 25 failed at the target: review the failures below, then approve or revert"
        );
    }

    #[test]
    fn unsettled_rows_say_resume_with_the_key() {
        let c = counts(|c| {
            c.created = 500;
            c.pending = 10;
            c.sent = 2;
            c.rejected = 75;
        });
        let s = line(MigrationEventState::Draft, &c, None);
        assert_eq!(s.verdict, Verdict::Unfinished);
        assert_eq!(
            s.line,
            "UNFINISHED — 12 rows unsettled (10 not yet sent, 2 sent without an answer); 500 created so far, 75 rejected in validation: run ferry resume 8a1f, then decide"
        );
        assert_eq!(s.next.as_deref(), Some("ferry resume 8a1f"));
    }

    #[test]
    fn a_live_run_comes_before_everything_but_a_decision() {
        let c = counts(|c| {
            c.created = 5;
            c.pending = 595;
        });
        let s = line(MigrationEventState::Draft, &c, Some("resume"));
        assert_eq!(s.verdict, Verdict::Running);
        assert!(
            s.line.starts_with("RUNNING — a resume is working"),
            "{}",
            s.line
        );
        assert!(s.line.contains("595 rows unsettled"), "{}", s.line);
        let s = line(MigrationEventState::Approved, &c, Some("resume"));
        assert_eq!(s.verdict, Verdict::Approved);
    }

    #[test]
    fn a_partial_revert_names_what_is_left_and_force_only_when_clients_were_kept() {
        let c = counts(|c| {
            c.deleted = 300;
            c.created = 225;
            c.rejected = 75;
        });
        let s = line(MigrationEventState::Draft, &c, None);
        assert_eq!(s.verdict, Verdict::RevertUnfinished);
        assert_eq!(
            s.line,
            "REVERT UNFINISHED — 300 deleted, 0 restored, 225 not reached yet: run the revert again"
        );
        assert_eq!(s.next.as_deref(), Some("ferry revert 8a1f"));
        let c = counts(|c| {
            c.deleted = 520;
            c.restored = 1;
            c.kept = 4;
            c.revert_failed = 1;
        });
        let s = line(MigrationEventState::Draft, &c, None);
        assert_eq!(
            s.line,
            "REVERT UNFINISHED — 520 deleted, 1 restored, 4 kept (changed since the import), 1 could not be reverted: run the revert again (--force reverts kept clients too)"
        );
    }

    #[test]
    fn decided_events_say_so_and_offer_nothing_to_run() {
        let c = counts(|c| {
            c.deleted = 525;
            c.rejected = 75;
        });
        let s = line(MigrationEventState::Reverted, &c, None);
        assert_eq!(s.verdict, Verdict::Reverted);
        assert_eq!(
            s.line,
            "REVERTED — 525 deleted, 0 restored to their state before the import; nothing left to decide"
        );
        assert_eq!(s.next, None);
        let c = counts(|c| {
            c.created = 525;
            c.rejected = 75;
        });
        let s = line(MigrationEventState::Approved, &c, None);
        assert_eq!(
            s.line,
            "APPROVED — 525 created, 75 rejected in validation; final"
        );
        assert_eq!(s.next, None);
    }
}
