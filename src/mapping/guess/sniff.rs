//! What a column's values look like: dates (and their format), e-mail
//! addresses, phone numbers, codes that map onto Mambu's gender, client
//! state and language values, yes/no flags, upper-cased names.
//!
//! In: the sampled values of one column. Out: a verdict for each question
//! with the share of non-empty values that fit (`Fit`), and for the value
//! maps the map itself (from the distinct values seen, compared
//! case-insensitively, to Mambu's values). Never fails: values that fit
//! nothing give empty answers.

use std::collections::BTreeMap;

use jiff::fmt::strtime;

/// The values of one column in the sample.
#[derive(Debug, Clone, Default)]
pub struct Values {
    /// Non-empty values after trimming, in sample order.
    pub filled: Vec<String>,
    /// Rows whose value was empty or white space.
    pub empty: usize,
}

impl Values {
    /// Trims and sorts out the empty ones.
    pub fn new<'a>(raw: impl IntoIterator<Item = &'a str>) -> Self {
        let mut v = Self::default();
        for value in raw {
            let t = value.trim();
            if t.is_empty() {
                v.empty += 1;
            } else {
                v.filled.push(t.to_string());
            }
        }
        v
    }

    /// How many rows were sampled.
    pub fn rows(&self) -> usize {
        self.filled.len() + self.empty
    }

    /// Distinct non-empty values with how often each was seen, most
    /// frequent first (then alphabetically).
    pub fn distinct(&self) -> Vec<(String, usize)> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for v in &self.filled {
            *counts.entry(v).or_default() += 1;
        }
        let mut out: Vec<(String, usize)> = counts
            .into_iter()
            .map(|(v, n)| (v.to_string(), n))
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// The share of non-empty values for which `fits` holds (0 when all
    /// are empty).
    pub fn share(&self, fits: impl Fn(&str) -> bool) -> f64 {
        if self.filled.is_empty() {
            return 0.0;
        }
        let n = self.filled.iter().filter(|v| fits(v)).count();
        n as f64 / self.filled.len() as f64
    }
}

/// Date formats tried, most specific first. Day-first and month-first
/// formats are told apart by the values: a day above 12 settles it.
const DATE_FORMATS: &[&str] = &[
    "%Y-%m-%d",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y%m%d",
    "%d.%m.%y",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%:z",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
];

/// The least share of non-empty values that must fit for a sniffer to say
/// yes: planted or dirty values must not hide a column's nature.
pub const MOSTLY: f64 = 0.8;

/// The date format most of the values parse with, and the share that do.
/// `None` when no format reaches `MOSTLY`. Of two formats that read the
/// same share (`%d/%m/%Y` and `%m/%d/%Y` when no day exceeds 12) the
/// earlier in the list wins, so day-first is assumed unless a value
/// proves otherwise. A value only counts when its year lies in 1800–2200,
/// so that 8-digit numbers are not taken for `%Y%m%d` dates.
pub fn date_format(values: &Values) -> Option<(&'static str, f64)> {
    // Cheap pre-check: dates have digits and at most one letter-free shape.
    if values.share(|v| v.chars().filter(char::is_ascii_digit).count() >= 6) < MOSTLY {
        return None;
    }
    let mut best: Option<(&'static str, f64)> = None;
    for &format in DATE_FORMATS {
        let share = values.share(|v| parses_as_date(format, v));
        if share >= MOSTLY && best.map_or(true, |(_, b)| share > b) {
            best = Some((format, share));
        }
    }
    best
}

/// Whether `value` reads as a plausible date with `format`.
pub fn parses_as_date(format: &str, value: &str) -> bool {
    let Ok(tm) = strtime::parse(format, value) else {
        return false;
    };
    // "%Y-%m-%d" also reads "2024-1-5"; fine. A date must be complete.
    match tm.to_date() {
        Ok(d) => (1800..=2200).contains(&d.year()),
        Err(_) => false,
    }
}

/// Whether a value is shaped like an e-mail address: one `@`, something
/// before it, a dot in the part after it. (The validator judges the rest.)
pub fn is_email(v: &str) -> bool {
    let mut parts = v.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !v.contains(char::is_whitespace)
        }
        _ => false,
    }
}

/// Whether a value is shaped like a phone number: only digits, spaces and
/// `+ - ( ) / .`, a `+` only in front, and 6 to 15 digits.
pub fn is_phone(v: &str) -> bool {
    let digits = v.chars().filter(char::is_ascii_digit).count();
    (6..=15).contains(&digits)
        && v.chars()
            .all(|c| c.is_ascii_digit() || " +-()/.".contains(c))
        && !v.chars().skip(1).any(|c| c == '+')
}

