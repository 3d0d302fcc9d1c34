//! Writes generated clients as one JSON array of nested objects, the shape
//! a document-store export would have: `name {first, middle, last}`,
//! `contact {…}`, `address {…}`, `documents [{type, number, expiry}]`.
//!
//! In: one `Record` at a time. Out: pretty-printed UTF-8 JSON; empty values
//! are `null`, incomes are numbers where they are numbers, KYC a boolean.
//! Fails only with I/O errors.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Number, Value};

use super::org;
use super::record::Record;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonClient<'a> {
    customer_no: &'a str,
    title: Option<&'a str>,
    name: JsonName<'a>,
    sex: Option<&'a str>,
    birth_date: Option<String>,
    contact: JsonContact<'a>,
    language: Option<&'a str>,
    status: Option<&'a str>,
    assignment: JsonAssignment<'a>,
    client_type: Option<&'a str>,
    profile: JsonProfile<'a>,
    extra_field: Option<JsonExtra<'a>>,
    next_of_kin: Vec<JsonKin<'a>>,
    address: Option<JsonAddress<'a>>,
    documents: Vec<JsonDocument<'a>>,
    notes: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonName<'a> {
    first: Option<&'a str>,
    middle: Option<&'a str>,
    last: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonContact<'a> {
    email: Option<&'a str>,
    home_phone: Option<&'a str>,
    mobile: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonAssignment<'a> {
    branch: Option<&'a str>,
    centre: Option<&'a str>,
    officer: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonProfile<'a> {
    occupation: Option<&'a str>,
    monthly_income: Value,
    risk_class: Option<&'a str>,
    tax_id: Option<&'a str>,
    kyc_done: Value,
    segment: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonExtra<'a> {
    id: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
struct JsonKin<'a> {
    name: Option<&'a str>,
    phone: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonAddress<'a> {
    street: Option<&'a str>,
    street2: Option<&'a str>,
    city: Option<&'a str>,
    region: Option<&'a str>,
    zip: Option<&'a str>,
    country: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonDocument<'a> {
    #[serde(rename = "type")]
    doc_type: &'a str,
    number: Option<&'a str>,
    expiry: Option<&'a str>,
    issuer: Option<&'a str>,
}

