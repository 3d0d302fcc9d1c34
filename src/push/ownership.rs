//! Ownership: whether a client found on the target is one this event made.
//!
//! In: what a row sent, the client the target holds under the row's id, and
//! the evidence the push gathered while sending — the window of an attempt
//! that went unanswered, and the target's clock as its `Date` headers show
//! it. Out: [`Evidence`] that the client is ours, or nothing. Never fails:
//! a date that cannot be read proves nothing.
//!
//! The rule (v1 has no idempotency key, so a lost answer must be settled by
//! looking): a client is this event's when its own POST was answered 201, or
//! when an attempt of the row ended without an answer (timeout, a connection
//! lost after the request may have been written, a 5xx that may have come
//! after the work was done) and the client found by GET carries what was sent
//! and was created inside that attempt's window — from the moment the
//! request left to the moment it was given up, moved onto the target's clock
//! by the offset its `Date` headers show, and widened by [`MARGIN`]. A 316 to
//! an attempt with no unanswered predecessor is someone else's client.

use std::sync::atomic::{AtomicI64, Ordering};

use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

/// How far a window is widened on each side beyond the measured clock
/// offset: `Date` headers and Mambu's `creationDate` both have whole seconds,
/// so each can be up to a second behind; one more second absorbs the time a
/// request spends between our clock read and the target's.
pub const MARGIN: SignedDuration = SignedDuration::from_secs(3);

/// The span of our clock during which an unanswered attempt may have been
/// carried out by the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptWindow {
    /// Just before the request was handed to the connection.
    pub from: Timestamp,
    /// When it was given up (or, for a run that died, when the next began).
    pub to: Timestamp,
}

impl AttemptWindow {
    /// The smallest window holding both.
    pub fn union(self, other: AttemptWindow) -> AttemptWindow {
        AttemptWindow {
            from: self.from.min(other.from),
            to: self.to.max(other.to),
        }
    }
}

/// The target's clock minus ours, as far as its `Date` headers tell:
/// the least and the most seen, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockOffset {
    /// The smallest offset seen.
    pub min_ms: i64,
    /// The largest offset seen.
    pub max_ms: i64,
}

impl ClockOffset {
    /// No measurement: the clocks are taken to agree (the margin still applies).
    pub const UNKNOWN: ClockOffset = ClockOffset {
        min_ms: 0,
        max_ms: 0,
    };
}

/// The live measurement behind [`ClockOffset`], shared by every request.
#[derive(Debug)]
pub struct ClockWatch {
    min_ms: AtomicI64,
    max_ms: AtomicI64,
}

impl Default for ClockWatch {
    fn default() -> Self {
        Self {
            min_ms: AtomicI64::new(i64::MAX),
            max_ms: AtomicI64::new(i64::MIN),
        }
    }
}

impl ClockWatch {
    /// Notes one answer's `Date` header, read at `received` on our clock.
    pub fn note(&self, date_header: &str, received: Timestamp) {
        let Ok(theirs) = jiff::fmt::rfc2822::DateTimeParser::new().parse_timestamp(date_header)
        else {
            return;
        };
        let ms = theirs.duration_since(received).as_millis();
        let ms = i64::try_from(ms).unwrap_or(if ms < 0 { i64::MIN } else { i64::MAX });
        self.min_ms.fetch_min(ms, Ordering::Relaxed);
        self.max_ms.fetch_max(ms, Ordering::Relaxed);
    }

    /// What was seen so far.
    pub fn offset(&self) -> ClockOffset {
        let (min_ms, max_ms) = (
            self.min_ms.load(Ordering::Relaxed),
            self.max_ms.load(Ordering::Relaxed),
        );
        if min_ms > max_ms {
            ClockOffset::UNKNOWN
        } else {
            ClockOffset { min_ms, max_ms }
        }
    }
}

/// Why a client on the target is this event's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// The row's own POST was answered 201.
    Answered,
    /// An attempt in this run went unanswered; the client was created inside it.
    AfterUnansweredAttempt {
        /// The attempt's window, on our clock.
        window: AttemptWindow,
        /// The client's creationDate.
        created: Timestamp,
    },
    /// A run died with the row sent and unanswered; the client was created
    /// between the row being journalled SENT and this run starting.
    AfterInterruptedRun {
        /// From the SENT mark to this run's start, on our clock.
        window: AttemptWindow,
        /// The client's creationDate.
        created: Timestamp,
    },
}

impl Evidence {
    /// The words the ledger keeps.
    pub fn describe(&self) -> String {
        match self {
            Evidence::Answered => "POST answered 201".to_string(),
            Evidence::AfterUnansweredAttempt { window, created } => format!(
                "GET after an unanswered attempt: created {created}, attempt {}..{}",
                window.from, window.to
            ),
            Evidence::AfterInterruptedRun { window, created } => format!(
                "GET after an interrupted run: created {created}, sent {}..{}",
                window.from, window.to
            ),
        }
    }
}

