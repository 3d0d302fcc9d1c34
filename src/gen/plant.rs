//! The errors the generator plants: one kind per rule the validator
//! enforces, each turning a clean record into one that fails exactly that
//! rule (under `mappings/clients.toml` and `samples/tenant.json`).
//!
//! Kinds that repeat an earlier value (316, 926, 310) copy it from a
//! `History` of the last clean values, so no row list is kept.

use std::fmt::Write as _;

use fastrand::Rng;

use super::fake::{chance, fill_address, one, pick, write_kin};
use super::org;
use super::record::{Drawn, Record};
use crate::model::ReturnCode;

/// One kind of planted error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Plant {
    MissingName,
    UnknownBranch,
    BadEmail,
    BadIncome,
    IdWithSpace,
    UnknownCentre,
    BadBirthDate,
    BadSelection,
    DuplicateId,
    UnknownOfficer,
    UnknownGender,
    TaxIdPattern,
    InactiveBranch,
    UnknownLanguage,
    PassportPattern,
    UnknownRole,
    TooLongShortField,
    DuplicateEmail,
    CentreOfOtherBranch,
    UnknownCustomField,
    IdTooLong,
    MissingRequiredField,
    UnknownState,
    KinGap,
    DuplicateTaxId,
    DeactivatedField,
    TextTooLong,
    PassportExpiry,
    OfficerOfOtherBranch,
    MissingBranch,
    RoleWithoutAddress,
}

