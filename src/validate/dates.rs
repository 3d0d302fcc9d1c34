//! Mambu's date forms: `YYYY-MM-DD`, and the date-time Mambu writes
//! (`1987-07-08T00:00:00+0200`, also with `+02:00` or `Z`).
//!
//! In: the text of a date field. Out: the calendar date it names (for a
//! date-time, the date as written, before any zone conversion), or why it
//! is not one. Parsing reads bytes in place; nothing is allocated.

use jiff::civil::Date;

/// Why a text is not a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateProblem {
    /// Not in one of the accepted forms.
    Format,
    /// In the right form, but no such day or time (2023-02-30, 25:00).
    NotReal,
}

impl DateProblem {
    /// A phrase for messages: "… is `<describe>`".
    pub fn describe(self, accepted: &str) -> String {
        match self {
            Self::Format => format!("not in the form {accepted}"),
            Self::NotReal => "not a real date".to_string(),
        }
    }
}

/// The forms [`parse_mambu_date`] accepts, for messages.
pub const MAMBU_DATE_FORMS: &str = "YYYY-MM-DD or YYYY-MM-DDThh:mm:ss+hhmm";

/// Parses exactly `YYYY-MM-DD`.
pub fn parse_iso_date(s: &str) -> Result<Date, DateProblem> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(DateProblem::Format);
    }
    let year = number(&b[0..4])?;
    let month = number(&b[5..7])?;
    let day = number(&b[8..10])?;
    // Four digits fit i16 and two fit i8, so the casts are lossless.
    Date::new(year as i16, month as i8, day as i8).map_err(|_| DateProblem::NotReal)
}

/// Parses `YYYY-MM-DD` or a Mambu date-time `YYYY-MM-DDThh:mm:ss[.fff]`
/// followed by `Z`, `±hhmm` or `±hh:mm`, and returns the date part.
pub fn parse_mambu_date(s: &str) -> Result<Date, DateProblem> {
    if s.len() == 10 {
        return parse_iso_date(s);
    }
    let (Some(date), Some(time)) = (s.get(..10), s.get(10..)) else {
        return Err(DateProblem::Format);
    };
    let date = parse_iso_date(date)?;
    check_time(time.as_bytes())?;
    Ok(date)
}

/// Checks `Thh:mm:ss[.fff](Z|±hhmm|±hh:mm)`.
fn check_time(t: &[u8]) -> Result<(), DateProblem> {
    if t.len() < 10 || t[0] != b'T' || t[3] != b':' || t[6] != b':' {
        return Err(DateProblem::Format);
    }
    let (h, m, sec) = (number(&t[1..3])?, number(&t[4..6])?, number(&t[7..9])?);
    let mut rest = &t[9..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let digits = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || digits > 9 {
            return Err(DateProblem::Format);
        }
        rest = &frac[digits..];
    }
    let offset_ok = match rest {
        b"Z" => true,
        [sign, h1, h2, m1, m2] | [sign, h1, h2, b':', m1, m2] if matches!(sign, b'+' | b'-') => {
            let oh = number(&[*h1, *h2])?;
            let om = number(&[*m1, *m2])?;
            oh <= 18 && om <= 59
        }
        _ => return Err(DateProblem::Format),
    };
    // A leap second (:60) is what some exports write at 23:59; accept it.
    if h > 23 || m > 59 || sec > 60 || !offset_ok {
        return Err(DateProblem::NotReal);
    }
    Ok(())
}

/// The value of a run of ASCII digits.
fn number(b: &[u8]) -> Result<u32, DateProblem> {
    b.iter().try_fold(0u32, |acc, &c| {
        if c.is_ascii_digit() {
            Ok(acc * 10 + u32::from(c - b'0'))
        } else {
            Err(DateProblem::Format)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn iso_dates_parse_and_must_be_real() {
        assert_eq!(parse_iso_date("1987-07-08"), Ok(date(1987, 7, 8)));
        assert_eq!(parse_iso_date("2024-02-29"), Ok(date(2024, 2, 29)));
        assert_eq!(parse_iso_date("2023-02-29"), Err(DateProblem::NotReal));
        assert_eq!(parse_iso_date("2023-13-01"), Err(DateProblem::NotReal));
        assert_eq!(parse_iso_date("2023-00-10"), Err(DateProblem::NotReal));
    }

    #[test]
    fn other_date_layouts_are_format_errors() {
        for bad in [
            "08.07.1987",
            "1987-7-8",
            "1987/07/08",
            "87-07-08",
            "",
            "1987-07-08 ",
            "１９８７-07-08",
        ] {
            assert_eq!(parse_iso_date(bad), Err(DateProblem::Format), "{bad}");
        }
    }

    #[test]
    fn mambu_date_times_give_their_date() {
        let d = date(1987, 7, 8);
        assert_eq!(parse_mambu_date("1987-07-08"), Ok(d));
        assert_eq!(parse_mambu_date("1987-07-08T00:00:00+0200"), Ok(d));
        assert_eq!(parse_mambu_date("1987-07-08T23:59:59+02:00"), Ok(d));
        assert_eq!(parse_mambu_date("1987-07-08T12:30:00Z"), Ok(d));
        assert_eq!(parse_mambu_date("1987-07-08T12:30:00.123-0530"), Ok(d));
    }

    #[test]
    fn broken_date_times_are_refused() {
        assert_eq!(
            parse_mambu_date("1987-07-08T00:00:00"),
            Err(DateProblem::Format),
            "no offset"
        );
        assert_eq!(
            parse_mambu_date("1987-07-08 00:00:00Z"),
            Err(DateProblem::Format)
        );
        assert_eq!(
            parse_mambu_date("1987-07-08T00:00+0200"),
            Err(DateProblem::Format)
        );
        assert_eq!(
            parse_mambu_date("1987-07-08T00:00:00.Z"),
            Err(DateProblem::Format)
        );
        assert_eq!(
            parse_mambu_date("1987-07-08T00:00:00+2"),
            Err(DateProblem::Format)
        );
        assert_eq!(
            parse_mambu_date("1987-07-08T24:00:00Z"),
            Err(DateProblem::NotReal)
        );
        assert_eq!(
            parse_mambu_date("1987-07-08T10:61:00Z"),
            Err(DateProblem::NotReal)
        );
        assert_eq!(
            parse_mambu_date("1987-07-08T10:00:00+2500"),
            Err(DateProblem::NotReal)
        );
        assert_eq!(
            parse_mambu_date("1987-02-30T10:00:00Z"),
            Err(DateProblem::NotReal)
        );
        assert_eq!(parse_mambu_date("1987-07-0é"), Err(DateProblem::Format));
    }
}
