//! Tests of the generator as a whole: determinism, shape, planted errors,
//! agreement with the sample tenant, and the committed samples.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::plant::Plant;
use super::record::MAIN_COLUMNS;
use super::*;
use crate::model::ReturnCode;
use crate::tenant::Tenant;

mod rules;

fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

fn sample_tenant() -> Tenant {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/tenant.json");
    Tenant::load(Path::new(path)).expect("samples/tenant.json loads")
}

fn run(dir: &Path, name: &str, rows: u64, ratio: f64, seed: u64, layout: Layout) -> GenReport {
    run_with(dir, name, rows, ratio, seed, layout, Names::Population)
}

fn run_with(
    dir: &Path,
    name: &str,
    rows: u64,
    ratio: f64,
    seed: u64,
    layout: Layout,
    names: Names,
) -> GenReport {
    generate(&GenOptions {
        rows,
        invalid_ratio: ratio,
        seed,
        out: dir.join(name),
        layout,
        names,
    })
    .expect("generation succeeds")
}

fn read_records(path: &Path) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(path).expect("file exists");
    let header = r
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = r.records().map(|x| x.expect("well-formed CSV")).collect();
    (header, rows)
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    for layout in [Layout::Related, Layout::Wide] {
        let a = run(dir.path(), "a.csv", 500, 0.2, 42, layout);
        let b = run(dir.path(), "b.csv", 500, 0.2, 42, layout);
        let c = run(dir.path(), "c.csv", 500, 0.2, 43, layout);
        assert_eq!(a.planted, b.planted);
        assert_eq!(a.files.len(), b.files.len());
        for (fa, fb) in a.files.iter().zip(&b.files) {
            let (ba, bb) = (
                std::fs::read(fa).expect("read"),
                std::fs::read(fb).expect("read"),
            );
            assert!(ba.len() > 100);
            assert_eq!(ba, bb, "{} differs from {}", fa.display(), fb.display());
        }
        assert_ne!(
            std::fs::read(&a.files[0]).expect("read"),
            std::fs::read(&c.files[0]).expect("read")
        );
    }
}

#[test]
fn row_and_column_counts_and_utf8() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rel = run(dir.path(), "rel.csv", 1_000, 0.1, 1, Layout::Related);
    assert_eq!(rel.rows, 1_000);
    assert_eq!(rel.files.len(), 3);
    assert!(rel.files[1].ends_with("rel_addresses.csv"));
    assert!(rel.files[2].ends_with("rel_documents.csv"));
    let (header, rows) = read_records(&rel.files[0]);
    assert_eq!(header, MAIN_COLUMNS);
    assert_eq!(rows.len(), 1_000);
    assert!(rows.iter().all(|r| r.len() == 31));
    let (ah, arows) = read_records(&rel.files[1]);
    assert_eq!(
        ah,
        [
            "client_id",
            "street",
            "street2",
            "city",
            "region",
            "zip",
            "country"
        ]
    );
    assert!(arows.len() > 800 && arows.iter().all(|r| r.len() == 7));
    let (dh, drows) = read_records(&rel.files[2]);
    assert_eq!(
        dh,
        [
            "client_id",
            "doc_type",
            "doc_number",
            "issuer",
            "valid_until"
        ]
    );
    assert!(!drows.is_empty() && drows.iter().all(|r| r.len() == 5));

    let wide = run(dir.path(), "wide.csv", 300, 0.1, 1, Layout::Wide);
    assert_eq!(wide.files, vec![dir.path().join("wide.csv")]);
    let (wh, wrows) = read_records(&wide.files[0]);
    assert_eq!(wh.len(), 35);
    assert_eq!(
        &wh[30..],
        [
            "ADDR_STREET",
            "ADDR_CITY",
            "ADDR_ZIP",
            "ADDR_COUNTRY",
            "NOTES"
        ]
    );
    assert_eq!(wrows.len(), 300);
    assert!(wrows.iter().all(|r| r.len() == 35));
    // The wide file's first 300 clients are the related file's first 300.
    for (w, r) in wrows.iter().zip(&rows) {
        assert_eq!(&w[0], &r[0]);
    }

    for f in rel.files.iter().chain(&wide.files) {
        let bytes = std::fs::read(f).expect("read");
        let text = std::str::from_utf8(&bytes).expect("UTF-8");
        assert!(!text.contains(';'), "{} contains ';'", f.display());
    }
    let main = std::fs::read_to_string(&rel.files[0]).expect("read");
    for script in [
        "Cyrillic",
        "Greek",
        "Han",
        "Hangul",
        "Devanagari",
        "Georgian",
        "Arabic",
    ] {
        let found = main.chars().any(|c| in_script(c, script));
        assert!(found, "no {script} names in 1000 rows");
    }
}

fn in_script(c: char, script: &str) -> bool {
    let range = match script {
        "Cyrillic" => 0x0400..=0x04FF,
        "Greek" => 0x0370..=0x03FF,
        "Han" => 0x4E00..=0x9FFF,
        "Hangul" => 0xAC00..=0xD7AF,
        "Devanagari" => 0x0900..=0x097F,
        "Georgian" => 0x10A0..=0x10FF,
        _ => 0x0600..=0x06FF,
    };
    range.contains(&(c as u32))
}