impl Plant {
    /// Every kind, in the round-robin order (similar kinds kept apart).
    pub const ALL: &'static [Plant] = &[
        Plant::MissingName,
        Plant::UnknownBranch,
        Plant::BadEmail,
        Plant::BadIncome,
        Plant::IdWithSpace,
        Plant::UnknownCentre,
        Plant::BadBirthDate,
        Plant::BadSelection,
        Plant::DuplicateId,
        Plant::UnknownOfficer,
        Plant::UnknownGender,
        Plant::TaxIdPattern,
        Plant::InactiveBranch,
        Plant::UnknownLanguage,
        Plant::PassportPattern,
        Plant::UnknownRole,
        Plant::TooLongShortField,
        Plant::DuplicateEmail,
        Plant::CentreOfOtherBranch,
        Plant::UnknownCustomField,
        Plant::IdTooLong,
        Plant::MissingRequiredField,
        Plant::UnknownState,
        Plant::KinGap,
        Plant::DuplicateTaxId,
        Plant::DeactivatedField,
        Plant::TextTooLong,
        Plant::PassportExpiry,
        Plant::OfficerOfOtherBranch,
        Plant::MissingBranch,
        Plant::RoleWithoutAddress,
    ];

    /// The code the validator (or the mapping) reports for this row.
    pub fn code(self) -> ReturnCode {
        use ReturnCode as C;
        match self {
            Plant::MissingName => C::MissingRequiredParameter,
            Plant::BadEmail => C::EmailAddressFormatIsInvalid,
            Plant::BadBirthDate => C::InvalidBirthDate,
            Plant::UnknownGender | Plant::TextTooLong => C::InvalidParameters,
            Plant::IdWithSpace => C::IdContainsSpaces,
            Plant::IdTooLong => C::InvalidClientId,
            Plant::UnknownBranch => C::InvalidBranchKey,
            Plant::InactiveBranch => C::BranchIsNotActive,
            Plant::MissingBranch => C::MissingBranchKey,
            Plant::UnknownCentre => C::InvalidCentreKey,
            Plant::CentreOfOtherBranch => C::InconsistentCentreWithBranch,
            Plant::UnknownOfficer => C::InvalidCreditOfficerKey,
            Plant::OfficerOfOtherBranch => C::InconsistentCreditOfficerWithBranch,
            Plant::UnknownRole => C::InvalidClientRoleKey,
            Plant::BadIncome | Plant::BadSelection => C::InconsistentValueWithCustomFieldType,
            Plant::TaxIdPattern => C::InconsistentCustomFieldValueWithPattern,
            Plant::TooLongShortField => C::MaxCustomFieldValueLengthExceeded,
            Plant::UnknownCustomField => C::InvalidCustomFieldId,
            Plant::DeactivatedField => C::CustomFieldDeactivated,
            Plant::MissingRequiredField => C::RequiredCustomFieldMissing,
            Plant::KinGap => C::GroupedIndexesNotConsecutive,
            Plant::PassportPattern => C::InvalidIdDocument,
            Plant::PassportExpiry => C::InvalidDate,
            Plant::DuplicateId => C::ClientIdAlreadyInUse,
            Plant::DuplicateTaxId => C::DuplicateUniqueValue,
            Plant::DuplicateEmail => C::DuplicateClient,
            Plant::UnknownLanguage => C::InvalidLanguage,
            Plant::UnknownState => C::InvalidClientState,
            Plant::RoleWithoutAddress => C::ClientRoleDoesNotAllowAddress,
        }
    }

    /// What was done to the row, for `samples/README.md`.
    pub fn description(self) -> &'static str {
        match self {
            Plant::MissingName => "FIRST_NAME or LAST_NAME blank",
            Plant::BadEmail => "EMAIL without '@', with two, with '..' or a dotless domain",
            Plant::BadBirthDate => {
                "DOB in the future, before 1900, or not a date (31.02., month 13)"
            }
            Plant::UnknownGender => "SEX is X, U or D",
            Plant::TextTooLong => "MIDDLE_NAME longer than 255 characters",
            Plant::IdWithSpace => "CUST_NO with a space in it",
            Plant::IdTooLong => "CUST_NO longer than 32 characters",
            Plant::UnknownBranch => "BRANCH the tenant does not have",
            Plant::InactiveBranch => "BRANCH is the closed BR09",
            Plant::MissingBranch => "BRANCH blank (the tenant requires one)",
            Plant::UnknownCentre => "CENTRE the tenant does not have",
            Plant::CentreOfOtherBranch => "CENTRE of another branch",
            Plant::UnknownOfficer => "OFFICER unknown, or a user who is not a credit officer",
            Plant::OfficerOfOtherBranch => "OFFICER of another branch",
            Plant::UnknownRole => "CLIENT_TYPE the tenant does not have",
            Plant::BadIncome => "MONTHLY_INCOME not a number (n/a, 3.500,00, 12OO)",
            Plant::BadSelection => "RISK_CLASS not one of LOW, MEDIUM, HIGH",
            Plant::TaxIdPattern => "TAX_ID not of the form @@@-@@-@@@@",
            Plant::TooLongShortField => "OCCUPATION longer than 255 characters",
            Plant::UnknownCustomField => "EXTRA_FIELD_ID names a field the tenant does not have",
            Plant::DeactivatedField => "EXTRA_FIELD_ID is the deactivated Legacy_Score",
            Plant::MissingRequiredField => "TAX_ID blank (Tax_ID is required)",
            Plant::KinGap => "NEXT_OF_KIN_2 given without NEXT_OF_KIN_1",
            Plant::PassportPattern => "PASSPORT_NO not of the form ##@@@@@@@",
            Plant::PassportExpiry => "PASSPORT_EXPIRY not a yyyy-mm-dd date",
            Plant::DuplicateId => "CUST_NO of an earlier client",
            Plant::DuplicateTaxId => "TAX_ID of an earlier client (Tax_ID is unique)",
            Plant::DuplicateEmail => "EMAIL of an earlier client (duplicate check EMAIL = ERROR)",
            Plant::UnknownLanguage => "LANG is DE, IT, HU or PL (no such Mambu language)",
            Plant::UnknownState => "STATUS is D, C or X (not in the mapping's value map)",
            Plant::RoleWithoutAddress => "CLIENT_TYPE WALKIN (no address allowed) with an address",
        }
    }

    /// Whether there is an earlier value to repeat, for the kinds that need one.
    pub fn possible(self, history: &History) -> bool {
        match self {
            Plant::DuplicateId => !history.id.is_empty(),
            Plant::DuplicateEmail => !history.email.is_empty(),
            Plant::DuplicateTaxId => !history.tax_id.is_empty(),
            _ => true,
        }
    }

    /// Turns the clean `rec` into one that breaks exactly this rule.
    pub fn apply(self, rec: &mut Record, drawn: &Drawn, rng: &mut Rng, history: &History) {
        match self {
            Plant::MissingName => {
                let name = if rng.bool() {
                    &mut rec.first
                } else {
                    &mut rec.last
                };
                name.clear();
                if chance(rng, 30) {
                    name.push_str("  ");
                }
            }
            Plant::BadEmail => break_email(rng, rec),
            Plant::BadBirthDate => {
                rec.dob.clear();
                let year = rng.i32(1940..2000);
                let _ = match rng.u32(..4) {
                    0 => write!(
                        rec.dob,
                        "{:02}.{:02}.{}",
                        rng.u8(1..=28),
                        rng.u8(1..=12),
                        rng.i32(2090..2100)
                    ),
                    1 => write!(rec.dob, "31.02.{year}"),
                    2 => write!(rec.dob, "15.13.{year}"),
                    _ => write!(
                        rec.dob,
                        "{:02}.{:02}.18{:02}",
                        rng.u8(1..=28),
                        rng.u8(1..=12),
                        rng.u8(50..99)
                    ),
                };
            }
            Plant::UnknownGender => set(&mut rec.sex, one(rng, &["X", "U", "D"])),
            Plant::TextTooLong => {
                let names = if drawn.female {
                    drawn.locale.female
                } else {
                    drawn.locale.male
                };
                rec.middle.clear();
                while rec.middle.chars().count() <= 255 {
                    if !rec.middle.is_empty() {
                        rec.middle.push(' ');
                    }
                    rec.middle.push_str(pick(rng, names).0);
                }
            }
            Plant::IdWithSpace => rec.id.insert(2, ' '),
            Plant::IdTooLong => rec.id.push_str("-MIGRATED-FROM-LEGACY-CORE-SYSTEM"),
            Plant::UnknownBranch => {
                set(&mut rec.branch, one(rng, org::UNKNOWN_BRANCHES));
                rec.centre.clear();
                rec.officer.clear();
            }
            Plant::InactiveBranch => {
                set(&mut rec.branch, org::INACTIVE_BRANCH);
                rec.centre.clear();
                rec.officer.clear();
            }
            Plant::MissingBranch => {
                rec.branch.clear();
                rec.centre.clear();
                rec.officer.clear();
            }
            Plant::UnknownCentre => set(&mut rec.centre, one(rng, org::UNKNOWN_CENTRES)),
            Plant::CentreOfOtherBranch => {
                let other = other_branch(rng, drawn.branch);
                set(&mut rec.centre, org::BRANCHES[other].centres[0]);
            }
            Plant::UnknownOfficer => {
                if rng.bool() {
                    set(&mut rec.officer, one(rng, org::UNKNOWN_OFFICERS));
                } else {
                    // A teller of the client's own branch: known, but no officer.
                    set(&mut rec.branch, org::BRANCHES[0].id);
                    rec.centre.clear();
                    set(&mut rec.officer, org::NON_OFFICER);
                }
            }
            Plant::OfficerOfOtherBranch => {
                let other = other_branch(rng, drawn.branch);
                set(&mut rec.officer, org::BRANCHES[other].officers[0]);
            }
            Plant::UnknownRole => set(&mut rec.client_type, one(rng, org::UNKNOWN_ROLES)),
            Plant::BadIncome => set(
                &mut rec.income,
                one(
                    rng,
                    &["n/a", "3.500,00", "approx. 2000", "12OO", "EUR 1500"],
                ),
            ),
            Plant::BadSelection => set(
                &mut rec.risk,
                one(rng, &["CRITICAL", "VERY HIGH", "MED", "4"]),
            ),
            Plant::TaxIdPattern => {
                // Regrouped or undashed: still unique, no longer @@@-@@-@@@@.
                let digits: String = rec.tax_id.chars().filter(char::is_ascii_digit).collect();
                rec.tax_id.clear();
                match (
                    rng.bool(),
                    digits.get(..2),
                    digits.get(2..5),
                    digits.get(5..),
                ) {
                    (false, Some(a), Some(b), Some(c)) => {
                        let _ = write!(rec.tax_id, "{a}-{b}-{c}");
                    }
                    _ => rec.tax_id.push_str(&digits),
                }
            }
            Plant::TooLongShortField => {
                rec.occupation.clear();
                rec.occupation.push_str("Self-employed:");
                while rec.occupation.len() <= 255 {
                    rec.occupation
                        .push_str(" import and retail of textiles, spices and household goods,");
                }
            }
            Plant::UnknownCustomField => {
                set(&mut rec.extra_id, one(rng, org::FIELDS_UNKNOWN));
                set(&mut rec.extra_value, one(rng, &["GOLD", "2004", "yes"]));
            }
            Plant::DeactivatedField => {
                set(&mut rec.extra_id, org::FIELD_DEACTIVATED);
                rec.extra_value.clear();
                let _ = write!(rec.extra_value, "{}", rng.u32(300..850));
            }
            Plant::MissingRequiredField => {
                rec.tax_id.clear();
                if chance(rng, 30) {
                    rec.tax_id.push(' ');
                }
            }
            Plant::KinGap => {
                if rec.nok2_name.is_empty() {
                    if rec.nok1_name.is_empty() {
                        write_kin(rng, &mut rec.nok2_name, &mut rec.nok2_phone, drawn.locale);
                    } else {
                        std::mem::swap(&mut rec.nok1_name, &mut rec.nok2_name);
                        std::mem::swap(&mut rec.nok1_phone, &mut rec.nok2_phone);
                    }
                }
                rec.nok1_name.clear();
                rec.nok1_phone.clear();
            }
            Plant::PassportPattern => {
                // Digits first, or a dash after the letters: still unique.
                let at = rec
                    .passport_no
                    .find(|c: char| c.is_ascii_digit())
                    .unwrap_or(0);
                let (letters, digits) = rec.passport_no.split_at(at);
                let broken = if rng.bool() {
                    format!("{digits}{letters}")
                } else {
                    format!("{letters}-{digits}")
                };
                rec.passport_no = broken;
            }
            Plant::PassportExpiry => set(
                &mut rec.passport_expiry,
                one(rng, &["2031-02-30", "31/12/2030", "2030-12", "unbefristet"]),
            ),
            Plant::DuplicateId => {
                rec.id.clone_from(&history.id);
                // The related rows under that id belong to the first client.
                rec.write_related = false;
                if rec.client_type == org::ROLE_WALK_IN {
                    set(&mut rec.client_type, org::ROLE_INDIVIDUAL);
                }
            }
            Plant::DuplicateTaxId => rec.tax_id.clone_from(&history.tax_id),
            Plant::DuplicateEmail => {
                rec.email.clone_from(&history.email);
                if rng.bool() {
                    // The tenant's check ignores case.
                    rec.email.make_ascii_uppercase();
                }
            }
            Plant::UnknownLanguage => set(&mut rec.lang, one(rng, &["DE", "IT", "HU", "PL"])),
            Plant::UnknownState => set(&mut rec.status, one(rng, &["D", "C", "X"])),
            Plant::RoleWithoutAddress => {
                set(&mut rec.client_type, org::ROLE_WALK_IN);
                if rec.n_addresses == 0 {
                    fill_address(rng, rec, drawn.locale);
                }
            }
        }
    }
}

