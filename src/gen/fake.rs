//! How single field values are drawn: names with legacy dirt, unique
//! numbers in the tenant's patterns, e-mail addresses, phones, addresses.
//!
//! In: the random source and a locale. Out: text appended to reused
//! buffers (no per-row allocation on the common paths). Never fails.

use std::fmt::Write as _;

use fastrand::Rng;

use super::locales::Locale;
use super::record::Record;

/// `index` mapped one-to-one onto `0..modulus` (`mult` is coprime to it):
/// unique numbers for millions of rows without remembering any.
pub(crate) fn perm(index: u64, modulus: u64, mult: u64, salt: u64) -> u64 {
    ((index as u128 * mult as u128 + salt as u128) % modulus as u128) as u64
}

/// `@@@-@@-@@@@`, the tenant's Tax_ID pattern.
pub(crate) fn write_tax_id(out: &mut String, n: u64) {
    let _ = write!(
        out,
        "{:03}-{:02}-{:04}",
        n / 1_000_000,
        n / 10_000 % 100,
        n % 10_000
    );
}

/// `##@@@@@@@`, the tenant's passport template: two letters, seven digits.
pub(crate) fn write_passport(out: &mut String, n: u64) {
    let letters = n / 10_000_000;
    out.push(char::from(b'A' + (letters / 26 % 26) as u8));
    out.push(char::from(b'A' + (letters % 26) as u8));
    let _ = write!(out, "{:07}", n % 10_000_000);
}

/// Writes `name` (in capitals when `shout`), sometimes with the stray
/// spaces legacy forms let through.
pub(crate) fn write_name(rng: &mut Rng, out: &mut String, name: &str, shout: bool) {
    let pad = rng.u32(..100);
    if pad <= 3 {
        out.push(' ');
    }
    if shout {
        push_upper(out, name);
    } else {
        out.push_str(name);
    }
    if (4..=6).contains(&pad) {
        out.push_str("  ");
    }
}

/// Pushes `s` in upper case, Unicode-aware, without a temporary string.
fn push_upper(out: &mut String, s: &str) {
    for c in s.chars() {
        out.extend(c.to_uppercase());
    }
}

/// Writes a street line from a locale's style (`{s}` street, `{n}` number).
fn write_street(out: &mut String, style: &str, street: &str, number: u32) {
    let mut rest = style;
    while let Some(at) = rest.find('{') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(t) = tail.strip_prefix("{s}") {
            out.push_str(street);
            rest = t;
        } else if let Some(t) = tail.strip_prefix("{n}") {
            let _ = write!(out, "{number}");
            rest = t;
        } else {
            out.push('{');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
}

/// A unique address: the row number keeps it apart from every other row's.
pub(crate) fn write_email(
    rng: &mut Rng,
    out: &mut String,
    first: &str,
    last: &str,
    seq: u64,
    l: &Locale,
) {
    let domain = one(rng, l.domains);
    let (f, s) = (first, last);
    let _ = match rng.u32(..4) {
        0 => write!(out, "{f}.{s}{seq}@{domain}"),
        1 => write!(out, "{}{s}{seq}@{domain}", f.get(..1).unwrap_or(f)),
        2 => write!(out, "{s}.{f}{seq}@{domain}"),
        _ => write!(out, "{f}_{seq}@{domain}"),
    };
    match rng.u32(..100) {
        // Mail addresses typed with capitals; the mapping lower-cases them.
        0..=11 => {
            if let Some(head) = out.get_mut(..1) {
                head.make_ascii_uppercase();
            }
        }
        12..=14 => out.make_ascii_uppercase(),
        15..=18 => out.push(' '),
        _ => {}
    }
}

pub(crate) fn write_phone(rng: &mut Rng, out: &mut String, l: &Locale, mobile: bool) {
    let area = if mobile {
        rng.u32(150..180)
    } else {
        rng.u32(20..90)
    };
    let number = rng.u32(1_000_000..10_000_000);
    let _ = match rng.u32(..3) {
        0 => write!(out, "{} {area} {number}", l.dial),
        1 => write!(out, "{}{area}{number}", l.dial),
        _ => write!(out, "0{area}-{number}"),
    };
}

pub(crate) fn write_kin(rng: &mut Rng, name: &mut String, phone: &mut String, l: &Locale) {
    let female = rng.bool();
    let first = pick(rng, if female { l.female } else { l.male });
    let last = pick(rng, if female { l.last_female } else { l.last_male });
    let _ = write!(name, "{} {}", first.0, last.0);
    write_phone(rng, phone, l, true);
}

pub(crate) fn fill_address(rng: &mut Rng, rec: &mut Record, l: &Locale) {
    let city = pick(rng, l.cities);
    let street = one(rng, l.streets);
    let number = rng.u32(1..200);
    let unit = chance(rng, 10).then(|| rng.u32(1..40));
    let region = !chance(rng, 20);
    let shout = chance(rng, 10);
    let mut zip_digits = [0u8; 8];
    for d in &mut zip_digits {
        *d = rng.u8(0..10);
    }
    let a = rec.push_address();
    write_street(&mut a.street, l.street_style, street, number);
    if let Some(u) = unit {
        let _ = write!(a.street2, "Apt. {u}");
    }
    a.city.push_str(city.0);
    if region {
        a.region.push_str(city.1);
    }
    let mut prefix = city.2.bytes();
    let mut random = zip_digits.iter();
    for c in l.zip.chars() {
        if c == '#' {
            let d = prefix
                .next()
                .unwrap_or_else(|| b'0' + random.next().copied().unwrap_or(0));
            a.zip.push(char::from(d));
        } else {
            a.zip.push(c);
        }
    }
    if shout {
        push_upper(&mut a.country, l.country);
    } else {
        a.country.push_str(l.country);
    }
}

/// Pushes `value`, in lower case `pct` percent of the time.
pub(crate) fn push_dirty_case(rng: &mut Rng, out: &mut String, value: &str, pct: u32) {
    let start = out.len();
    out.push_str(value);
    if chance(rng, pct) {
        out[start..].make_ascii_lowercase();
    }
}

pub(crate) fn pick<'a, T>(rng: &mut Rng, from: &'a [T]) -> &'a T {
    &from[rng.usize(..from.len())]
}

