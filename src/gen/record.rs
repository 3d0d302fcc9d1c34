//! One generated client, and the generator that fills it row after row.
//!
//! In: a seed and an invalid ratio. Out: one `Record` at a time, reused
//! between rows (its strings keep their capacity, so a long run allocates
//! nothing per row), plus the error planted in it, if any. The sequence
//! depends only on the seed and the ratio — never on the output layout or
//! the total row count — so the first 100 clients of any run are the same.

use std::fmt::Write as _;

use fastrand::Rng;

use super::locales::{self, Locale, Name};
use super::org;
use super::plant::{History, Plant};

/// A postal address of a client.
#[derive(Debug, Default, Clone)]
pub(crate) struct AddressRec {
    pub street: String,
    pub street2: String,
    pub city: String,
    pub region: String,
    pub zip: String,
    pub country: String,
}

/// An ID document beyond the passport (related file / JSON only).
#[derive(Debug, Default, Clone)]
pub(crate) struct DocumentRec {
    pub doc_type: &'static str,
    pub number: String,
    pub issuer: String,
    pub valid_until: String,
}

/// One client as the legacy system exported it.
#[derive(Debug, Default)]
pub(crate) struct Record {
    pub id: String,
    pub title: String,
    pub first: String,
    pub middle: String,
    pub last: String,
    pub sex: String,
    /// `dd.mm.yyyy`, as the legacy system writes dates.
    pub dob: String,
    pub email: String,
    pub home_phone: String,
    pub mobile_phone: String,
    pub lang: String,
    pub status: String,
    pub branch: String,
    pub centre: String,
    pub officer: String,
    pub client_type: String,
    pub occupation: String,
    pub income: String,
    pub risk: String,
    pub tax_id: String,
    pub kyc: String,
    pub segment: String,
    pub extra_id: String,
    pub extra_value: String,
    pub nok1_name: String,
    pub nok1_phone: String,
    pub nok2_name: String,
    pub nok2_phone: String,
    pub passport_no: String,
    pub passport_expiry: String,
    pub notes: String,
    /// Slots reused between rows; only the first `n_addresses` are live.
    pub addresses: Vec<AddressRec>,
    pub n_addresses: usize,
    /// Slots reused between rows; only the first `n_documents` are live.
    pub documents: Vec<DocumentRec>,
    pub n_documents: usize,
    /// False for a client that reuses another client's id: its related rows
    /// would otherwise be joined onto both clients.
    pub write_related: bool,
}

/// The main file's columns, in order, for the related layout.
pub(crate) const MAIN_COLUMNS: &[&str] = &[
    "CUST_NO",
    "TITLE",
    "FIRST_NAME",
    "MIDDLE_NAME",
    "LAST_NAME",
    "SEX",
    "DOB",
    "EMAIL",
    "HOME_PHONE",
    "MOBILE_PHONE",
    "LANG",
    "STATUS",
    "BRANCH",
    "CENTRE",
    "OFFICER",
    "CLIENT_TYPE",
    "OCCUPATION",
    "MONTHLY_INCOME",
    "RISK_CLASS",
    "TAX_ID",
    "KYC_DONE",
    "SEGMENT",
    "EXTRA_FIELD_ID",
    "EXTRA_FIELD_VALUE",
    "NEXT_OF_KIN_1_NAME",
    "NEXT_OF_KIN_1_PHONE",
    "NEXT_OF_KIN_2_NAME",
    "NEXT_OF_KIN_2_PHONE",
    "PASSPORT_NO",
    "PASSPORT_EXPIRY",
    "NOTES",
];

/// The address columns the wide layout inserts before NOTES.
pub(crate) const WIDE_ADDRESS_COLUMNS: &[&str] =
    &["ADDR_STREET", "ADDR_CITY", "ADDR_ZIP", "ADDR_COUNTRY"];

impl Record {
    /// The main file's fields in `MAIN_COLUMNS` order.
    pub fn main_fields(&self) -> [&str; 31] {
        [
            &self.id,
            &self.title,
            &self.first,
            &self.middle,
            &self.last,
            &self.sex,
            &self.dob,
            &self.email,
            &self.home_phone,
            &self.mobile_phone,
            &self.lang,
            &self.status,
            &self.branch,
            &self.centre,
            &self.officer,
            &self.client_type,
            &self.occupation,
            &self.income,
            &self.risk,
            &self.tax_id,
            &self.kyc,
            &self.segment,
            &self.extra_id,
            &self.extra_value,
            &self.nok1_name,
            &self.nok1_phone,
            &self.nok2_name,
            &self.nok2_phone,
            &self.passport_no,
            &self.passport_expiry,
            &self.notes,
        ]
    }