/// The last clean values, for the kinds that repeat one.
#[derive(Debug, Default)]
pub(crate) struct History {
    /// An id whose client has no related documents: a second client with
    /// that id would be joined to them and fail the document check too.
    pub id: String,
    /// The 1-based row of the client `id` belongs to: a dry run rejects it
    /// too once another row repeats its id.
    pub id_row: u64,
    /// Whether that row carries a planted error of its own.
    pub id_row_planted: bool,
    pub email: String,
    pub tax_id: String,
}

impl History {
    /// Records the values of `row` that are still its own and valid.
    pub fn remember(&mut self, rec: &Record, plant: Option<Plant>, row: u64) {
        let id_own = !matches!(
            plant,
            Some(Plant::IdWithSpace | Plant::IdTooLong | Plant::DuplicateId)
        );
        if id_own && rec.n_documents == 0 {
            self.id.clone_from(&rec.id);
            self.id_row = row;
            self.id_row_planted = plant.is_some();
        }
        let email_own = !matches!(plant, Some(Plant::BadEmail | Plant::DuplicateEmail));
        if email_own && !rec.email.is_empty() {
            self.email.clone_from(&rec.email);
        }
        let tax_own = !matches!(
            plant,
            Some(Plant::TaxIdPattern | Plant::MissingRequiredField | Plant::DuplicateTaxId)
        );
        if tax_own && !rec.tax_id.trim().is_empty() {
            self.tax_id.clone_from(&rec.tax_id);
        }
    }
}

