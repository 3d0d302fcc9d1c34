//! A value spec as the mapping file writes it: a column name, or a table
//! `{ column | constant, default, trim, case, map, strict, date, time_zone,
//! resolve }`, checked for consistency when the mapping is loaded.
//!
//! In: one TOML value and the mapping's zones. Out: a `ValueSpec` whose
//! parts are ready to use (dates checked, constants already transformed).
//! Fails with a message for the entry (the caller prefixes its name).

use super::problem::Problem;
use std::collections::BTreeMap;

use jiff::tz::TimeZone;
use serde::Deserialize;

use super::date::{parse_zone, DateRule};
use super::resolve::ResolveKind;
use super::transform::{Case, ValueMap};

/// Where a value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A source column (for JSON sources, a path).
    Column(String),
    /// A fixed value, with its case and map already applied.
    Constant(String),
}

/// One checked value spec.
#[derive(Debug, Clone)]
pub struct ValueSpec {
    pub input: Input,
    pub trim: bool,
    pub case: Option<Case>,
    pub map: Option<ValueMap>,
    /// Used as it is (no case, map or date) when the value is empty; goes
    /// through `resolve`, which accepts ids and encoded keys alike.
    pub default: Option<String>,
    pub date: Option<DateRule>,
    pub resolve: Option<ResolveKind>,
    /// `on_empty = "clear"`: an empty value clears the stored field in an
    /// upsert (sent as `null`) instead of leaving it alone.
    pub clear_when_empty: bool,
}

/// What an empty value does to a stored client in an upsert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum OnEmpty {
    /// Leave the stored value alone (the default).
    Keep,
    /// Clear the stored value.
    Clear,
}

/// The zones date specs fall back on.
#[derive(Debug, Clone)]
pub struct Zones {
    /// `[source] time_zone`: the zone of clock times without an offset.
    pub source: TimeZone,
    /// `[target] time_zone`: where the calendar date is taken.
    pub target: TimeZone,
}

