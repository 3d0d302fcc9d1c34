//! A realistic run: the page it renders is the one to look at when the
//! layout changes (set `FERRY_REPORT_PREVIEW=dir` to keep it).
use super::*;
use crate::model::ReturnCode::{self, *};
use csv::StringRecord;

const COLUMNS: [&str; 9] = [
    "CUST_NO",
    "FIRST_NAME",
    "LAST_NAME",
    "EMAIL",
    "DOB",
    "BRANCH",
    "OFFICER",
    "NATIONAL_ID",
    "LOAN_PURPOSE",
];
const FIRST: [&str; 8] = [
    "Ana",
    "João",
    "Mei",
    "Oluwaseun",
    "Zoë",
    "Farid",
    "Ingrid",
    "Tomás",
];
const LAST: [&str; 8] = [
    "Silva", "Okafor", "Chen", "Müller", "O'Brien", "Haddad", "Nilsen", "García",
];
const PROBLEMS: [(ReturnCode, &str, &str, &str); 8] = [
    (
        EmailAddressFormatIsInvalid,
        "client.emailAddress",
        "EMAIL",
        "is not an email address",
    ),
    (
        InvalidBirthDate,
        "client.birthDate",
        "DOB",
        "is in the future",
    ),
    (
        InvalidBranchKey,
        "client.assignedBranchKey",
        "BRANCH",
        "no branch with this id in the tenant",
    ),
    (
        EmailAddressFormatIsInvalid,
        "client.emailAddress",
        "EMAIL",
        "has no domain",
    ),
    (
        RequiredCustomFieldMissing,
        "customInformation[Loan_Purpose]",
        "LOAN_PURPOSE",
        "is required",
    ),
    (
        InvalidIdDocument,
        "idDocuments[0].documentId",
        "NATIONAL_ID",
        "does not match the template",
    ),
    (
        InconsistentCreditOfficerWithBranch,
        "client.assignedUserKey",
        "OFFICER",
        "works at another branch",
    ),
    (IdContainsSpaces, "client.id", "CUST_NO", "contains spaces"),
];

#[test]
fn realistic_page_names_every_code_and_column() {
    let keep = std::env::var_os("FERRY_REPORT_PREVIEW");
    let tmp = tempfile::tempdir().unwrap();
    let dir = keep
        .map(PathBuf::from)
        .unwrap_or_else(|| tmp.path().to_path_buf());
    let columns: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    let mut report = Report::create(ReportOptions::new(
        &dir,
        "legacy_clients_2024-06.csv",
        columns,
    ))
    .unwrap();
    let mut findings = Vec::new();
    let mut origins = Vec::new();
    for i in 1..=4_812u64 {
        let pick = |n: u64| (i.wrapping_mul(2654435761) >> n) as usize;
        let mut rec = StringRecord::new();
        let bad = pick(3) % 9 == 0 || pick(7) % 13 == 0;
        let p = PROBLEMS[(pick(11) % 23).min(PROBLEMS.len() - 1) % PROBLEMS.len()];
        let email = if bad && p.2 == "EMAIL" {
            "ana.silva(at)mail"
        } else {
            "ana.silva@example.com"
        };
        for f in [
            format!("C-{i:06}").as_str(),
            FIRST[pick(5) % 8],
            LAST[pick(9) % 8],
            email,
            if bad && p.2 == "DOB" {
                "2031-02-30"
            } else {
                "1984-07-12"
            },
            if bad && p.2 == "BRANCH" {
                "BR-99"
            } else {
                "BR-01"
            },
            "u.ferreira",
            if bad && p.2 == "NATIONAL_ID" {
                "=1+1"
            } else {
                "AB123456"
            },
            if bad && p.2 == "LOAN_PURPOSE" {
                ""
            } else {
                "Working capital"
            },
        ] {
            rec.push_field(f);
        }
        findings.clear();
        origins.clear();
        if bad {
            findings.push(FieldError::error(p.1, p.0, format!("{} {}", p.2, p.3)));
            origins.push(Some(p.2.to_string()));
            if pick(13) % 4 == 0 {
                findings.push(FieldError::error(
                    "client.assignedBranchKey",
                    MissingBranchKey,
                    "BRANCH is required by the tenant",
                ));
                origins.push(Some("BRANCH".into()));
            }
        }
        if pick(6) % 17 == 0 {
            findings.push(FieldError::warning(
                "client.lastName",
                DuplicateClient,
                "same name and birth date as row 12",
            ));
            origins.push(Some("LAST_NAME".into()));
        }
        let body = format!("{{\"client\":{{\"id\":\"C-{i:06}\"}}}}");
        report
            .add(&Verdict {
                row: i,
                line: i + 1,
                fields: &rec,
                findings: &findings,
                origins: &origins,
                body: Some(Body::Bytes(body.as_bytes())),
            })
            .unwrap();
    }
    let meta = RunMeta {
        mapping: "mappings/legacy_core.toml".into(),
        tenant: Some("tenants/acme-prod.json".into()),
        elapsed: Duration::from_millis(2_340),
        warnings: vec![
            "Column FAX is not mapped and was ignored.".into(),
            "Dates in DOB are read as Europe/Lisbon.".into(),
        ],
        ..RunMeta::default()
    };
    let s = report.finish(&meta).unwrap();
    let html = std::fs::read_to_string(dir.join(HTML_FILE)).unwrap();
    for code in s.errors_by_code.keys() {
        assert!(html.contains(code.as_str()), "{code} missing from the page");
    }
    assert!(html.contains("<th>LOAN_PURPOSE</th>"));
    println!("{}", s.render_table());
}
