//! One generated client, and the generator that fills it row after row.
//!
//! In: a seed and an invalid ratio. Out: one `Record` at a time, reused
//! between rows (its strings keep their capacity, so a long run allocates
//! nothing per row), plus the error planted in it, if any. The sequence
//! depends only on the seed and the ratio — never on the output layout or
//! the total row count — so the first 100 clients of any run are the same.

use std::fmt::Write as _;

use fastrand::Rng;

use super::fake::{
    chance, days_in_month, fill_address, one, perm, pick, push_dirty_case, write_email, write_kin,
    write_name, write_passport, write_phone, write_tax_id, NOTES, OCCUPATIONS,
};
use super::locales::{self, Locale};
use super::names;
use super::org;
use super::plant::{History, Plant};
use super::Names;

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

/// Mixed into the seed for the names' own stream.
const NAMES_STREAM: u64 = 0x6e61_6d65_735f_7631;

/// The row-by-row generator.
pub(crate) struct Generator {
    rng: Rng,
    /// Draws the population's names (`Names::Population`); a stream of its
    /// own, so every other value and planted error is the same either way.
    names: Option<Rng>,
    first: names::Drawn,
    last: names::Drawn,
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
    /// (clamped to 0..=1; NaN counts as 0), with the sample name pools.
    pub fn new(seed: u64, ratio: f64) -> Self {
        Self::with_names(seed, ratio, Names::Samples)
    }

    /// `new`, drawing names as `names` says.
    pub fn with_names(seed: u64, ratio: f64, names: Names) -> Self {
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
            names: match names {
                Names::Samples => None,
                Names::Population => Some(Rng::with_seed(seed ^ NAMES_STREAM)),
            },
            first: names::Drawn::default(),
            last: names::Drawn::default(),
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
        self.history.remember(&self.rec, plant, index + 1);
        plant
    }

    /// After `next_client` planted `DuplicateId`: the 1-based row of the
    /// client whose id it repeats, and whether that row carries a planted
    /// error of its own.
    pub fn repeated_id_row(&self) -> (u64, bool) {
        (self.history.id_row, self.history.id_row_planted)
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
        let (first, last) = match &mut self.names {
            Some(names_rng) => {
                names::draw(
                    names_rng,
                    locale,
                    female,
                    first,
                    last,
                    &mut self.first,
                    &mut self.last,
                );
                (
                    (self.first.native.as_str(), self.first.ascii.as_str()),
                    (self.last.native.as_str(), self.last.ascii.as_str()),
                )
            }
            None => ((first.0, first.1), (last.0, last.1)),
        };
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
            write_email(rng, &mut rec.email, first.1, last.1, seq, locale);
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

#[cfg(test)]
mod tests {
    use super::*;

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
