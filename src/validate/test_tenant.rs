//! A small tenant for the validator's tests: one of everything the rules
//! look at.

use serde_json::json;

use crate::model::{Client, ClientRequest};
use crate::tenant::{Tenant, TenantSchema};

/// The tenant every rule test runs against.
pub(crate) fn tenant() -> Tenant {
    tenant_with(|_| {})
}

/// The test tenant after `edit` changed its schema.
pub(crate) fn tenant_with(edit: impl FnOnce(&mut TenantSchema)) -> Tenant {
    let mut schema: TenantSchema = serde_json::from_value(json!({
        "name": "test",
        "customFieldSets": [
            {
                "id": "_Personal", "usage": "SINGLE", "type": "CLIENT_INFO",
                "customFields": [
                    {"id": "Loan_Purpose", "encodedKey": "cf-purpose", "dataType": "STRING", "type": "CLIENT_INFO", "isRequired": true},
                    {"id": "Income", "dataType": "NUMBER", "type": "CLIENT_INFO"},
                    {"id": "Has_Car", "dataType": "CHECKBOX", "type": "CLIENT_INFO"},
                    {"id": "Since", "dataType": "DATE", "type": "CLIENT_INFO"},
                    {"id": "Segment", "dataType": "SELECTION", "type": "CLIENT_INFO", "values": ["RETAIL", "SME"]},
                    {"id": "Tier", "dataType": "SELECTION", "type": "CLIENT_INFO",
                     "customFieldSelectionOptions": [{"value": "GOLD"}, {"value": "SILVER"}]},
                    {"id": "Tax_No", "dataType": "STRING", "type": "CLIENT_INFO", "validationPattern": "@@-###", "unique": true},
                    {"id": "Bio", "dataType": "STRING", "type": "CLIENT_INFO", "valueLength": "LONG"},
                    {"id": "Old_Field", "dataType": "STRING", "type": "CLIENT_INFO", "state": "DEACTIVATED", "isRequired": true},
                    {"id": "Loan_Only", "dataType": "STRING", "type": "LOAN_ACCOUNT_INFO"}
                ]
            },
            {
                "id": "_Beneficiaries", "usage": "GROUPED", "type": "CLIENT_INFO",
                "customFields": [
                    {"id": "Beneficiary_Name", "dataType": "STRING", "type": "CLIENT_INFO", "isRequired": true},
                    {"id": "Beneficiary_Share", "dataType": "NUMBER", "type": "CLIENT_INFO"}
                ]
            }
        ],
        "idDocumentTemplates": [
            {"encodedKey": "tpl-passport", "documentType": "PASSPORT", "documentIdTemplate": "##@@@@@@"},
            {"encodedKey": "tpl-national", "documentType": "NATIONAL_ID", "mandatoryForClients": true}
        ],
        "allowOtherIdDocuments": true,
        "branches": [
            {"encodedKey": "br-1", "id": "B1", "name": "Main"},
            {"encodedKey": "br-2", "id": "B2", "name": "North"},
            {"encodedKey": "br-old", "id": "B0", "state": "INACTIVE"}
        ],
        "centres": [
            {"encodedKey": "ce-1", "id": "C1", "assignedBranchKey": "br-1"}
        ],
        "users": [
            {"encodedKey": "us-1", "username": "officer", "isCreditOfficer": true, "assignedBranchKey": "br-1"},
            {"encodedKey": "us-2", "username": "clerk", "isCreditOfficer": false}
        ],
        "clientRoles": [
            {"encodedKey": "role-person", "id": "PERSON", "isDefault": true},
            {"encodedKey": "role-nomad", "id": "NOMAD", "canHaveAddress": false}
        ],
        "duplicateClientChecks": ["EMAIL", "HOME_PHONE"],
        "duplicateClientConstraintAction": "ERROR"
    }))
    .expect("the test tenant is valid");
    edit(&mut schema);
    Tenant::from_schema(schema).expect("the test tenant is consistent")
}

/// A request with only the client's names set.
pub(crate) fn named(first: &str, last: &str) -> ClientRequest {
    ClientRequest {
        client: Client {
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            ..Client::default()
        },
        ..ClientRequest::default()
    }
}
