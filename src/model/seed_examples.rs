//! The seeds' own JSON examples (`tests/fixtures/seeds/`, taken verbatim
//! from the API reference, missing commas restored) must read into the
//! model and write back as the same JSON value: nothing dropped, renamed,
//! reordered into a different meaning or re-spelled (`0` stays `0`).

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::{Client, ClientRequest, ClientResponse, CustomFieldValue};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/seeds/",
            $name
        ))
    };
}

#[track_caller]
fn round_trips<T: DeserializeOwned + Serialize>(text: &str) -> T {
    let typed: T = serde_json::from_str(text).expect("the example reads into the model");
    let original: Value = serde_json::from_str(text).unwrap();
    let written = serde_json::to_value(&typed).unwrap();
    assert_eq!(
        written, original,
        "the example does not survive a round trip"
    );
    typed
}

#[test]
fn client_api_v1_schema_example() {
    let c: Client = round_trips(fixture!("client_api_v1.json"));
    assert_eq!(
        c.migration_event.unwrap().state.unwrap().as_str(),
        "REVERTED"
    );
    assert_eq!(
        c.portal_preferences.unwrap().portal_state.unwrap().as_str(),
        "DISABLED"
    );
}

#[test]
fn create_or_update_client_response_schema_example() {
    let r: ClientResponse = round_trips(fixture!("create_or_update_client_response.json"));
    let cf = &r.custom_information.unwrap()[0];
    assert_eq!(
        cf.custom_field
            .as_ref()
            .unwrap()
            .data_type
            .as_ref()
            .unwrap()
            .as_str(),
        "GROUP_LINK"
    );
    assert_eq!(
        r.id_documents.unwrap()[0]
            .valid_until_dto_date
            .as_ref()
            .unwrap()
            .year,
        Some(0)
    );
}

#[test]
fn get_client_basic_and_full_responses() {
    let basic: Client = round_trips(fixture!("get_client_basic.json"));
    assert_eq!(basic.first_name.as_deref(), Some("Vijolica"));
    assert!(basic.extra.contains_key("clientLinesOfCredit"));
    let full: ClientResponse = round_trips(fixture!("get_client_full.json"));
    assert_eq!(
        full.addresses.unwrap()[0].city.as_deref(),
        Some("Kiskunmajsa")
    );
    assert_eq!(full.group_keys, Some(vec![]));
}

#[test]
fn custom_information_responses_single_and_grouped() {
    let single: Vec<CustomFieldValue> = round_trips(fixture!("custom_information_single.json"));
    assert_eq!(
        single[0]
            .custom_field_set_group_index
            .as_ref()
            .and_then(|g| g.as_i64()),
        Some(-1)
    );
    let grouped: Vec<CustomFieldValue> = round_trips(fixture!("custom_information_grouped.json"));
    let indexes: Vec<_> = grouped
        .iter()
        .map(|v| {
            v.custom_field_set_group_index
                .as_ref()
                .and_then(|g| g.as_i64())
        })
        .collect();
    assert_eq!(indexes, [Some(0), Some(1), Some(2)]);
}

#[test]
fn request_examples_including_string_group_indexes() {
    let simple: ClientRequest = round_trips(fixture!("create_simple.json"));
    assert!(simple.addresses.is_none(), "an absent array stays absent");
    let grouped: ClientRequest = round_trips(fixture!("create_grouped_custom_fields.json"));
    let idx = grouped.custom_information.unwrap()[1]
        .custom_field_set_group_index
        .clone()
        .unwrap();
    assert_eq!(idx.as_i64(), Some(1));
    let update: ClientRequest = round_trips(fixture!("update_all_arrays.json"));
    assert_eq!(update.id_documents.unwrap().len(), 2);
}
