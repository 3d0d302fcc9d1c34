//! Dates in source files: a strftime format, the zone the file's clock times
//! are in, and the tenant's zone in which their calendar date is taken.
//!
//! In: a format and zones (checked once, when the mapping is loaded) and then
//! one cell's text per row. Out: a calendar date. A date-only format gives
//! the date as written, never shifted; a format with a clock time is read in
//! its own offset (`%z`, `%Q`, `%s`) or else the source zone, converted to the
//! target zone, and the date is taken there. Fails with a message for the
//! mapping (bad format, unknown zone) or a `jiff::Error` for a bad cell.

use super::problem::Problem;
use jiff::civil::Date;
use jiff::fmt::strtime;
use jiff::tz::{Offset, TimeZone};

/// How one column's text becomes a date.
#[derive(Debug, Clone)]
pub struct DateRule {
    format: Box<str>,
    has_time: bool,
    zone: TimeZone,
    target: TimeZone,
}

impl DateRule {
    /// Checks `format` by formatting a reference date-time with it and
    /// parsing the result back, so an unknown directive, a directive that
    /// only formats (`%c`, `%Z`), or a format without a full date is caught
    /// before any row is read.
    pub fn new(format: &str, zone: TimeZone, target: TimeZone) -> Result<Self, Problem> {
        let bad = |why: String| Problem::BadDateFormat {
            format: format.to_string(),
            why,
        };
        let rule = Self {
            format: format.into(),
            has_time: has_clock_time(format),
            zone,
            target,
        };
        let reference = jiff::civil::date(2024, 7, 15)
            .at(17, 30, 59, 0)
            .to_zoned(TimeZone::fixed(jiff::tz::offset(-4)))
            .map_err(|e| bad(e.to_string()))?;
        let written = strtime::format(format, &reference).map_err(|e| bad(e.to_string()))?;
        let parsed = strtime::parse(format, &written)
            .map_err(|e| bad(format!("it cannot be parsed: {e}")))?;
        let no_full_date = || bad("it does not give a full date (year, month and day)".into());
        if !rule.has_time {
            let date = parsed.to_date().map_err(|_| no_full_date())?;
            if date != reference.date() {
                return Err(bad("it does not read back the date it writes".into()));
            }
        } else if parsed.timestamp().is_none() && parsed.to_date().is_err() {
            return Err(no_full_date());
        }
        rule.convert(&written).map_err(|e| bad(e.to_string()))?;
        Ok(rule)
    }

    /// The format as written in the mapping.
    pub fn format(&self) -> &str {
        &self.format
    }

    /// Whether the format has a clock time (and so zones apply).
    pub fn has_time(&self) -> bool {
        self.has_time
    }

    /// Reads one value.
    pub fn convert(&self, value: &str) -> Result<Date, jiff::Error> {
        let tm = strtime::parse(&*self.format, value)?;
        if !self.has_time {
            return tm.to_date();
        }
        let instant =
            if tm.timestamp().is_some() || tm.offset().is_some() || tm.iana_time_zone().is_some() {
                tm.to_zoned()?.timestamp()
            } else {
                // Compatible disambiguation: a time in a DST gap moves forward,
                // one in an overlap takes the earlier offset (as Mambu's Java
                // back end and most databases do).
                self.zone
                    .to_ambiguous_timestamp(tm.to_datetime()?)
                    .compatible()?
            };
        Ok(self.target.to_datetime(instant).date())
    }
}

/// Whether a strftime format has a clock-time directive (hour, minute,
/// second, or a Unix timestamp). Flags, padding and colons between `%` and
/// the directive letter are skipped; validity is checked elsewhere.
fn has_clock_time(format: &str) -> bool {
    let b = format.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'%' {
            i += 1;
            continue;
        }
        i += 1;
        while i < b.len() && matches!(b[i], b'_' | b'-' | b'^' | b'#' | b'.' | b':' | b'0'..=b'9') {
            i += 1;
        }
        if let Some(&d) = b.get(i) {
            if matches!(
                d,
                b'H' | b'I' | b'k' | b'l' | b'M' | b'S' | b'T' | b'R' | b's'
            ) {
                return true;
            }
        }
        i += 1;
    }
    false
}

/// A time zone named in a mapping: an IANA name (`Europe/Berlin`, from the
/// system's time zone database), `UTC`, or a fixed offset (`+02:00`,
/// `-0530`, `+03`).
pub fn parse_zone(name: &str) -> Result<TimeZone, Problem> {
    let n = name.trim();
    if n.eq_ignore_ascii_case("utc") || n == "Z" {
        return Ok(TimeZone::UTC);
    }
    if let Some(rest) = n.strip_prefix('+').or_else(|| n.strip_prefix('-')) {
        let sign = if n.starts_with('-') { -1 } else { 1 };
        return parse_offset(rest)
            .and_then(|secs| Offset::from_seconds(sign * secs).ok())
            .map(TimeZone::fixed)
            .ok_or_else(|| Problem::BadOffset {
                name: name.to_string(),
            });
    }
    TimeZone::get(n).map_err(|_| Problem::UnknownZone {
        name: name.to_string(),
    })
}

