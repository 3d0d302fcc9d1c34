//! `ferry export --mapping`: the export under a mapping's legacy columns,
//! read back by the same mapping into a fresh tenant, gives the same
//! clients field for field.

use std::path::Path;

use crate::export::{rows_by_id, Work};
use crate::support::binary::{gen_wide, repo_path, Ferry, SandboxProcess};

fn header(path: &Path) -> Vec<String> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.headers().unwrap().iter().map(String::from).collect()
}

#[test]
fn an_export_in_the_mappings_legacy_columns_imports_into_a_fresh_tenant_as_the_same_clients() {
    let w = Work::new();
    let tenant = repo_path("samples/tenant.json");
    let mapping = repo_path("mappings/clients-wide.toml");
    let source = w.path("wide.csv");
    gen_wide(&source, 300, "0", 11);
    let first = SandboxProcess::samples(&[]);
    let import = |file: &Path, sb: &SandboxProcess, dir: &str| {
        w.ferry(&["import"])
            .arg(file)
            .arg("--mapping")
            .arg(&mapping)
            .arg("--tenant")
            .arg(&tenant)
            .args(["--target", &sb.url, "--report-dir"])
            .arg(w.path(dir))
            .run()
            .status(0);
    };
    import(&source, &first, "import-first");

    let legacy = w.path("legacy.csv");
    w.ferry(&["export", "--target", &first.url])
        .arg("--tenant")
        .arg(&tenant)
        .arg("--mapping")
        .arg(&mapping)
        .arg("--out")
        .arg(&legacy)
        .run()
        .status(0);
    // The legacy file speaks the export's language: every column it has is
    // one of the source's.
    let source_columns = header(&source);
    let legacy_columns = header(&legacy);
    assert!(legacy_columns.len() > 10, "{legacy_columns:?}");
    for c in &legacy_columns {
        assert!(
            source_columns.contains(c),
            "{c} is not a column of the export"
        );
    }
    Ferry::new()
        .arg("validate")
        .arg(&legacy)
        .arg("--mapping")
        .arg(&mapping)
        .arg("--tenant")
        .arg(&tenant)
        .arg("--report-dir")
        .arg(w.path("validate"))
        .run()
        .status(0);

    let fresh = SandboxProcess::samples(&[]);
    import(&legacy, &fresh, "import-fresh");
    let plain = |sb: &SandboxProcess, out: &str| {
        w.ferry(&["export", "--target", &sb.url])
            .arg("--tenant")
            .arg(&tenant)
            .arg("--out")
            .arg(w.path(out))
            .run()
            .status(0);
        rows_by_id(&w.path(out))
    };
    let before = plain(&first, "first.csv");
    assert_eq!(before.len(), 300);
    let after = plain(&fresh, "fresh.csv");
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    let differences: Vec<String> = before
        .iter()
        .flat_map(|(id, row)| {
            let now = &after[id];
            row.iter()
                .filter(move |(c, v)| now.get(*c) != Some(v))
                .map(move |(c, v)| format!("{id} {c}: {v:?} → {:?}", now.get(c)))
        })
        .collect();
    assert!(
        differences.is_empty(),
        "{} differences, the first: {:#?}",
        differences.len(),
        &differences[..differences.len().min(12)]
    );
}

#[test]
fn entries_a_legacy_file_cannot_carry_are_named_and_ndjson_is_refused() {
    let w = Work::new();
    let sb = SandboxProcess::samples(&[]);
    crate::export::import_samples(&w, &sb);
    w.ferry(&["export", "--target", &sb.url])
        .arg("--mapping")
        .arg(repo_path("mappings/clients.toml"))
        .arg("--out")
        .arg(w.path("legacy.csv"))
        .run()
        .status(0)
        .stderr_has(
            "not in the export's columns: [address]: from the related file of [[join]] addresses",
        );
    w.ferry(&["export", "--target", &sb.url, "--format", "ndjson"])
        .arg("--mapping")
        .arg(repo_path("mappings/clients.toml"))
        .arg("--out")
        .arg(w.path("legacy.ndjson"))
        .run()
        .status(2)
        .stderr_has("--mapping names CSV columns: it needs --format csv");
}
