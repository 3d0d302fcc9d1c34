//! Rules on the client's address. Mambu stores only the first address, so
//! only the first is checked.
//!
//! In: the request's addresses. Out: findings appended to `out`.

use crate::field_error::FieldError;
use crate::model::{Address, ReturnCode};

use super::text::{check_length, non_blank, MAX_TEXT};

/// Checks the first address: some text, coordinates in range, lengths.
pub(crate) fn check(addresses: &[Address], out: &mut Vec<FieldError>) {
    let Some(a) = addresses.first() else {
        return;
    };
    let texts = [
        ("line1", &a.line1),
        ("line2", &a.line2),
        ("city", &a.city),
        ("region", &a.region),
        ("postcode", &a.postcode),
        ("country", &a.country),
    ];
    if !texts.iter().any(|(_, v)| non_blank(v.as_deref()).is_some()) {
        out.push(FieldError::error(
            "addresses[0]",
            ReturnCode::InvalidAddress,
            "the address has no line, city, region, postcode or country",
        ));
    }
    for (name, value) in texts {
        check_length(
            || format!("addresses[0].{name}"),
            name,
            value.as_deref(),
            MAX_TEXT,
            out,
        );
    }
    check_coordinate("latitude", a.latitude.as_ref(), 90.0, out);
    check_coordinate("longitude", a.longitude.as_ref(), 180.0, out);
}

fn check_coordinate(
    name: &str,
    value: Option<&serde_json::Number>,
    limit: f64,
    out: &mut Vec<FieldError>,
) {
    let Some(n) = value else {
        return;
    };
    let in_range = n.as_f64().is_some_and(|v| (-limit..=limit).contains(&v));
    if !in_range {
        out.push(FieldError::error(
            format!("addresses[0].{name}"),
            ReturnCode::InvalidAddress,
            format!("{name} {n} is outside -{limit}..{limit}"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(addresses: &[Address]) -> Vec<FieldError> {
        let mut out = Vec::new();
        check(addresses, &mut out);
        out
    }

    fn city(c: &str) -> Address {
        Address {
            city: Some(c.into()),
            ..Address::default()
        }
    }

    #[test]
    fn an_address_needs_some_text() {
        assert!(run(&[city("Berlin")]).is_empty());
        assert!(run(&[]).is_empty());
        let blank = Address {
            line1: Some("  ".into()),
            address_type: Some("HOME".into()),
            ..Address::default()
        };
        let out = run(&[blank]);
        assert_eq!(out.len(), 1);
        assert_eq!(
            (out[0].field.as_str(), out[0].code),
            ("addresses[0]", ReturnCode::InvalidAddress)
        );
    }

    #[test]
    fn only_the_first_address_counts() {
        assert!(run(&[city("Berlin"), Address::default()]).is_empty());
    }

    #[test]
    fn coordinates_must_be_on_earth() {
        let at = |lat: f64, lon: f64| Address {
            latitude: serde_json::Number::from_f64(lat),
            longitude: serde_json::Number::from_f64(lon),
            ..city("Berlin")
        };
        assert!(run(&[at(90.0, -180.0)]).is_empty());
        assert!(run(&[at(52.5, 13.4)]).is_empty());
        let out = run(&[at(90.5, 181.0)]);
        let fields: Vec<_> = out
            .iter()
            .map(|e| (e.field.as_str(), e.code.code()))
            .collect();
        assert_eq!(
            fields,
            [
                ("addresses[0].latitude", 1150),
                ("addresses[0].longitude", 1150)
            ]
        );
        assert_eq!(out[0].message, "latitude 90.5 is outside -90..90");
    }

    #[test]
    fn text_fields_are_limited() {
        let a = Address {
            postcode: Some("9".repeat(256)),
            ..city("Berlin")
        };
        let out = run(&[a]);
        assert_eq!(out.len(), 1);
        assert_eq!(
            (out[0].field.as_str(), out[0].code.code()),
            ("addresses[0].postcode", 4)
        );
    }
}
