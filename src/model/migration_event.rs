//! Mambu's `migrationEvent`: one data import, DRAFT until decided.

use serde::{Deserialize, Serialize};

use super::enums::{MigrationEventState, MigrationEventType};

/// A data migration event and the counts of what it imported.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MigrationEvent {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoded_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<MigrationEventState>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub event_type: Option<MigrationEventType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_centres_imported: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_clients_imported: Option<i64>,
    #[serde(
        rename = "numGLAccountsImported",
        skip_serializing_if = "Option::is_none"
    )]
    pub num_gl_accounts_imported: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_groups_imported: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_loan_repayments_imported: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_loan_transactions_imported: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_loans_imported: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_savings_imported: Option<i64>,
}