/// One of a list of strings.
pub(crate) fn one<'a>(rng: &mut Rng, from: &[&'a str]) -> &'a str {
    from[rng.usize(..from.len())]
}

pub(crate) fn chance(rng: &mut Rng, pct: u32) -> bool {
    rng.u32(..100) < pct
}

pub(crate) fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

pub(crate) const OCCUPATIONS: &[&str] = &[
    "Teacher",
    "Software engineer",
    "Nurse",
    "Farmer",
    "Shop owner",
    "Taxi driver",
    "Accountant",
    "Retired",
    "Student",
    "Mechanic",
    "Tailor",
    "Civil servant",
    "Market trader",
    "Pharmacist",
];

pub(crate) const NOTES: &[&str] = &[
    "Migrated from CBS v2",
    "Prefers contact by phone, after 18:00",
    "Address changed 2019, see \"old file\" in archive",
    "VIP treatment requested by branch manager",
    "Called 2021-03-04:\ncustomer moved abroad, keep account open",
    "Signature card on file",
    "Do not send paper statements",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen::locales;

    #[test]
    fn perm_is_one_to_one() {
        let mut seen = std::collections::HashSet::new();
        for i in 0..100_000 {
            assert!(seen.insert(perm(i, 1_000_000_000, 387_420_489, 99)));
        }
        // A full cycle over a small modulus hits every value exactly once.
        let mut hit = [false; 10];
        for i in 0..10 {
            hit[perm(i, 10, 3, 7) as usize] = true;
        }
        assert!(hit.iter().all(|&h| h));
    }

    #[test]
    fn unique_numbers_have_the_template_shapes() {
        let mut s = String::new();
        write_tax_id(&mut s, 12_345_678);
        assert_eq!(s, "012-34-5678");
        s.clear();
        write_passport(&mut s, 6_759_999_999);
        assert_eq!(s, "ZZ9999999");
        s.clear();
        write_passport(&mut s, 10_000_042);
        assert_eq!(s, "AB0000042");
    }

    #[test]
    fn street_styles_fill_both_placeholders() {
        let mut s = String::new();
        write_street(&mut s, "{s}, д. {n}", "ул. Ленина", 7);
        assert_eq!(s, "ул. Ленина, д. 7");
        s.clear();
        write_street(&mut s, "{n} {s}", "rue des Écoles", 12);
        assert_eq!(s, "12 rue des Écoles");
        s.clear();
        write_street(&mut s, "{s}{n}号", "南京路", 3);
        assert_eq!(s, "南京路3号");
    }

    #[test]
    fn addresses_follow_the_locale() {
        let mut rng = Rng::with_seed(3);
        let mut rec = Record::default();
        let pt = locales::LOCALES
            .iter()
            .find(|l| l.country == "Portugal")
            .expect("Portugal is a locale");
        fill_address(&mut rng, &mut rec, pt);
        let a = &rec.addresses()[0];
        assert_eq!(a.zip.len(), 8);
        assert_eq!(a.zip.as_bytes()[4], b'-');
        assert!(pt
            .cities
            .iter()
            .any(|c| c.0 == a.city && a.zip.starts_with(c.2)));
        assert!(!a.street.contains('{'));
    }
}