/// `None` for an empty value, so that it is written as `null`.
fn opt(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// `dd.mm.yyyy` rearranged as `yyyy-mm-dd` (digits kept as they are, so an
/// impossible date stays impossible); anything else unchanged.
fn iso_date(legacy: &str) -> String {
    let b = legacy.as_bytes();
    if b.len() == 10 && legacy.is_ascii() && b[2] == b'.' && b[5] == b'.' {
        format!("{}-{}-{}", &legacy[6..], &legacy[3..5], &legacy[..2])
    } else {
        legacy.to_string()
    }
}

/// A number when the text is one, else the text (a legacy "n/a" stays a string).
fn income(text: &str) -> Value {
    if text.is_empty() {
        return Value::Null;
    }
    if let Ok(n) = text.parse::<u64>() {
        return Value::Number(n.into());
    }
    match text.parse::<f64>().ok().and_then(Number::from_f64) {
        Some(n) if text.bytes().all(|b| b.is_ascii_digit() || b == b'.') => Value::Number(n),
        _ => Value::String(text.to_string()),
    }
}

fn kyc(text: &str) -> Value {
    match text {
        "" => Value::Null,
        "Y" | "y" => Value::Bool(true),
        "N" | "n" => Value::Bool(false),
        other => Value::String(other.to_string()),
    }
}

/// Streams clients into a JSON array.
pub(crate) struct JsonOut<W: Write> {
    out: W,
    count: u64,
}

impl<W: Write> JsonOut<W> {
    pub fn new(mut out: W) -> io::Result<Self> {
        out.write_all(b"[")?;
        Ok(Self { out, count: 0 })
    }

    /// Appends one client to the array.
    pub fn write(&mut self, rec: &Record) -> io::Result<()> {
        let mut next_of_kin = Vec::new();
        if !rec.nok1_name.is_empty() || !rec.nok2_name.is_empty() {
            next_of_kin.push(JsonKin {
                name: opt(&rec.nok1_name),
                phone: opt(&rec.nok1_phone),
            });
        }
        if !rec.nok2_name.is_empty() {
            next_of_kin.push(JsonKin {
                name: opt(&rec.nok2_name),
                phone: opt(&rec.nok2_phone),
            });
        }
        let mut documents = vec![JsonDocument {
            doc_type: org::DOC_PASSPORT,
            number: opt(&rec.passport_no),
            expiry: opt(&rec.passport_expiry),
            issuer: None,
        }];
        documents.extend(rec.documents().iter().map(|d| JsonDocument {
            doc_type: d.doc_type,
            number: opt(&d.number),
            expiry: opt(&d.valid_until),
            issuer: opt(&d.issuer),
        }));
        let client = JsonClient {
            customer_no: &rec.id,
            title: opt(&rec.title),
            name: JsonName {
                first: opt(&rec.first),
                middle: opt(&rec.middle),
                last: opt(&rec.last),
            },
            sex: opt(&rec.sex),
            birth_date: opt(&rec.dob).map(iso_date),
            contact: JsonContact {
                email: opt(&rec.email),
                home_phone: opt(&rec.home_phone),
                mobile: opt(&rec.mobile_phone),
            },
            language: opt(&rec.lang),
            status: opt(&rec.status),
            assignment: JsonAssignment {
                branch: opt(&rec.branch),
                centre: opt(&rec.centre),
                officer: opt(&rec.officer),
            },
            client_type: opt(&rec.client_type),
            profile: JsonProfile {
                occupation: opt(&rec.occupation),
                monthly_income: income(&rec.income),
                risk_class: opt(&rec.risk),
                tax_id: opt(&rec.tax_id),
                kyc_done: kyc(&rec.kyc),
                segment: opt(&rec.segment),
            },
            extra_field: opt(&rec.extra_id).map(|id| JsonExtra {
                id,
                value: &rec.extra_value,
            }),
            next_of_kin,
            address: rec.addresses().first().map(|a| JsonAddress {
                street: opt(&a.street),
                street2: opt(&a.street2),
                city: opt(&a.city),
                region: opt(&a.region),
                zip: opt(&a.zip),
                country: opt(&a.country),
            }),
            documents,
            notes: opt(&rec.notes),
        };
        let text = serde_json::to_string_pretty(&client)?;
        self.out
            .write_all(if self.count == 0 { b"\n" } else { b",\n" })?;
        for (i, line) in text.lines().enumerate() {
            if i > 0 {
                self.out.write_all(b"\n")?;
            }
            self.out.write_all(b"  ")?;
            self.out.write_all(line.as_bytes())?;
        }
        self.count += 1;
        Ok(())
    }

    /// Closes the array and flushes.
    pub fn finish(mut self) -> io::Result<()> {
        self.out.write_all(b"\n]\n")?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_values_become_json_types() {
        assert_eq!(iso_date("08.07.1987"), "1987-07-08");
        assert_eq!(iso_date("31.02.1980"), "1980-02-31");
        assert_eq!(income("2350"), Value::from(2350u64));
        assert_eq!(income("2350.05"), serde_json::json!(2350.05));
        assert_eq!(income("3.500,00"), Value::from("3.500,00"));
        assert_eq!(income(""), Value::Null);
        assert_eq!(kyc("y"), Value::Bool(true));
        assert_eq!(kyc("N"), Value::Bool(false));
    }

    #[test]
    fn an_array_of_pretty_objects_that_parses_back() {
        let mut buf = Vec::new();
        let mut w = JsonOut::new(&mut buf).expect("vec write");
        let mut rec = Record::default();
        rec.id.push_str("CL0000001");
        rec.nok2_name.push_str("Ана Иванова");
        w.write(&rec).expect("vec write");
        rec.id.clear();
        rec.id.push_str("CL0000002");
        w.write(&rec).expect("vec write");
        w.finish().expect("vec write");
        let v: Value = serde_json::from_slice(&buf).expect("valid JSON");
        let arr = v.as_array().expect("an array");
        assert_eq!(arr.len(), 2);
        assert_eq!(arr[1]["customerNo"], "CL0000002");
        // Second next of kin without the first: index 0 is there but empty.
        assert_eq!(arr[0]["nextOfKin"][0]["name"], Value::Null);
        assert_eq!(arr[0]["nextOfKin"][1]["name"], "Ана Иванова");
        assert_eq!(arr[0]["documents"][0]["type"], "PASSPORT");
    }
}