/// A value map from the codes seen to target values, and what was seen
/// but is not in it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValueMap {
    /// Upper-cased code → target value, in code order.
    pub map: BTreeMap<String, String>,
    /// Distinct values (upper-cased) seen but not mapped.
    pub unmapped: Vec<String>,
    /// The share of non-empty values the map (or an exact target value)
    /// covers.
    pub share: f64,
    /// Whether values come in more than one case (the map then needs
    /// `case = "upper"`).
    pub mixed_case: bool,
}

/// Maps the distinct values seen through `known` (upper-cased code →
/// target value). A value that already is a target value needs no entry.
pub fn value_map(values: &Values, known: &dyn Fn(&str) -> Option<&'static str>) -> ValueMap {
    let mut out = ValueMap::default();
    let mut covered = 0usize;
    for (value, n) in values.distinct() {
        let upper = value.to_uppercase();
        if upper != value {
            out.mixed_case = true;
        }
        match known(&upper) {
            Some(target) => {
                covered += n;
                if target != upper {
                    out.map.insert(upper, target.to_string());
                }
            }
            None => {
                if !out.unmapped.contains(&upper) {
                    out.unmapped.push(upper);
                }
            }
        }
    }
    if !values.filled.is_empty() {
        out.share = covered as f64 / values.filled.len() as f64;
    }
    out
}

/// Gender codes of legacy systems (English, German, French, Spanish,
/// Portuguese, numeric ISO/IEC 5218).
pub fn gender(code: &str) -> Option<&'static str> {
    match code {
        "M" | "MALE" | "MAN" | "MASCULINO" | "MÄNNLICH" | "HOMME" | "H" | "1" => Some("MALE"),
        "F" | "FEMALE" | "WOMAN" | "W" | "FEMININO" | "FEMENINO" | "WEIBLICH" | "FEMME" | "2" => {
            Some("FEMALE")
        }
        _ => None,
    }
}

/// Client state codes: the API's states and the usual one-letter and
/// short codes for them. Codes with no clear meaning (`C`, `D`, `X`) are
/// left out on purpose: the validator then reports them.
pub fn client_state(code: &str) -> Option<&'static str> {
    match code {
        "A" | "ACT" | "ACTIVE" | "AKTIV" => Some("ACTIVE"),
        "P" | "PEND" | "PENDING" | "PENDING_APPROVAL" | "NEW" => Some("PENDING_APPROVAL"),
        "I" | "INACT" | "INACTIVE" | "INAKTIV" | "DORMANT" => Some("INACTIVE"),
        "EXITED" | "EXIT" => Some("EXITED"),
        "BLACKLISTED" | "BLACKLIST" | "BL" => Some("BLACKLISTED"),
        "REJECTED" | "REJ" => Some("REJECTED"),
        _ => None,
    }
}

/// Language codes (ISO 639-1, a few ISO 639-2 and locale tags) and names
/// for the languages Mambu's `preferredLanguage` knows. `PORTUGESE` is
/// Mambu's spelling. Others (DE, IT, …) are left out: Mambu has no value
/// for them and the validator reports them.
pub fn language(code: &str) -> Option<&'static str> {
    let base = code.split(['-', '_']).next().unwrap_or(code);
    match base {
        "EN" | "ENG" | "ENGLISH" => Some("ENGLISH"),
        "ES" | "SPA" | "SPANISH" | "ESPAÑOL" => Some("SPANISH"),
        "PT" | "POR" | "PORTUGESE" | "PORTUGUESE" | "PORTUGUÊS" => Some("PORTUGESE"),
        "RU" | "RUS" | "RUSSIAN" => Some("RUSSIAN"),
        "RO" | "RON" | "ROMANIAN" => Some("ROMANIAN"),
        "KA" | "KAT" | "GEORGIAN" => Some("GEORGIAN"),
        "MY" | "MYA" | "BURMESE" => Some("BURMESE"),
        "ZH" | "ZHO" | "CHI" | "CHINESE" => Some("CHINESE"),
        "FR" | "FRA" | "FRE" | "FRENCH" => Some("FRENCH"),
        "ID" | "IND" | "INDONESIAN" => Some("INDONESIAN"),
        _ => None,
    }
}

/// Yes/no flags for a checkbox custom field (`TRUE`/`FALSE`).
pub fn checkbox(code: &str) -> Option<&'static str> {
    match code {
        "Y" | "YES" | "J" | "JA" | "SI" | "SIM" | "OUI" | "1" | "T" | "TRUE" | "X" => Some("TRUE"),
        "N" | "NO" | "NEIN" | "NAO" | "NÃO" | "NON" | "0" | "F" | "FALSE" => Some("FALSE"),
        _ => None,
    }
}