impl Default for Zones {
    fn default() -> Self {
        Self {
            source: TimeZone::UTC,
            target: TimeZone::UTC,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecTable {
    column: Option<String>,
    constant: Option<String>,
    default: Option<String>,
    trim: Option<bool>,
    case: Option<Case>,
    map: Option<BTreeMap<String, String>>,
    strict: Option<bool>,
    date: Option<String>,
    time_zone: Option<String>,
    resolve: Option<ResolveKind>,
    on_empty: Option<OnEmpty>,
}

impl ValueSpec {
    /// A spec reading `column` as it is (trimmed).
    pub fn column(name: &str) -> Self {
        Self {
            input: Input::Column(name.to_string()),
            trim: true,
            case: None,
            map: None,
            default: None,
            date: None,
            resolve: None,
            clear_when_empty: false,
        }
    }

    /// A spec with a fixed value.
    pub fn constant(value: &str) -> Self {
        Self {
            input: Input::Constant(value.to_string()),
            ..Self::column("")
        }
    }

    /// Reads a spec: a string is a column name, a table is a full spec.
    /// Warnings (settings that cannot have an effect) go to `warnings`.
    pub fn parse(
        value: toml::Value,
        zones: &Zones,
        warnings: &mut Vec<String>,
    ) -> Result<Self, Problem> {
        match value {
            toml::Value::String(column) => {
                if column.is_empty() {
                    return Err(Problem::EmptyColumnName);
                }
                Ok(Self::column(&column))
            }
            toml::Value::Table(table) => {
                let t: SpecTable = toml::Value::Table(table)
                    .try_into()
                    .map_err(|e| Problem::BadTable(clean(&e)))?;
                Self::from_table(t, zones, warnings)
            }
            other => Err(Problem::NotASpec {
                found: other.type_str().to_string(),
            }),
        }
    }

    /// The source column this spec reads, if it reads one.
    pub fn source_column(&self) -> Option<&str> {
        match &self.input {
            Input::Column(c) => Some(c),
            Input::Constant(_) => None,
        }
    }

    fn from_table(
        t: SpecTable,
        zones: &Zones,
        warnings: &mut Vec<String>,
    ) -> Result<Self, Problem> {
        let map = t.map.map(|m| {
            if let Some(case) = t.case {
                for key in m.keys() {
                    if case.apply(key) != key.as_str() {
                        warnings.push(format!(
                            "map key '{key}' can never match: values are converted to {} case before the map",
                            format!("{case:?}").to_lowercase()
                        ));
                    }
                }
            }
            ValueMap::new(m, t.strict.unwrap_or(false))
        });
        if t.strict.is_some() && map.is_none() {
            return Err(Problem::StrictWithoutMap);
        }
        match (t.column, t.constant) {
            (Some(_), Some(_)) => Err(Problem::ColumnAndConstant),
            (None, None) => Err(Problem::NoInput),
            (None, Some(constant)) => {
                let mut extra = Vec::new();
                for (name, given) in [
                    ("default", t.default.is_some()),
                    ("trim", t.trim.is_some()),
                    ("strict", t.strict.is_some()),
                    ("date", t.date.is_some()),
                    ("time_zone", t.time_zone.is_some()),
                    ("resolve", t.resolve.is_some()),
                    ("on_empty", t.on_empty.is_some()),
                ] {
                    if given {
                        extra.push(format!("`{name}`"));
                    }
                }
                if !extra.is_empty() {
                    return Err(Problem::ConstantWith {
                        settings: extra.join(", "),
                    });
                }
                let cased = match t.case {
                    Some(case) => case.apply(&constant).into_owned(),
                    None => constant,
                };
                let value = match map.as_ref().and_then(|m| m.get(&cased)) {
                    Some(mapped) => mapped.to_string(),
                    None => cased,
                };
                Ok(Self::constant(&value))
            }
            (Some(column), None) => {
                if column.is_empty() {
                    return Err(Problem::EmptyColumnName);
                }
                let date = match (&t.date, &t.time_zone) {
                    (None, Some(_)) => return Err(Problem::ZoneWithoutDate),
                    (None, None) => None,
                    (Some(format), zone) => {
                        let source = match zone {
                            Some(name) => parse_zone(name)?,
                            None => zones.source.clone(),
                        };
                        let rule = DateRule::new(format, source, zones.target.clone())?;
                        if zone.is_some() && !rule.has_time() {
                            warnings.push(format!(
                                "`time_zone` has no effect: the date format '{format}' has no time of day"
                            ));
                        }
                        Some(rule)
                    }
                };
                if date.is_some() && t.resolve.is_some() {
                    return Err(Problem::DateAndResolve);
                }
                let default = t.default.filter(|d| !d.is_empty());
                if let (Some(d), Some(_)) = (&default, &date) {
                    if d.parse::<jiff::civil::Date>().is_err() {
                        return Err(Problem::DefaultNotIsoDate { default: d.clone() });
                    }
                }
                Ok(Self {
                    input: Input::Column(column),
                    trim: t.trim.unwrap_or(true),
                    case: t.case,
                    map,
                    default,
                    date,
                    resolve: t.resolve,
                    clear_when_empty: t.on_empty == Some(OnEmpty::Clear),
                })
            }
        }
    }
}

/// A serde error from a TOML value, on one line and without the TOML
/// parser's position banner (the entry name says where).
pub fn clean(e: &toml::de::Error) -> String {
    e.message().trim().replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<ValueSpec, Problem> {
        let v: toml::Table = toml::from_str(&format!("v = {src}")).unwrap();
        let mut w = Vec::new();
        ValueSpec::parse(v["v"].clone(), &Zones::default(), &mut w)
    }

    fn warnings(src: &str) -> Vec<String> {
        let v: toml::Table = toml::from_str(&format!("v = {src}")).unwrap();
        let mut w = Vec::new();
        ValueSpec::parse(v["v"].clone(), &Zones::default(), &mut w).unwrap();
        w
    }

    #[test]
    fn a_string_is_a_column() {
        let s = parse("\"DOB\"").unwrap();
        assert_eq!(s.input, Input::Column("DOB".into()));
        assert!(s.trim);
    }

    #[test]
    fn a_table_sets_every_part() {
        let s = parse(r#"{ column = "SEX", trim = false, case = "upper", map = { M = "MALE" }, strict = true, default = "FEMALE" }"#)
            .unwrap();
        assert_eq!(s.source_column(), Some("SEX"));
        assert!(!s.trim);
        assert_eq!(s.case, Some(Case::Upper));
        let map = s.map.unwrap();
        assert!(map.strict);
        assert_eq!(map.get("M"), Some("MALE"));
        assert_eq!(s.default.as_deref(), Some("FEMALE"));
    }

    #[test]
    fn constants_are_transformed_once() {
        let s = parse(r#"{ constant = "en", case = "upper", map = { EN = "ENGLISH" } }"#).unwrap();
        assert_eq!(s.input, Input::Constant("ENGLISH".into()));
    }

    #[test]
    fn inconsistent_tables_are_refused() {
        let cases = [
            (r#"{ column = "A", constant = "B" }"#, "not both"),
            (r#"{ case = "upper" }"#, "give `column` or `constant`"),
            (r#"{ constant = "B", default = "C" }"#, "not `default`"),
            (r#"{ constant = "B", resolve = "branch" }"#, "not `resolve`"),
            (
                r#"{ column = "A", strict = true }"#,
                "`strict` needs a `map`",
            ),
            (
                r#"{ column = "A", time_zone = "UTC" }"#,
                "`time_zone` needs a `date`",
            ),
            (
                r#"{ column = "A", date = "%Y", resolve = "branch" }"#,
                "bad date format",
            ),
            (
                r#"{ column = "A", date = "%F", resolve = "branch" }"#,
                "cannot be combined",
            ),
            (
                r#"{ column = "A", date = "%F", default = "01.01.1900" }"#,
                "not an ISO date",
            ),
            (
                r#"{ column = "A", date = "%F %H:%M", time_zone = "Mars/Olympus" }"#,
                "unknown time zone 'Mars/Olympus'",
            ),
            (r#"{ column = "A", colum = "B" }"#, "unknown field `colum`"),
            (r#"{ column = "A", case = "shout" }"#, "shout"),
            (r#"{ column = "A", resolve = "branches" }"#, "branches"),
            (r#"{ column = "" }"#, "empty"),
            ("\"\"", "empty"),
            ("42", "found integer"),
        ];
        for (src, want) in cases {
            let e = parse(src).unwrap_err().to_string();
            assert!(e.contains(want), "{src}: {e}");
        }
    }

    #[test]
    fn useless_settings_are_warned_about() {
        let w =
            warnings(r#"{ column = "SEX", case = "upper", map = { m = "MALE", F = "FEMALE" } }"#);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("'m' can never match"), "{w:?}");
        let w = warnings(r#"{ column = "DOB", date = "%d.%m.%Y", time_zone = "Europe/Berlin" }"#);
        assert!(w[0].contains("no time of day"), "{w:?}");
    }
}