/// Whether `created` (the target's clock) falls inside `window` (ours),
/// given what the target's clock was seen to be.
pub fn created_within(created: Timestamp, window: AttemptWindow, offset: ClockOffset) -> bool {
    let early = window.from + SignedDuration::from_millis(offset.min_ms) - MARGIN;
    let late = window.to + SignedDuration::from_millis(offset.max_ms) + MARGIN;
    early <= created && created <= late
}

/// Whether a stored client carries what the row sent: the same id, names,
/// birth date and e-mail (each compared where the row sent one).
pub fn carries_what_was_sent(stored: &Value, sent: &Value) -> bool {
    let (a, b) = (client_of(stored), client_of(sent));
    if a["id"].is_null() || a["id"] != b["id"] {
        return false;
    }
    ["firstName", "lastName", "birthDate", "emailAddress"]
        .iter()
        .all(|f| b[f].is_null() || a[f] == b[f] || same_day(&a[f], &b[f]))
}

/// The client's `creationDate`, if it has a readable one.
pub fn creation_date(stored: &Value) -> Option<Timestamp> {
    client_of(stored)["creationDate"]
        .as_str()
        .and_then(parse_mambu_timestamp)
}

/// Mambu writes `2012-06-20T12:15:18+0200`; RFC 3339 is also read.
pub fn parse_mambu_timestamp(s: &str) -> Option<Timestamp> {
    s.parse::<Timestamp>().ok().or_else(|| {
        jiff::fmt::strtime::parse("%Y-%m-%dT%H:%M:%S%z", s)
            .ok()?
            .to_timestamp()
            .ok()
    })
}

/// The client object in a basic (client alone) or full (`{"client":…}`) shape.
pub fn client_of(v: &Value) -> &Value {
    if v.get("client").is_some() {
        &v["client"]
    } else {
        v
    }
}

fn same_day(a: &Value, b: &Value) -> bool {
    match (a.as_str(), b.as_str()) {
        (Some(a), Some(b)) => a.len() >= 10 && a.get(..10) == b.get(..10),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_client_made_in_the_window_is_ours_and_one_made_before_or_after_is_not() {
        let w = AttemptWindow {
            from: at("2026-12-01T10:00:10Z"),
            to: at("2026-12-01T10:00:12Z"),
        };
        let same = ClockOffset::UNKNOWN;
        assert!(created_within(at("2026-12-01T10:00:10Z"), w, same));
        assert!(
            created_within(at("2026-12-01T10:00:14Z"), w, same),
            "margin"
        );
        assert!(!created_within(at("2026-12-01T10:00:06Z"), w, same));
        assert!(!created_within(at("2026-12-01T10:00:16Z"), w, same));
        // A target whose clock runs a minute ahead stamps the client a minute later.
        let ahead = ClockOffset {
            min_ms: 59_500,
            max_ms: 60_400,
        };
        assert!(created_within(at("2026-12-01T10:01:11Z"), w, ahead));
        assert!(!created_within(at("2026-12-01T10:00:11Z"), w, ahead));
    }

    #[test]
    fn the_clock_watch_keeps_the_range_of_offsets_seen() {
        let watch = ClockWatch::default();
        assert_eq!(watch.offset(), ClockOffset::UNKNOWN);
        watch.note(
            "Tue, 01 Dec 2026 10:01:00 GMT",
            at("2026-12-01T10:00:00.200Z"),
        );
        watch.note(
            "Tue, 01 Dec 2026 10:01:01 GMT",
            at("2026-12-01T10:00:00.900Z"),
        );
        watch.note("not a date", at("2026-12-01T10:00:00Z"));
        assert_eq!(
            watch.offset(),
            ClockOffset {
                min_ms: 59_800,
                max_ms: 60_100
            }
        );
    }

    #[test]
    fn content_must_match_what_was_sent_and_the_id_always() {
        let sent = json!({"client": {"id": "C-1", "firstName": "Ana", "lastName": "Lee", "birthDate": "1980-02-03"}});
        let stored = json!({"client": {"id": "C-1", "firstName": "Ana", "lastName": "Lee", "birthDate": "1980-02-03T00:00:00+0000", "creationDate": "2026-12-01T10:00:11+0000"}});
        assert!(carries_what_was_sent(&stored, &sent));
        let other = json!({"client": {"id": "C-1", "firstName": "Ann", "lastName": "Lee"}});
        assert!(!carries_what_was_sent(&other, &sent));
        let no_id = json!({"client": {"firstName": "Ana", "lastName": "Lee"}});
        assert!(!carries_what_was_sent(&no_id, &json!({"client": {}})));
        assert_eq!(creation_date(&stored), Some(at("2026-12-01T10:00:11Z")));
    }

    #[test]
    fn mambu_and_rfc3339_timestamps_parse_alike() {
        let a = parse_mambu_timestamp("2012-06-20T12:15:18+0200").unwrap();
        let b = parse_mambu_timestamp("2012-06-20T10:15:18Z").unwrap();
        assert_eq!(a, b);
        assert!(parse_mambu_timestamp("yesterday").is_none());
    }
}