fn set(field: &mut String, value: &str) {
    field.clear();
    field.push_str(value);
}

/// Another active branch than `branch`.
fn other_branch(rng: &mut Rng, branch: usize) -> usize {
    let n = org::BRANCHES.len();
    (branch + 1 + rng.usize(..n - 1)) % n
}

/// An e-mail address that is still unique but no longer plausible.
fn break_email(rng: &mut Rng, rec: &mut Record) {
    let kept = rec.email.trim_end().len();
    rec.email.truncate(kept);
    if rec.email.is_empty() {
        let _ = write!(rec.email, "{}@example", rec.id.to_ascii_lowercase());
        return;
    }
    match rng.u32(..4) {
        0 => {
            if let Some(at) = rec.email.find('@') {
                rec.email.replace_range(at..=at, " at ");
            }
        }
        1 => {
            if let Some(at) = rec.email.find('@') {
                rec.email.insert(at, '@');
            }
        }
        2 => {
            if let Some(at) = rec.email.find('@') {
                let domain: String = rec.email[at..].chars().filter(|&c| c != '.').collect();
                rec.email.truncate(at);
                rec.email.push_str(&domain);
            }
        }
        _ => {
            if let Some(dot) = rec.email.find('.') {
                rec.email.insert(dot, '.');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_in_the_round_robin_once() {
        let mut seen = std::collections::BTreeSet::new();
        for &p in Plant::ALL {
            assert!(seen.insert(p), "{p:?} twice");
            assert!(!p.description().is_empty());
        }
        assert_eq!(seen.len(), 31);
        let codes: std::collections::BTreeSet<_> = Plant::ALL.iter().map(|p| p.code()).collect();
        assert_eq!(codes.len(), 29, "two kinds each share 4 and 901");
    }

    #[test]
    fn broken_emails_are_implausible() {
        let mut rng = Rng::with_seed(5);
        for _ in 0..40 {
            let mut rec = Record::default();
            rec.id.push_str("CL0000001");
            rec.email.push_str("anna.mueller1@web.de ");
            break_email(&mut rng, &mut rec);
            let e = &rec.email;
            let ats = e.matches('@').count();
            let domain_dotless = e.rsplit('@').next().is_some_and(|d| !d.contains('.'));
            assert!(
                ats != 1 || domain_dotless || e.contains("..") || e.contains(' '),
                "still plausible: {e}"
            );
        }
    }

    #[test]
    fn history_skips_values_that_are_not_the_rows_own() {
        let mut h = History::default();
        let mut rec = Record::default();
        rec.id.push_str("CL1");
        rec.email.push_str("a@b.de");
        rec.tax_id.push_str("123-45-6789");
        h.remember(&rec, None, 1);
        rec.id.clear();
        rec.id.push_str("CL 2");
        rec.email.clear();
        rec.email.push_str("bad");
        rec.tax_id.clear();
        h.remember(&rec, Some(Plant::IdWithSpace), 2);
        assert_eq!((h.id.as_str(), h.id_row), ("CL1", 1));
        assert_eq!(
            h.email, "bad",
            "an id plant leaves the e-mail the row's own"
        );
        h.remember(&rec, Some(Plant::BadEmail), 3);
        assert_eq!(h.email, "bad");
        assert_eq!(h.tax_id, "123-45-6789", "a blank tax id is never repeated");
    }
}