/// Whether some names are typed in capitals while most are not (then
/// `case = "title"` makes them alike): at least 2 % of the values are all
/// capitals with two or more cased letters, and at least half are not.
pub fn shouted_names(values: &Values) -> bool {
    let shouted = |v: &str| {
        let cased: Vec<char> = v
            .chars()
            .filter(|c| c.is_uppercase() || c.is_lowercase())
            .collect();
        cased.len() >= 2 && cased.iter().all(|c| c.is_uppercase())
    };
    let share = values.share(shouted);
    (0.02..=0.5).contains(&share)
}

/// The shape of a value, for reports that must not show the value itself:
/// letters become `A`/`a` (other scripts `x`), digits `9`, runs of the same
/// class are cut to three, anything else is kept; at most 24 characters.
pub fn shape(v: &str) -> String {
    let mut out = String::new();
    let mut last: Option<(char, usize)> = None;
    for c in v.chars() {
        let class = if c.is_ascii_digit() {
            '9'
        } else if c.is_uppercase() {
            'A'
        } else if c.is_lowercase() {
            'a'
        } else if c.is_alphabetic() {
            'x'
        } else {
            c
        };
        let run = match last {
            Some((l, n)) if l == class => n + 1,
            _ => 1,
        };
        last = Some((class, run));
        if run <= 3 {
            out.push(class);
        }
        if out.chars().count() >= 24 {
            out.push('…');
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(v: &[&str]) -> Values {
        Values::new(v.iter().copied())
    }

    #[test]
    fn date_formats_are_read_from_the_values() {
        let cases: [(&[&str], Option<&str>); 9] = [
            (
                &["19.01.1989", "24.04.1963", "", "01.02.1951"],
                Some("%d.%m.%Y"),
            ),
            (&["2032-01-23", "2031-02-15"], Some("%Y-%m-%d")),
            // Ambiguous until a day above 12 shows up: day first.
            (&["01/02/1990", "03/04/1991"], Some("%d/%m/%Y")),
            (
                &["01/02/1990", "12/31/1991", "11/30/1980"],
                Some("%m/%d/%Y"),
            ),
            (&["19890119", "19630424"], Some("%Y%m%d")),
            (
                &["2024-03-01T10:00:00", "2024-03-02T11:30:00"],
                Some("%Y-%m-%dT%H:%M:%S"),
            ),
            // 8-digit numbers that are no dates, phone numbers, names.
            (&["12345678", "87654321"], None),
            (&["+48 60 3046068", "0163-2051783"], None),
            (&["Kamiński", "Rousseau"], None),
        ];
        for (values, want) in cases {
            assert_eq!(date_format(&vals(values)).map(|f| f.0), want, "{values:?}");
        }
    }

    #[test]
    fn a_few_bad_dates_do_not_hide_the_format() {
        let mut v: Vec<&str> = vec!["19.01.1989"; 9];
        v.push("31.02.1990");
        let (format, share) = date_format(&vals(&v)).unwrap();
        assert_eq!(format, "%d.%m.%Y");
        assert!((share - 0.9).abs() < 1e-9, "{share}");
        // Mostly not dates: no format.
        assert_eq!(
            date_format(&vals(&["19.01.1989", "n/a", "unknown", "?"])),
            None
        );
    }

    #[test]
    fn email_and_phone_shapes() {
        assert!(is_email("a.b@example.com"));
        assert!(!is_email("a.b.example.com"));
        assert!(!is_email("a@b@example.com"));
        assert!(!is_email("a@localhost"));
        assert!(is_phone("+48 60 3046068"));
        assert!(is_phone("0163-2051783"));
        assert!(is_phone("(030) 123 456"));
        assert!(!is_phone("12-3"));
        assert!(!is_phone("1+2345678"));
        assert!(!is_phone("WD7691384"));
    }

    #[test]
    fn gender_codes_map_case_insensitively_and_unknown_ones_are_listed() {
        let m = value_map(&vals(&["m", "M", "F", "f", "X", "M"]), &gender);
        assert_eq!(
            m.map.into_iter().collect::<Vec<_>>(),
            [("F".into(), "FEMALE".into()), ("M".into(), "MALE".into())]
        );
        assert_eq!(m.unmapped, ["X"]);
        assert!(m.mixed_case);
        assert!((m.share - 5.0 / 6.0).abs() < 1e-9);
    }

    #[test]
    fn shapes_hide_the_value() {
        assert_eq!(shape("Kamiński"), "Aaaa");
        assert_eq!(shape("+48 60 3046068"), "+99 99 999");
        assert_eq!(shape("M."), "A.");
    }
}
