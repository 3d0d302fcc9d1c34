//! A row's fate in the ledger and the moves between fates that the
//! journalling protocol allows.
//!
//! Each status has a fixed small number stored in the file (never renumber:
//! old ledgers must keep reading); `can_become` is the protocol, enforced in
//! the same UPDATE that writes the change, so a bug in a caller cannot, say,
//! record CREATED for a row that was never journalled SENT.

/// Where one input row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RowStatus {
    /// Failed validation; never sent.
    Rejected,
    /// Valid and waiting to be sent.
    Pending,
    /// Journalled as about to be sent, no answer recorded yet: in doubt.
    Sent,
    /// The target created the client.
    Created,
    /// The target updated an existing client (upsert).
    Updated,
    /// The target refused the row, or it could not be sent.
    Failed,
    /// Deliberately not sent (the target already holds it unchanged).
    Skipped,
    /// Revert deleted the client the import created.
    Deleted,
    /// Revert put the client back to its before-image.
    Restored,
    /// Revert left the client alone: someone changed it since the import.
    Kept,
    /// Revert tried and failed; may be retried.
    RevertFailed,
}

impl RowStatus {
    /// Every status, in the order of their stored numbers.
    pub const ALL: [RowStatus; 11] = [
        Self::Rejected,
        Self::Pending,
        Self::Sent,
        Self::Created,
        Self::Updated,
        Self::Failed,
        Self::Skipped,
        Self::Deleted,
        Self::Restored,
        Self::Kept,
        Self::RevertFailed,
    ];

    /// The name shown to people and written in reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Rejected => "REJECTED",
            Self::Pending => "PENDING",
            Self::Sent => "SENT",
            Self::Created => "CREATED",
            Self::Updated => "UPDATED",
            Self::Failed => "FAILED",
            Self::Skipped => "SKIPPED",
            Self::Deleted => "DELETED",
            Self::Restored => "RESTORED",
            Self::Kept => "KEPT",
            Self::RevertFailed => "REVERT_FAILED",
        }
    }

    /// Reads a name written by [`as_str`](Self::as_str).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The number stored in the ledger file.
    pub(crate) const fn code(self) -> i64 {
        self as i64
    }

    /// Reads a stored number.
    pub(crate) fn from_code(code: i64) -> Option<Self> {
        usize::try_from(code)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
    }

    /// Sent, answer unknown: settle it by asking the target before resending.
    pub const fn is_in_doubt(self) -> bool {
        matches!(self, Self::Sent)
    }

    /// Whether the import's work on the row is finished, one way or another
    /// (neither waiting to be sent nor in doubt). `ferry resume` skips these.
    pub const fn is_settled(self) -> bool {
        !matches!(self, Self::Pending | Self::Sent)
    }

    /// Whether the import changed the target for this row (what a revert undoes).
    pub const fn is_imported(self) -> bool {
        matches!(
            self,
            Self::Created
                | Self::Updated
                | Self::Deleted
                | Self::Restored
                | Self::Kept
                | Self::RevertFailed
        )
    }

    /// Whether the journalling protocol allows a row in `self` to move to `next`.
    ///
    /// Staying put is allowed (recording more detail; SENT again is a resend).
    /// An upsert row may still be REJECTED once read against the stored
    /// client (its merge breaks a rule), before its update is sent.
    pub const fn can_become(self, next: RowStatus) -> bool {
        use RowStatus::*;
        matches!(
            (self, next),
            (Rejected, Rejected)
                | (Pending, Pending | Sent | Skipped | Failed | Rejected)
                | (
                    Sent,
                    Sent | Pending | Created | Updated | Failed | Skipped | Rejected
                )
                | (Failed, Failed | Pending | Sent)
                | (Skipped, Skipped)
                | (Created, Created | Deleted | Kept | RevertFailed)
                | (Updated, Updated | Restored | Kept | RevertFailed)
                | (
                    Kept | RevertFailed,
                    Deleted | Restored | Kept | RevertFailed
                )
                | (Deleted, Deleted)
                | (Restored, Restored)
        )
    }

    /// The statuses a row may hold when it first enters the ledger.
    pub const fn is_initial(self) -> bool {
        matches!(self, Self::Rejected | Self::Pending | Self::Skipped)
    }

    /// Bit mask of the statuses that may move to `next`, for the SQL guard.
    pub(crate) fn predecessor_mask(next: RowStatus) -> i64 {
        Self::ALL
            .into_iter()
            .filter(|from| from.can_become(next))
            .fold(0, |mask, from| mask | (1 << from.code()))
    }
}

impl std::fmt::Display for RowStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes_round_trip() {
        for (i, st) in RowStatus::ALL.into_iter().enumerate() {
            assert_eq!(RowStatus::parse(st.as_str()), Some(st));
            assert_eq!(st.code(), i as i64);
            assert_eq!(RowStatus::from_code(st.code()), Some(st));
        }
        assert_eq!(RowStatus::parse("created"), None);
        assert_eq!(RowStatus::from_code(11), None);
        assert_eq!(RowStatus::from_code(-1), None);
    }

    #[test]
    fn stored_numbers_never_change() {
        assert_eq!(RowStatus::Rejected.code(), 0);
        assert_eq!(RowStatus::Sent.code(), 2);
        assert_eq!(RowStatus::Created.code(), 3);
        assert_eq!(RowStatus::RevertFailed.code(), 10);
    }

    #[test]
    fn only_sent_is_in_doubt_and_pending_or_sent_unsettled() {
        let doubtful: Vec<_> = RowStatus::ALL
            .into_iter()
            .filter(|s| s.is_in_doubt())
            .collect();
        assert_eq!(doubtful, [RowStatus::Sent]);
        let unsettled: Vec<_> = RowStatus::ALL
            .into_iter()
            .filter(|s| !s.is_settled())
            .collect();
        assert_eq!(unsettled, [RowStatus::Pending, RowStatus::Sent]);
    }

    #[test]
    fn outcome_only_after_sent() {
        assert!(RowStatus::Sent.can_become(RowStatus::Created));
        assert!(!RowStatus::Pending.can_become(RowStatus::Created));
        assert!(!RowStatus::Pending.can_become(RowStatus::Updated));
        assert!(!RowStatus::Rejected.can_become(RowStatus::Sent));
        assert!(RowStatus::Pending.can_become(RowStatus::Rejected));
        assert!(!RowStatus::Updated.can_become(RowStatus::Rejected));
    }

    #[test]
    fn revert_moves_follow_the_import_outcome() {
        assert!(RowStatus::Created.can_become(RowStatus::Deleted));
        assert!(!RowStatus::Created.can_become(RowStatus::Restored));
        assert!(RowStatus::Updated.can_become(RowStatus::Restored));
        assert!(!RowStatus::Updated.can_become(RowStatus::Deleted));
        assert!(!RowStatus::Deleted.can_become(RowStatus::Created));
        assert!(RowStatus::RevertFailed.can_become(RowStatus::Deleted));
    }

    #[test]
    fn mask_has_exactly_the_predecessors() {
        let mask = RowStatus::predecessor_mask(RowStatus::Created);
        assert_eq!(
            mask,
            (1 << RowStatus::Sent.code()) | (1 << RowStatus::Created.code())
        );
        let sent = RowStatus::predecessor_mask(RowStatus::Sent);
        assert_eq!(
            sent,
            (1 << RowStatus::Pending.code())
                | (1 << RowStatus::Sent.code())
                | (1 << RowStatus::Failed.code())
        );
    }
}
