//! The sample tenant's organisation as the generator sees it: branch,
//! centre, officer and role ids, document templates and custom field ids.
//! They must agree with `samples/tenant.json`; a test in `mod.rs` checks it.

/// An active branch with its centres and credit officers.
pub(crate) struct BranchRef {
    pub id: &'static str,
    pub centres: &'static [&'static str],
    pub officers: &'static [&'static str],
}

/// The active branches: Berlin, Lisboa, Madrid, Warszawa, Tbilisi.
pub(crate) const BRANCHES: &[BranchRef] = &[
    BranchRef {
        id: "BR01",
        centres: &["CT011", "CT012"],
        officers: &["m.schulz", "l.weber"],
    },
    BranchRef {
        id: "BR02",
        centres: &["CT021"],
        officers: &["a.costa"],
    },
    BranchRef {
        id: "BR03",
        centres: &["CT031", "CT032"],
        officers: &["j.garcia"],
    },
    BranchRef {
        id: "BR04",
        centres: &["CT041"],
        officers: &["k.nowak", "a.popescu"],
    },
    BranchRef {
        id: "BR05",
        centres: &["CT051"],
        officers: &["n.beridze"],
    },
];

/// A closed branch (state INACTIVE): 803.
pub(crate) const INACTIVE_BRANCH: &str = "BR09";
/// Ids the tenant does not have: 801, 850, 702, 306.
pub(crate) const UNKNOWN_BRANCHES: &[&str] = &["BR77", "HQ", "BR10"];
pub(crate) const UNKNOWN_CENTRES: &[&str] = &["CT099", "CT013"];
pub(crate) const UNKNOWN_OFFICERS: &[&str] = &["p.meier.old", "jdoe", "h.krause"];
pub(crate) const UNKNOWN_ROLES: &[&str] = &["VIP", "CORP", "JOINT"];
/// A user who is not a credit officer (702), assigned to `BRANCHES[0]`.
pub(crate) const NON_OFFICER: &str = "teller.ops";

/// Client roles: the default one, staff, and walk-in clients, whose role
/// does not allow an address (1151).
pub(crate) const ROLE_INDIVIDUAL: &str = "IND";
pub(crate) const ROLE_STAFF: &str = "STAFF";
pub(crate) const ROLE_WALK_IN: &str = "WALKIN";

/// Document types, each with a template in the tenant.
pub(crate) const DOC_PASSPORT: &str = "PASSPORT";
pub(crate) const DOC_NATIONAL_ID: &str = "NATIONAL_ID";
pub(crate) const DOC_DRIVING_LICENCE: &str = "DRIVING_LICENCE";

/// Custom field ids for EXTRA_FIELD_ID: a live one, an undefined one (903)
/// and a deactivated one (908).
pub(crate) const FIELD_REFERRAL: &str = "Referral_Code";
pub(crate) const FIELDS_UNKNOWN: &[&str] = &["Loyalty_Tier", "Customer_Since"];
pub(crate) const FIELD_DEACTIVATED: &str = "Legacy_Score";

/// Values of the SELECTION fields.
pub(crate) const RISK_CLASSES: &[&str] = &["LOW", "MEDIUM", "HIGH"];
pub(crate) const SEGMENTS: &[&str] = &["MASS", "AFFLUENT", "PREMIUM", "MICRO_BUSINESS", "STUDENT"];