#[test]
fn planted_rows_follow_the_ratio_and_cover_every_kind() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (rows, ratio) in [
        (1_000, 0.1),
        (999, 0.33),
        (100, 0.0),
        (50, 1.0),
        (40, f64::NAN),
    ] {
        let r = run(dir.path(), "p.csv", rows, ratio, 9, Layout::Wide);
        let expected = if ratio.is_nan() {
            0
        } else {
            (rows as f64 * ratio).floor() as u64
        };
        assert_eq!(r.invalid_rows(), expected, "{rows} rows at {ratio}");
    }
    let r = run(dir.path(), "p.csv", 2_000, 0.1, 9, Layout::Related);
    let codes: HashSet<_> = Plant::ALL.iter().map(|p| p.code().name()).collect();
    assert_eq!(r.planted.len(), codes.len(), "{:?}", r.planted);
    assert!(r.planted.keys().all(|k| codes.contains(k.as_str())));
}

#[test]
fn the_answer_key_matches_the_report_and_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let report = run(dir.path(), "k.csv", 700, 0.15, 77, Layout::Wide);
    let key = planted_rows(77, 0.15, 700);
    // Every planted row, plus the earlier row of each repeated id.
    let dup = "CLIENT_ID_ALREADY_IN_USE";
    let mut rows_by_id: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for p in key.iter().filter(|p| p.code.name() == dup) {
        rows_by_id.entry(&p.client_id).or_default().push(p.row);
    }
    let planted_dups = report.planted[dup];
    assert!(planted_dups > 0);
    assert!(
        rows_by_id.values().all(|rows| rows.len() >= 2),
        "{rows_by_id:?}"
    );
    let holders = rows_by_id.len() as u64;
    assert_eq!(key.len() as u64, report.invalid_rows() + holders);
    let rejected: std::collections::BTreeSet<u64> = key.iter().map(|p| p.row).collect();
    assert_eq!(rejected.len() as u64, report.rejected_rows());
    let mut by_code: BTreeMap<String, u64> = BTreeMap::new();
    for p in &key {
        *by_code.entry(p.code.name().to_string()).or_default() += 1;
    }
    *by_code.get_mut(dup).unwrap() -= holders;
    assert_eq!(by_code, report.planted);
    let (_, rows) = read_records(&report.files[0]);
    for p in &key {
        assert_eq!(&rows[p.row as usize - 1][0], p.client_id.as_str());
    }
    assert!(key.windows(2).all(|w| w[0].row <= w[1].row));
}

#[test]
fn related_rows_are_in_client_order_and_point_at_clients() {
    let dir = tempfile::tempdir().expect("temp dir");
    let r = run(dir.path(), "o.csv", 2_000, 0.1, 5, Layout::Related);
    let (_, rows) = read_records(&r.files[0]);
    let position: HashMap<String, usize> = rows
        .iter()
        .enumerate()
        .rev()
        .map(|(i, row)| (row[0].to_string(), i))
        .collect();
    for related in &r.files[1..] {
        let (_, rel) = read_records(related);
        let mut last = 0;
        for row in &rel {
            let at = *position
                .get(&row[0])
                .expect("related row of a known client");
            assert!(at >= last, "{} out of client order", &row[0]);
            last = at;
        }
    }
}