    /// The live addresses.
    pub fn addresses(&self) -> &[AddressRec] {
        &self.addresses[..self.n_addresses]
    }

    /// The live extra documents.
    pub fn documents(&self) -> &[DocumentRec] {
        &self.documents[..self.n_documents]
    }

    fn clear(&mut self) {
        for s in [
            &mut self.id,
            &mut self.title,
            &mut self.first,
            &mut self.middle,
            &mut self.last,
            &mut self.sex,
            &mut self.dob,
            &mut self.email,
            &mut self.home_phone,
            &mut self.mobile_phone,
            &mut self.lang,
            &mut self.status,
            &mut self.branch,
            &mut self.centre,
            &mut self.officer,
            &mut self.client_type,
            &mut self.occupation,
            &mut self.income,
            &mut self.risk,
            &mut self.tax_id,
            &mut self.kyc,
            &mut self.segment,
            &mut self.extra_id,
            &mut self.extra_value,
            &mut self.nok1_name,
            &mut self.nok1_phone,
            &mut self.nok2_name,
            &mut self.nok2_phone,
            &mut self.passport_no,
            &mut self.passport_expiry,
            &mut self.notes,
        ] {
            s.clear();
        }
        self.n_addresses = 0;
        self.n_documents = 0;
        self.write_related = true;
    }

    /// A cleared address slot, grown on first use.
    pub fn push_address(&mut self) -> &mut AddressRec {
        if self.addresses.len() == self.n_addresses {
            self.addresses.push(AddressRec::default());
        }
        let a = &mut self.addresses[self.n_addresses];
        self.n_addresses += 1;
        for s in [
            &mut a.street,
            &mut a.street2,
            &mut a.city,
            &mut a.region,
            &mut a.zip,
            &mut a.country,
        ] {
            s.clear();
        }
        a
    }

    fn push_document(&mut self) -> &mut DocumentRec {
        if self.documents.len() == self.n_documents {
            self.documents.push(DocumentRec::default());
        }
        let d = &mut self.documents[self.n_documents];
        self.n_documents += 1;
        d.number.clear();
        d.issuer.clear();
        d.valid_until.clear();
        d
    }
}

/// What the clean draw decided, for plants that must stay consistent with it.
pub(crate) struct Drawn {
    pub locale: &'static Locale,
    pub female: bool,
    pub branch: usize,
}

/// The row-by-row generator.
pub(crate) struct Generator {
    rng: Rng,
    ratio: f64,
    /// Offset mixed into the unique numbers so that seeds differ in them too.
    salt: u64,
    next_index: u64,
    planted: u64,
    plant_cursor: usize,
    history: History,
    /// The client just generated.
    pub rec: Record,
}

impl Generator {
    /// A generator for `seed` planting errors in `ratio` of the rows
    /// (clamped to 0..=1; NaN counts as 0).
    pub fn new(seed: u64, ratio: f64) -> Self {
        let mut rng = Rng::with_seed(seed);
        let ratio = if ratio.is_nan() {
            0.0
        } else {
            ratio.clamp(0.0, 1.0)
        };
        let salt = rng.u64(..);
        let plant_cursor = rng.usize(..Plant::ALL.len());
        Self {
            rng,
            ratio,
            salt,
            next_index: 0,
            planted: 0,
            plant_cursor,
            history: History::default(),
            rec: Record::default(),
        }
    }

    /// Fills `self.rec` with the next client; returns the planted error.
    pub fn next_client(&mut self) -> Option<Plant> {
        let index = self.next_index;
        self.next_index += 1;
        let drawn = self.fill_clean(index);
        // Spread the planted rows evenly: after n rows, floor(n × ratio).
        let due = ((index + 1) as f64 * self.ratio).floor() as u64;
        let plant = if due > self.planted {
            self.planted += 1;
            Some(self.choose_plant())
        } else {
            None
        };
        if let Some(p) = plant {
            p.apply(&mut self.rec, &drawn, &mut self.rng, &self.history);
        }
        self.history.remember(&self.rec, plant);
        plant
    }

