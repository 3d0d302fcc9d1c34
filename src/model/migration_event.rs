//! Mambu's `migrationEvent`: one data import, DRAFT until decided.

use serde::{Deserialize, Serialize};

use super::enums::{MigrationEventState, MigrationEventType};

/// A data migration event and the counts of what it imported.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MigrationEvent {
    /// Mambu's key for the event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoded_key: Option<String>,
    /// When the event was created (a Mambu timestamp).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<String>,
    /// DRAFT until the import is approved or reverted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<MigrationEventState>,
    /// IMPORT or EXPORT (`type`).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub event_type: Option<MigrationEventType>,
    /// Centres imported in this event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_centres_imported: Option<i64>,
    /// Clients imported in this event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_clients_imported: Option<i64>,
    /// GL accounts imported in this event.
    #[serde(
        rename = "numGLAccountsImported",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_gl_accounts_imported: Option<i64>,
    /// Groups imported in this event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_groups_imported: Option<i64>,
    /// Loan repayments imported in this event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_loan_repayments_imported: Option<i64>,
    /// Loan transactions imported in this event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_loan_transactions_imported: Option<i64>,
    /// Loan accounts imported in this event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_loans_imported: Option<i64>,
    /// Savings accounts imported in this event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_savings_imported: Option<i64>,
}