/// `HH`, `HHMM` or `HH:MM` as seconds.
fn parse_offset(s: &str) -> Option<i32> {
    let digits = |t: &str| -> Option<i32> {
        (t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
    };
    let (h, m) = match s.len() {
        2 => (digits(s)?, 0),
        4 => (digits(&s[..2])?, digits(&s[2..])?),
        5 if s.as_bytes()[2] == b':' => (digits(&s[..2])?, digits(&s[3..])?),
        _ => return None,
    };
    (h <= 25 && m < 60).then_some(h * 3600 + m * 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str) -> TimeZone {
        parse_zone(name).unwrap()
    }

    fn rule(format: &str, from: &str, to: &str) -> DateRule {
        DateRule::new(format, zone(from), zone(to)).unwrap()
    }

    fn convert(r: &DateRule, value: &str) -> String {
        r.convert(value).unwrap().to_string()
    }

    #[test]
    fn evening_in_new_york_is_the_next_day_in_berlin() {
        let r = rule("%Y-%m-%d %H:%M", "America/New_York", "Europe/Berlin");
        assert_eq!(convert(&r, "1990-07-08 23:30"), "1990-07-09");
        assert_eq!(convert(&r, "1990-07-08 17:59"), "1990-07-08");
        assert_eq!(convert(&r, "1990-07-08 18:00"), "1990-07-09");
    }

    #[test]
    fn date_only_values_never_shift_whatever_the_zones() {
        for (from, to) in [
            ("Pacific/Kiritimati", "Pacific/Pago_Pago"),
            ("Pacific/Pago_Pago", "Pacific/Kiritimati"),
            ("+14:00", "-12:00"),
            ("UTC", "Asia/Tokyo"),
        ] {
            let r = rule("%d.%m.%Y", from, to);
            assert!(!r.has_time());
            assert_eq!(convert(&r, "08.07.1990"), "1990-07-08", "{from} -> {to}");
            assert_eq!(convert(&r, "31.12.1999"), "1999-12-31", "{from} -> {to}");
        }
    }

    #[test]
    fn daylight_saving_time_decides_the_offset() {
        // Berlin is UTC+1 in winter and UTC+2 in summer: 00:30 local is the
        // previous day in UTC in both, 01:30 only in summer.
        let r = rule("%Y-%m-%d %H:%M", "Europe/Berlin", "UTC");
        assert_eq!(convert(&r, "1990-01-08 01:30"), "1990-01-08");
        assert_eq!(convert(&r, "1990-07-08 01:30"), "1990-07-07");
        // The night the clocks go forward (2021-03-28, 02:00 -> 03:00).
        assert_eq!(convert(&r, "2021-03-28 00:30"), "2021-03-27");
        assert_eq!(convert(&r, "2021-03-28 03:30"), "2021-03-28");
    }

    #[test]
    fn a_time_in_the_dst_gap_moves_forward() {
        // 02:30 does not exist in Berlin on 2021-03-28; it is read as 03:30
        // CEST (01:30 UTC), which is still the 27th in New York (EDT, UTC-4).
        let r = rule("%Y-%m-%d %H:%M", "Europe/Berlin", "America/New_York");
        assert_eq!(convert(&r, "2021-03-28 02:30"), "2021-03-27");
        let utc = rule("%Y-%m-%d %H:%M", "Europe/Berlin", "+01:30");
        assert_eq!(convert(&utc, "2021-03-28 02:30"), "2021-03-28");
    }

    #[test]
    fn an_offset_in_the_value_wins_over_the_source_zone() {
        let r = rule("%Y-%m-%dT%H:%M:%S%:z", "Asia/Tokyo", "UTC");
        assert_eq!(convert(&r, "1990-07-08T23:30:00-05:00"), "1990-07-09");
        assert_eq!(convert(&r, "1990-07-08T01:30:00+05:00"), "1990-07-07");
        let q = rule("%Y-%m-%d %H:%M %Q", "UTC", "UTC");
        assert_eq!(
            convert(&q, "1990-07-08 23:30 America/New_York"),
            "1990-07-09"
        );
        let s = rule("%s", "Asia/Tokyo", "Europe/Berlin");
        assert_eq!(convert(&s, "647476200"), "1990-07-09");
    }

    #[test]
    fn bad_values_are_errors() {
        let r = rule("%d.%m.%Y", "UTC", "UTC");
        assert!(r.convert("31.02.1990").is_err());
        assert!(r.convert("1990-07-08").is_err());
        assert!(r.convert("08.07.1990 x").is_err());
    }

    #[test]
    fn bad_formats_are_refused() {
        let utc = || TimeZone::UTC;
        for bad in ["%H:%M", "no directives", "%Y-%m", "%J", "%c", "%Y-%m-%d %Z"] {
            let e = DateRule::new(bad, utc(), utc()).unwrap_err().to_string();
            assert!(e.contains(&format!("'{bad}'")), "{bad}: {e}");
        }
        for good in [
            "%Y%m%d",
            "%d/%m/%y",
            "%F %T",
            "%e %B %Y",
            "%Y-%j",
            "%FT%T%.f%:z",
            "%-d.%-m.%Y",
        ] {
            assert!(DateRule::new(good, utc(), utc()).is_ok(), "{good}");
        }
    }

    #[test]
    fn clock_time_detection_skips_flags() {
        assert!(has_clock_time("%F %-H:%M"));
        assert!(has_clock_time("%s"));
        assert!(has_clock_time("%d.%m.%Y %_l%p"));
        assert!(!has_clock_time("%d.%m.%Y"));
        assert!(!has_clock_time("%Y-%m-%d%:z"));
        assert!(!has_clock_time("100%% %Y-%m-%d"));
    }

    #[test]
    fn zones_by_name_or_offset() {
        let ts = jiff::Timestamp::from_second(0).unwrap();
        let off = |z: &str| zone(z).to_offset(ts).seconds();
        assert_eq!(off("+02:00"), 7200);
        assert_eq!(off("-0530"), -19800);
        assert_eq!(off("+03"), 10800);
        assert_eq!(off("UTC"), 0);
        assert_eq!(off("Asia/Kolkata"), 19800);
        for bad in ["Europe/Berln", "+2", "+02:60", "CEST+"] {
            let e = parse_zone(bad).unwrap_err().to_string();
            assert!(e.contains(bad), "{e}");
        }
    }
}
