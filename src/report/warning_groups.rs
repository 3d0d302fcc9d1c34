//! Row warnings, aggregated where they repeat.
//!
//! In: every warning finding as rows arrive, in input order. Out: the total
//! count of warning findings and of rows with a warning, and the first
//! [`GROUPS_SHOWN`] groups — findings with the same code, field and message
//! (a duplicate check's message names the group's first row, so one group is
//! one set of clients sharing a name, an e-mail, a document; a state
//! warning's names the state) — each with its key, its exact count and its
//! first [`ROWS_PER_GROUP`] rows. Memory is bounded by those two numbers,
//! never by the rows: the warnings of groups past the first are counted, not
//! kept. Never fails.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use serde::Serialize;

use crate::fast_hash::{FastHashBuilder, FastHasher};
use crate::field_error::FieldError;
use crate::model::ReturnCode;

/// Groups `report.json` and `report.html` show, in order of first appearance.
pub const GROUPS_SHOWN: usize = 100;
/// Rows listed per shown group (its count is always exact).
pub const ROWS_PER_GROUP: usize = 1000;

/// One group of identical warnings.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct WarningGroup {
    /// The return code, by number.
    pub code: u16,
    /// The return code's name.
    pub name: &'static str,
    /// The field the warning is on.
    pub field: String,
    /// The source column that fed the field, when known.
    pub column: Option<String>,
    /// The message every finding of the group carries.
    pub message: String,
    /// What the rows share, for people (`Jan Kowalski`, `STATE: ACTIVE`),
    /// taken from the group's first warned row; `None` when unknown.
    pub key: Option<String>,
    /// Findings in the group (one per row).
    pub count: u64,
    /// The group's first rows, in input order (at most `ROWS_PER_GROUP`).
    pub rows: Vec<u64>,
}

/// What the run's warnings add up to.
#[derive(Debug, Default, Serialize)]
pub(crate) struct WarningGroups {
    /// Warning findings in all.
    pub findings: u64,
    /// Rows with at least one warning, valid or not.
    pub rows: u64,
    /// Warning findings that belong to no shown group.
    pub findings_not_in_groups_shown: u64,
    /// The first groups, at most `GROUPS_SHOWN`.
    pub groups: Vec<WarningGroup>,
    /// Shown groups by the hash of (code, field, message).
    #[serde(skip)]
    index: HashMap<u64, Vec<usize>, FastHashBuilder>,
}

fn group_hash(code: ReturnCode, field: &str, message: &str) -> u64 {
    // At most GROUPS_SHOWN groups are indexed, so colliding messages cost
    // a few comparisons, never a growing table: the fast hash will do.
    let mut h = FastHasher::default();
    code.code().hash(&mut h);
    field.hash(&mut h);
    message.hash(&mut h);
    h.finish()
}

impl WarningGroups {
    /// Whether warning `f` would start a shown group (the one moment its
    /// key, perhaps read from the row's cells, is asked for).
    pub fn would_start_group(&self, f: &FieldError) -> bool {
        if f.is_error() || self.groups.len() >= GROUPS_SHOWN {
            return false;
        }
        let h = group_hash(f.code, &f.field, &f.message);
        !self.index.get(&h).is_some_and(|at| {
            at.iter().any(|&g| {
                let g = &self.groups[g];
                g.code == f.code.code() && g.field == f.field && g.message == f.message
            })
        })
    }

    /// Counts a row's warnings. `origin(i)` is the source column of finding
    /// `i`; `key(i)` says what the row shares for finding `i`, asked only
    /// when the finding starts a shown group.
    pub fn add(
        &mut self,
        row: u64,
        findings: &[FieldError],
        origin: impl Fn(usize) -> Option<String>,
        mut key: impl FnMut(usize) -> Option<String>,
    ) {
        let mut warned = false;
        for (i, f) in findings.iter().enumerate().filter(|(_, f)| !f.is_error()) {
            warned = true;
            self.findings += 1;
            let h = group_hash(f.code, &f.field, &f.message);
            let found = self.index.get(&h).and_then(|at| {
                at.iter().copied().find(|&g| {
                    let g = &self.groups[g];
                    g.code == f.code.code() && g.field == f.field && g.message == f.message
                })
            });
            match found {
                Some(g) => {
                    let g = &mut self.groups[g];
                    g.count += 1;
                    if g.rows.len() < ROWS_PER_GROUP && g.rows.last() != Some(&row) {
                        g.rows.push(row);
                    }
                }
                None if self.groups.len() < GROUPS_SHOWN => {
                    self.index.entry(h).or_default().push(self.groups.len());
                    self.groups.push(WarningGroup {
                        code: f.code.code(),
                        name: f.code.name(),
                        field: f.field.clone(),
                        column: origin(i),
                        message: f.message.clone(),
                        key: key(i),
                        count: 1,
                        rows: vec![row],
                    });
                }
                None => self.findings_not_in_groups_shown += 1,
            }
        }
        self.rows += u64::from(warned);
    }

    /// Whether every warning is in a shown group.
    pub fn all_shown(&self) -> bool {
        self.findings_not_in_groups_shown == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dup(row: u64) -> FieldError {
        FieldError::warning(
            "client.lastName",
            ReturnCode::DuplicateClient,
            format!("same first and last name as row {row}"),
        )
    }

    #[test]
    fn identical_warnings_make_one_group_with_an_exact_count() {
        let mut g = WarningGroups::default();
        let mut asked = 0;
        for row in 2..=5 {
            let findings = [
                FieldError::error("client.id", ReturnCode::ClientIdAlreadyInUse, "x"),
                dup(1),
            ];
            g.add(
                row,
                &findings,
                |_| Some("LAST".into()),
                |i| {
                    asked += 1;
                    Some(format!("key of finding {i}"))
                },
            );
        }
        g.add(9, &[dup(7)], |_| None, |_| None);
        g.add(10, &[], |_| None, |_| None);
        assert_eq!((g.findings, g.rows, asked), (5, 5, 1));
        assert_eq!(g.groups.len(), 2);
        let first = &g.groups[0];
        assert_eq!(
            (first.count, first.rows.as_slice(), first.key.as_deref()),
            (4, &[2, 3, 4, 5][..], Some("key of finding 1"))
        );
        assert_eq!(first.column.as_deref(), Some("LAST"));
        assert_eq!(first.message, "same first and last name as row 1");
        assert_eq!((g.groups[1].count, g.groups[1].key.as_deref()), (1, None));
        assert!(g.all_shown());
    }

    #[test]
    fn groups_past_the_limit_are_counted_not_kept_and_rows_are_bounded() {
        let mut g = WarningGroups::default();
        for row in 0..(GROUPS_SHOWN as u64 + 10) {
            g.add(row * 2, &[dup(row * 2 + 1)], |_| None, |_| None);
        }
        for row in 0..(ROWS_PER_GROUP as u64 + 5) {
            g.add(10_000 + row, &[dup(1)], |_| None, |_| None);
        }
        assert_eq!(g.groups.len(), GROUPS_SHOWN);
        assert_eq!(g.findings_not_in_groups_shown, 10);
        assert_eq!(
            g.findings,
            GROUPS_SHOWN as u64 + 10 + ROWS_PER_GROUP as u64 + 5
        );
        let big = &g.groups[0];
        assert_eq!(big.count, ROWS_PER_GROUP as u64 + 6);
        assert_eq!(big.rows.len(), ROWS_PER_GROUP);
        assert!(!g.all_shown());
    }
}