#[test]
fn sample_tenant_loads_and_agrees_with_the_generator() {
    let tenant = sample_tenant();
    assert!(tenant.is_known());
    for b in super::org::BRANCHES {
        let branch = tenant.branch(b.id).expect("branch in tenant");
        assert_eq!(branch.state, "ACTIVE");
        for c in b.centres {
            let centre = tenant.centre(c).expect("centre in tenant");
            assert_eq!(
                centre.assigned_branch_key.as_deref(),
                Some(branch.encoded_key.as_str())
            );
        }
        for o in b.officers {
            let user = tenant.user(o).expect("officer in tenant");
            assert!(user.is_credit_officer);
            assert_eq!(
                user.assigned_branch_key.as_deref(),
                Some(branch.encoded_key.as_str())
            );
        }
    }
    let inactive = tenant
        .branch(super::org::INACTIVE_BRANCH)
        .expect("closed branch");
    assert_eq!(inactive.state, "INACTIVE");
    let teller = tenant.user(super::org::NON_OFFICER).expect("teller");
    assert!(!teller.is_credit_officer);
    let unknown = super::org::UNKNOWN_BRANCHES
        .iter()
        .all(|b| tenant.branch(b).is_none())
        && super::org::UNKNOWN_CENTRES
            .iter()
            .all(|c| tenant.centre(c).is_none())
        && super::org::UNKNOWN_OFFICERS
            .iter()
            .all(|u| tenant.user(u).is_none())
        && super::org::UNKNOWN_ROLES
            .iter()
            .all(|r| tenant.client_role(r).is_none())
        && super::org::FIELDS_UNKNOWN
            .iter()
            .all(|f| tenant.custom_field(f).is_none());
    assert!(unknown, "an id meant to be unknown is in the tenant");
    assert_eq!(
        tenant.default_client_role().and_then(|r| r.id.as_deref()),
        Some("IND")
    );
    let walk_in = tenant
        .client_role(super::org::ROLE_WALK_IN)
        .expect("walk-in role");
    assert!(!walk_in.can_have_address);
    assert!(tenant.client_role(super::org::ROLE_STAFF).is_some());
    assert!(tenant
        .custom_field(super::org::FIELD_DEACTIVATED)
        .is_some_and(|f| f.is_deactivated()));
    let tax = tenant.custom_field("Tax_ID").expect("Tax_ID");
    assert!(tax.is_required() && tax.is_unique());
    assert!(tenant.custom_field("NOK_Name").is_some_and(|f| f.grouped));
    assert!(tenant.custom_field("NOK_Phone").is_some_and(|f| f.grouped));
    assert!(!tenant.schema().allow_other_id_documents);
    assert!(tenant.schema().branch_required);
    let keys = tenant
        .schema()
        .branches
        .iter()
        .map(|b| &b.encoded_key)
        .chain(tenant.schema().centres.iter().map(|c| &c.encoded_key))
        .chain(tenant.schema().users.iter().map(|u| &u.encoded_key))
        .chain(tenant.schema().client_roles.iter().map(|r| &r.encoded_key))
        .chain(
            tenant
                .schema()
                .id_document_templates
                .iter()
                .map(|t| &t.encoded_key),
        );
    for k in keys {
        assert!(
            k.len() == 32
                && k.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
    }
}

#[test]
fn mappings_use_the_tenants_template_keys() {
    let tenant = sample_tenant();
    for name in ["clients.toml", "clients-json.toml"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("mappings")
            .join(name);
        let text = std::fs::read_to_string(&path).expect("mapping exists");
        let parsed: toml::Table = text.parse().expect("mapping is TOML");
        assert!(parsed.contains_key("client") && parsed.contains_key("custom_field"));
        for t in &tenant.schema().id_document_templates {
            assert!(
                text.contains(&t.encoded_key),
                "{name} lacks the {} key",
                t.document_type
            );
        }
    }
}

/// The committed samples are exactly what the generator makes; run with
/// `FERRY_REGENERATE_SAMPLES=1` to rewrite them after a deliberate change.
#[test]
fn committed_samples_match_a_fresh_generation() {
    let dir = samples_dir();
    let fresh = tempfile::tempdir().expect("temp dir");
    let regenerate = std::env::var_os("FERRY_REGENERATE_SAMPLES").is_some();
    let target = if regenerate {
        dir.as_path()
    } else {
        fresh.path()
    };
    let report = run_with(
        target,
        "clients.csv",
        SAMPLE_ROWS,
        SAMPLE_INVALID_RATIO,
        SAMPLE_SEED,
        Layout::Related,
        Names::Samples,
    );
    let json = write_json_sample(
        SAMPLE_SEED,
        SAMPLE_INVALID_RATIO,
        SAMPLE_JSON_ROWS,
        &target.join("clients.json"),
    )
    .expect("JSON sample");
    write_answer_key(
        SAMPLE_SEED,
        SAMPLE_INVALID_RATIO,
        SAMPLE_ROWS,
        &target.join("clients_expected.csv"),
    )
    .expect("answer key");
    let names = [
        "clients.csv",
        "clients_addresses.csv",
        "clients_documents.csv",
        "clients.json",
        "clients_expected.csv",
    ];
    for name in names {
        let committed = std::fs::read(dir.join(name)).expect("committed sample exists");
        let now = std::fs::read(target.join(name)).expect("generated");
        assert!(
            committed == now,
            "samples/{name} differs from a fresh generation"
        );
    }
    assert!(report.planted.len() >= 15, "{:?}", report.planted);
    assert_eq!(report.planted.len(), 29, "every planted code appears");

    // The JSON sample is the first clients of the CSV sample.
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("clients.json")).expect("read"))
            .expect("JSON");
    let arr = v.as_array().expect("array");
    assert_eq!(arr.len() as u64, SAMPLE_JSON_ROWS);
    let (_, rows) = read_records(&dir.join("clients.csv"));
    for (j, r) in arr.iter().zip(&rows) {
        assert_eq!(j["customerNo"], &r[0]);
    }
    assert!(json.invalid_rows() > 0);

    // samples/README.md states the planted counts.
    let readme = std::fs::read_to_string(dir.join("README.md")).expect("samples/README.md");
    let codes: BTreeMap<&str, u16> = ReturnCode::ALL
        .iter()
        .map(|c| (c.name(), c.code()))
        .collect();
    for (name, n) in &report.planted {
        let line = format!("| {} | {name} | {n} |", codes[name.as_str()]);
        assert!(readme.contains(&line), "README lacks `{line}`");
    }
    let total = format!("{} of {} clients", report.invalid_rows(), SAMPLE_ROWS);
    assert!(readme.contains(&total), "README lacks `{total}`");
    let more = format!("; {} more are\nrejected", report.id_repeated_later);
    assert!(readme.contains(&more), "README lacks `{more}`");
    assert_eq!(report.id_repeated_later, 3);
}