    /// Round-robin over the kinds, skipping those that need an earlier row
    /// to copy from while there is none yet.
    fn choose_plant(&mut self) -> Plant {
        for _ in 0..Plant::ALL.len() {
            let p = Plant::ALL[self.plant_cursor % Plant::ALL.len()];
            self.plant_cursor += 1;
            if p.possible(&self.history) {
                return p;
            }
        }
        Plant::MissingName
    }

    fn fill_clean(&mut self, index: u64) -> Drawn {
        self.rec.clear();
        let rng = &mut self.rng;
        let rec = &mut self.rec;
        let locale = locales::pick(rng.u32(..locales::total_weight()));
        let female = rng.bool();
        let seq = index + 1;

        let _ = write!(rec.id, "CL{seq:07}");
        let titles = if female {
            locale.titles_female
        } else {
            locale.titles_male
        };
        if !titles.is_empty() && chance(rng, 40) {
            rec.title.push_str(one(rng, titles));
        }
        let first = pick(rng, if female { locale.female } else { locale.male });
        let lasts = if female {
            locale.last_female
        } else {
            locale.last_male
        };
        let last = pick(rng, lasts);
        let middles = if female {
            locale.middle_female
        } else {
            locale.middle_male
        };
        if !middles.is_empty() && chance(rng, locale.middle_rate) {
            rec.middle.push_str(one(rng, middles));
        }
        write_name(rng, &mut rec.first, first.0, false);
        // Some legacy screens stored surnames in capitals.
        let shout = chance(rng, 6);
        write_name(rng, &mut rec.last, last.0, shout);
        rec.sex.push_str(match (female, rng.u32(..100)) {
            (_, 0..=2) => "",
            (true, 3..=10) => "f",
            (false, 3..=10) => "m",
            (true, _) => "F",
            (false, _) => "M",
        });
        let year = rng.i32(1935..=2006);
        let month = rng.u8(1..=12);
        let day = rng.u8(1..=days_in_month(year, month));
        let _ = write!(rec.dob, "{day:02}.{month:02}.{year}");
        if !chance(rng, 6) {
            write_email(rng, &mut rec.email, first, last, seq, locale);
        }
        if chance(rng, 50) {
            write_phone(rng, &mut rec.home_phone, locale, false);
        }
        if chance(rng, 85) {
            write_phone(rng, &mut rec.mobile_phone, locale, true);
        }
        if !chance(rng, 3) {
            push_dirty_case(rng, &mut rec.lang, locale.lang, 10);
        }
        rec.status.push_str(match rng.u32(..100) {
            0..=2 => "",
            3..=9 => "a",
            10..=74 => "A",
            75..=89 => "P",
            _ => "I",
        });

        let branch = if chance(rng, 70) {
            locale.home_branch
        } else {
            rng.usize(..org::BRANCHES.len())
        };
        let b = &org::BRANCHES[branch];
        rec.branch.push_str(b.id);
        if chance(rng, 60) {
            rec.centre.push_str(one(rng, b.centres));
        }
        if chance(rng, 85) {
            rec.officer.push_str(one(rng, b.officers));
        }
        rec.client_type.push_str(match rng.u32(..100) {
            0..=1 => "",
            2..=5 => org::ROLE_STAFF,
            6..=13 => org::ROLE_WALK_IN,
            _ => org::ROLE_INDIVIDUAL,
        });

        if !chance(rng, 8) {
            rec.occupation.push_str(one(rng, OCCUPATIONS));
        }
        if !chance(rng, 10) {
            let whole = rng.u32(300..25_000);
            if chance(rng, 50) {
                let _ = write!(rec.income, "{whole}.{:02}", rng.u32(..100));
            } else {
                let _ = write!(rec.income, "{whole}");
            }
        }
        if !chance(rng, 5) {
            let risk = match rng.u32(..100) {
                0..=59 => org::RISK_CLASSES[0],
                60..=89 => org::RISK_CLASSES[1],
                _ => org::RISK_CLASSES[2],
            };
            push_dirty_case(rng, &mut rec.risk, risk, 15);
        }
        write_tax_id(
            &mut rec.tax_id,
            perm(index, 1_000_000_000, 387_420_489, self.salt ^ 0x5851_f42d),
        );
        if chance(rng, 4) {
            rec.tax_id.insert(0, ' ');
        }
        rec.kyc.push_str(match rng.u32(..100) {
            0..=4 => "",
            5..=9 => "y",
            10..=79 => "Y",
            _ => "N",
        });
        if !chance(rng, 10) {
            let segment = one(rng, org::SEGMENTS);
            push_dirty_case(rng, &mut rec.segment, segment, 10);
        }
        if chance(rng, 5) {
            rec.extra_id.push_str(org::FIELD_REFERRAL);
            let _ = write!(rec.extra_value, "REF-{:05}", rng.u32(..100_000));
        }
        let kin = match rng.u32(..100) {
            0..=49 => 0,
            50..=84 => 1,
            _ => 2,
        };
        if kin >= 1 {
            write_kin(rng, &mut rec.nok1_name, &mut rec.nok1_phone, locale);
        }
        if kin == 2 {
            write_kin(rng, &mut rec.nok2_name, &mut rec.nok2_phone, locale);
        }
        write_passport(
            &mut rec.passport_no,
            perm(
                index,
                6_760_000_000,
                1_162_261_467,
                self.salt.rotate_left(17),
            ),
        );
        if !chance(rng, 5) {
            let _ = write!(
                rec.passport_expiry,
                "{}-{:02}-{:02}",
                rng.i32(2025..=2036),
                rng.u8(1..=12),
                rng.u8(1..=28)
            );
        }
        if chance(rng, 30) {
            rec.notes.push_str(one(rng, NOTES));
        }

        if rec.client_type != org::ROLE_WALK_IN && !chance(rng, 4) {
            let extra = chance(rng, 3);
            fill_address(rng, rec, locale);
            if extra {
                fill_address(rng, rec, locale);
            }
        }
        let docs = match rng.u32(..100) {
            0..=54 => 0,
            55..=89 => 1,
            _ => 2,
        };
        for slot in 0..docs {
            let national = if docs == 2 {
                slot == 0
            } else {
                chance(rng, 70)
            };
            let d = rec.push_document();
            if national {
                d.doc_type = org::DOC_NATIONAL_ID;
                let _ = write!(
                    d.number,
                    "{:010}",
                    perm(
                        index,
                        10_000_000_000,
                        3_486_784_401,
                        self.salt.rotate_left(31)
                    )
                );
            } else {
                d.doc_type = org::DOC_DRIVING_LICENCE;
                let _ = write!(
                    d.number,
                    "DL{:08}",
                    perm(index, 100_000_000, 14_348_907, self.salt.rotate_left(47))
                );
            }
            d.issuer.push_str(locale.authority);
            if !chance(rng, 20) {
                let _ = write!(
                    d.valid_until,
                    "{}-{:02}-{:02}",
                    rng.i32(2025..=2040),
                    rng.u8(1..=12),
                    rng.u8(1..=28)
                );
            }
        }
        Drawn {
            locale,
            female,
            branch,
        }
    }
}

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
fn write_name(rng: &mut Rng, out: &mut String, name: &str, shout: bool) {
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
fn write_email(rng: &mut Rng, out: &mut String, first: &Name, last: &Name, seq: u64, l: &Locale) {
    let domain = one(rng, l.domains);
    let (f, s) = (first.1, last.1);
    let _ = match rng.u32(..4) {
        0 => write!(out, "{f}.{s}{seq}@{domain}"),
        1 => write!(out, "{}{s}{seq}@{domain}", &f[..1]),
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

fn write_phone(rng: &mut Rng, out: &mut String, l: &Locale, mobile: bool) {
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
fn push_dirty_case(rng: &mut Rng, out: &mut String, value: &str, pct: u32) {
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

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

const OCCUPATIONS: &[&str] = &[
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

const NOTES: &[&str] = &[
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

    #[test]
    fn record_slots_are_reused_without_leftovers() {
        let mut g = Generator::new(11, 0.0);
        for _ in 0..200 {
            g.next_client();
            assert_eq!(g.rec.addresses().len(), g.rec.n_addresses);
            assert!(g.rec.n_addresses <= 2 && g.rec.n_documents <= 2);
            for d in g.rec.documents() {
                assert!(!d.number.is_empty() && !d.issuer.is_empty());
            }
        }
    }
}
