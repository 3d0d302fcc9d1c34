//! Client documents from files through the binary, against the sandbox over
//! real HTTP: the dry run's checks on each file, the upload after the
//! create, a revert deleting them with the client, an upsert's earlier
//! picture put back by its revert, and `kill -9` between a create and its
//! uploads (and between an upload and its record) resumed to exactly one
//! upload each; `ferry export` writing them beside the export, read back
//! by an import into a fresh sandbox; `ferry reconcile` comparing them.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::Value;

use crate::support::binary::{repo_path, Ferry, SandboxProcess};

const MAPPING: &str = "mappings/clients-documents.toml";

/// A private copy of the sample export and its images, so a test may
/// change a file.
struct Work {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Work {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        fs::copy(
            repo_path("samples/clients_with_pictures.csv"),
            root.join("clients_with_pictures.csv"),
        )
        .unwrap();
        copy_dir(&repo_path("samples/documents"), &root.join("documents"));
        Self { _dir: dir, root }
    }
    fn path(&self, p: &str) -> PathBuf {
        self.root.join(p)
    }
    fn ledger(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }
    /// `ferry import` of `export` (a file in the work dir) into `sb`.
    fn import(&self, sb: &SandboxProcess, export: &str, ledger: &str, extra: &[&str]) -> Ferry {
        Ferry::new()
            .arg("import")
            .arg(self.path(export))
            .arg("--mapping")
            .arg(repo_path(MAPPING))
            .arg("--tenant")
            .arg(repo_path("samples/tenant.json"))
            .args(["--target", &sb.url, "--ledger", &self.ledger(ledger)])
            .arg("--report-dir")
            .arg(self.path("reports"))
            .args(extra)
            .env("MAMBU_API_KEY", &sb.key)
    }
    fn ferry(&self, ledger: &str, args: &[&str]) -> Ferry {
        Ferry::new()
            .args(args)
            .args(["--ledger", &self.ledger(ledger)])
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// The event key printed by an import.
fn event_key(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("migration event "))
        .and_then(|l| l.split_whitespace().next())
        .expect("the import names its event")
        .to_string()
}

/// What the sample should put on the target: (client id, kind) → file
/// under the work dir.
fn expected_documents() -> BTreeMap<(String, String), String> {
    [
        ("CLD0000001", "PROFILE_PICTURE", "documents/CLD0000001.png"),
        (
            "CLD0000001",
            "SIGNATURE",
            "documents/signatures/CLD0000001.png",
        ),
        ("CLD0000002", "PROFILE_PICTURE", "documents/CLD0000002.jpg"),
        ("CLD0000003", "PROFILE_PICTURE", "documents/CLD0000003.gif"),
        (
            "CLD0000006",
            "SIGNATURE",
            "documents/signatures/CLD0000006.png",
        ),
    ]
    .into_iter()
    .map(|(id, k, f)| ((id.to_string(), k.to_string()), f.to_string()))
    .collect()
}

const VALID: [&str; 8] = [
    "CLD0000001",
    "CLD0000002",
    "CLD0000003",
    "CLD0000006",
    "CLD0000007",
    "CLD0000008",
    "CLD0000009",
    "CLD0000010",
];

/// The document's bytes as `GET …/documents/{kind}` answers them over HTTP,
/// or the HTTP status when there is none.
fn document_bytes(sb: &SandboxProcess, id: &str, kind: &str) -> Result<Vec<u8>, u16> {
    let (status, text) = sb.get_text(&format!("/api/clients/{id}/documents/{kind}"));
    if status != 200 {
        return Err(status);
    }
    let answer: Value = serde_json::from_str(&text).unwrap();
    let answer = answer.as_str().expect("the content as a JSON string");
    let content = answer.split_once(";base64,").map_or(answer, |(_, c)| c);
    Ok(base64::engine::general_purpose::STANDARD
        .decode(content)
        .expect("base64 content"))
}

/// Every (client id, kind) → document metadata in the sandbox's export.
fn exported_documents(sb: &SandboxProcess) -> BTreeMap<(String, String), Value> {
    let export = sb.export();
    let ids: BTreeMap<String, String> = export["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["client"]["encodedKey"].as_str().unwrap().to_string(),
                c["client"]["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    export["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let id = ids
                .get(d["documentHolderKey"].as_str().unwrap())
                .cloned()
                .unwrap_or_else(|| format!("(no client) {d}"));
            ((id, d["kind"].as_str().unwrap().to_string()), d.clone())
        })
        .collect()
}

/// Asserts the target holds exactly the sample's documents, each with the
/// file's bytes.
fn assert_documents_as_files(w: &Work, sb: &SandboxProcess) {
    let expected = expected_documents();
    let held: Vec<(String, String)> = exported_documents(sb).into_keys().collect();
    assert_eq!(held, expected.keys().cloned().collect::<Vec<_>>());
    for ((id, kind), file) in &expected {
        assert_eq!(
            document_bytes(sb, id, kind),
            Ok(fs::read(w.path(file)).unwrap()),
            "{id} {kind}"
        );
    }
    for id in VALID {
        for kind in ["PROFILE_PICTURE", "SIGNATURE"] {
            if !expected.contains_key(&(id.to_string(), kind.to_string())) {
                assert_eq!(document_bytes(sb, id, kind), Err(404), "{id} {kind}");
            }
        }
    }
}

/// (row, kind, state) of every row_documents entry.
fn ledger_documents(path: &str) -> Vec<(i64, String, String)> {
    let db = rusqlite::Connection::open(path).unwrap();
    let mut q = db
        .prepare("SELECT row, kind, state FROM row_documents ORDER BY row, kind")
        .unwrap();
    q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn the_dry_run_names_row_field_and_path_of_a_file_that_is_no_image_or_missing() {
    let w = Work::new();
    Ferry::new()
        .arg("validate")
        .arg(w.path("clients_with_pictures.csv"))
        .arg("--mapping")
        .arg(repo_path(MAPPING))
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .arg("--report-dir")
        .arg(w.path("dry"))
        .arg("--payloads")
        .run()
        .status(1)
        .stdout_has("9008 FERRY_DOCUMENT_FILE_UNREADABLE")
        .stdout_has("9009 FERRY_DOCUMENT_NOT_AN_IMAGE");
    let mut rejects = csv::Reader::from_path(w.path("dry/rejects.csv")).unwrap();
    let headers = rejects.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<(String, String, String)> = rejects
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[col("ferry_row")].to_string(),
                r[col("ferry_error_codes")].to_string(),
                r[col("ferry_error_messages")].to_string(),
            )
        })
        .collect();
    let not_image = w.path("documents/not-a-picture.jpg").display().to_string();
    let missing = w.path("documents/CLD0000005.jpg").display().to_string();
    assert_eq!(
        rows,
        vec![
            (
                "4".into(),
                "9009 FERRY_DOCUMENT_NOT_AN_IMAGE".into(),
                format!("documents.PROFILE_PICTURE: {not_image}: not a JPEG, PNG or GIF image (judged by its content, not its name)")
            ),
            (
                "5".into(),
                "9008 FERRY_DOCUMENT_FILE_UNREADABLE".into(),
                format!("documents.PROFILE_PICTURE: {missing}: no such file")
            ),
        ]
    );
    // The report points the finding at the column that named the file.
    let report: Value =
        serde_json::from_str(&fs::read_to_string(w.path("dry/report.json")).unwrap()).unwrap();
    let errors: Vec<(u64, String, String, u64)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_string(),
                e["column"].as_str().unwrap_or_default().to_string(),
                e["code"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        vec![
            (4, "documents.PROFILE_PICTURE".into(), "PHOTO".into(), 9009),
            (5, "documents.PROFILE_PICTURE".into(), "PHOTO".into(), 9008),
        ]
    );
    // Valid rows carry their files (the pattern's only where one exists);
    // rows without a picture are valid too.
    let payloads: Vec<Value> = fs::read_to_string(w.path("dry/payloads.ndjson"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let files: BTreeMap<(String, String), String> = payloads
        .iter()
        .flat_map(|p| {
            let id = p["client"]["id"].as_str().unwrap().to_string();
            p["documentFiles"]
                .as_object()
                .into_iter()
                .flatten()
                .map(move |(k, v)| ((id.clone(), k.clone()), v.as_str().unwrap().to_string()))
        })
        .collect();
    let want: BTreeMap<(String, String), String> = expected_documents()
        .into_iter()
        .map(|(k, f)| (k, w.path(&f).display().to_string()))
        .collect();
    assert_eq!(payloads.len(), 8);
    assert_eq!(files, want);

    // A smaller limit turns the largest picture away, naming its size.
    let small = w.path("small.toml");
    let text = fs::read_to_string(repo_path(MAPPING))
        .unwrap()
        .replace("max_bytes = 65536", "max_bytes = 200");
    fs::write(&small, text).unwrap();
    Ferry::new()
        .arg("validate")
        .arg(w.path("clients_with_pictures.csv"))
        .arg("--mapping")
        .arg(&small)
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .arg("--report-dir")
        .arg(w.path("dry-small"))
        .run()
        .status(1)
        .stdout_has("9010 FERRY_DOCUMENT_TOO_LARGE");
    let rejects = fs::read_to_string(w.path("dry-small/rejects.csv")).unwrap();
    assert!(
        rejects.contains("CLD0000001.png: 307 bytes, over the limit of 200"),
        "{rejects}"
    );
}

#[test]
fn the_import_uploads_each_file_byte_for_byte_and_the_revert_deletes_them_with_the_client() {
    let w = Work::new();
    let sb = SandboxProcess::samples(&[]);
    let ran = w
        .import(&sb, "clients_with_pictures.csv", "ledger.db", &[])
        .run()
        .status(1) // two rows are rejected on purpose
        .stdout_has("clients created                            8");
    let key = event_key(&ran.stdout());
    assert_documents_as_files(&w, &sb);
    let uploaded: Vec<(i64, String, String)> = expected_documents()
        .keys()
        .map(|(id, kind)| {
            let row = VALID.iter().position(|v| v == id).unwrap();
            let row = [1, 2, 3, 6, 7, 8, 9, 10][row];
            (row, kind.clone(), "UPLOADED".to_string())
        })
        .collect();
    assert_eq!(ledger_documents(&w.ledger("ledger.db")), uploaded);

    // Deleting a client deletes its documents, in the sandbox as in Mambu.
    w.ferry("ledger.db", &["revert", &key])
        .env("MAMBU_API_KEY", &sb.key)
        .run()
        .status(0)
        .stdout_has("8 clients deleted");
    let export = sb.export();
    assert_eq!(export["clients"], serde_json::json!([]));
    assert_eq!(export["documents"], serde_json::json!([]));
    for (id, kind) in expected_documents().keys() {
        assert_eq!(document_bytes(&sb, id, kind), Err(404), "{id} {kind}");
    }
}

#[test]
fn an_upsert_replacing_a_picture_is_reverted_to_the_earlier_bytes() {
    let w = Work::new();
    let sb = SandboxProcess::samples(&[]);
    // Before: CLD0000001 has the GIF as its picture and its signature;
    // CLD0000002 has no picture.
    let csv = fs::read_to_string(w.path("clients_with_pictures.csv")).unwrap();
    let before = csv
        .replace("documents/CLD0000001.png", "documents/CLD0000003.gif")
        .replace("documents/CLD0000002.jpg", "");
    fs::write(w.path("before.csv"), before).unwrap();
    w.import(&sb, "before.csv", "before.db", &[])
        .run()
        .status(1);
    let gif = fs::read(w.path("documents/CLD0000003.gif")).unwrap();
    assert_eq!(
        document_bytes(&sb, "CLD0000001", "PROFILE_PICTURE"),
        Ok(gif.clone())
    );
    assert_eq!(
        document_bytes(&sb, "CLD0000002", "PROFILE_PICTURE"),
        Err(404)
    );
    let before_docs = exported_documents(&sb);
    let before_clients = sb.export()["clients"].clone();

    // The upsert replaces CLD0000001's picture and gives CLD0000002 one;
    // the signature is the same file and is not sent again.
    let ran = w
        .import(
            &sb,
            "clients_with_pictures.csv",
            "upsert.db",
            &["--mode", "upsert"],
        )
        .run()
        .status(1)
        .stdout_has("clients updated                            8");
    let key = event_key(&ran.stdout());
    assert_documents_as_files(&w, &sb);
    let after_docs = exported_documents(&sb);
    let sig = ("CLD0000001".to_string(), "SIGNATURE".to_string());
    assert_eq!(
        after_docs[&sig]["encodedKey"],
        before_docs[&sig]["encodedKey"]
    );
    let db = rusqlite::Connection::open(w.ledger("upsert.db")).unwrap();
    let befores: Vec<(i64, String, Option<i64>, bool)> = db
        .prepare("SELECT row, kind, had_before, before_content IS NOT NULL FROM row_documents ORDER BY row, kind")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        befores,
        vec![
            (1, "PROFILE_PICTURE".into(), Some(1), true),
            (1, "SIGNATURE".into(), Some(1), true),
            (2, "PROFILE_PICTURE".into(), Some(0), false),
            (3, "PROFILE_PICTURE".into(), Some(1), true),
            (6, "SIGNATURE".into(), Some(1), true),
        ]
    );
    drop(db);

    w.ferry("upsert.db", &["revert", &key])
        .env("MAMBU_API_KEY", &sb.key)
        .run()
        .status(0)
        .stdout_has("8 restored");
    assert_eq!(
        document_bytes(&sb, "CLD0000001", "PROFILE_PICTURE"),
        Ok(gif)
    );
    assert_eq!(
        document_bytes(&sb, "CLD0000002", "PROFILE_PICTURE"),
        Err(404)
    );
    let restored = exported_documents(&sb);
    assert_eq!(
        restored.keys().collect::<Vec<_>>(),
        before_docs.keys().collect::<Vec<_>>()
    );
    assert_eq!(
        restored[&sig]["encodedKey"],
        before_docs[&sig]["encodedKey"]
    );
    // The clients are as they were, but for the dates and document keys
    // a re-upload changes.
    let strip = |clients: &Value| -> Value {
        let mut v = clients.clone();
        for c in v.as_array_mut().unwrap() {
            let c = c["client"].as_object_mut().unwrap();
            for k in [
                "lastModifiedDate",
                "profilePictureKey",
                "profileSignatureKey",
            ] {
                c.remove(k);
            }
        }
        v
    };
    assert_eq!(strip(&sb.export()["clients"]), strip(&before_clients));
    assert!(ledger_documents(&w.ledger("upsert.db"))
        .iter()
        .all(|(_, _, s)| s == "RESTORED"));
}

/// Polls the sandbox's export (which has no faults) until `until` holds for
/// the documents of CLD0000001 (`None`: the client does not exist yet),
/// then SIGKILLs `child`. Panics if the moment never comes.
fn kill_when(
    sb: &SandboxProcess,
    mut child: std::process::Child,
    what: &str,
    until: impl Fn(Option<Vec<String>>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let export = sb.export();
        let key = export["clients"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["client"]["id"] == "CLD0000001")
            .map(|c| c["client"]["encodedKey"].clone());
        let kinds = key.map(|k| {
            export["documents"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["documentHolderKey"] == k)
                .map(|d| d["kind"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        });
        if until(kinds) {
            child.kill().unwrap();
            child.wait().unwrap();
            return;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before {what}"
        );
        assert!(Instant::now() < deadline, "never saw {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn killed_between_create_and_upload_then_resumed_each_document_lands_once() {
    let w = Work::new();
    // Every request waits 250 ms before the sandbox carries it out: wide
    // windows between a create and its uploads, and between two uploads.
    let sb = SandboxProcess::samples(&["--faults", "latency=250ms"]);
    let spawn = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_ferry"))
            .args(args)
            .args(["--ledger", &w.ledger("ledger.db"), "--report-dir"])
            .arg(w.path("reports"))
            .env("MAMBU_API_KEY", &sb.key)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let export = w.path("clients_with_pictures.csv").display().to_string();
    let mapping = repo_path(MAPPING).display().to_string();
    let tenant = repo_path("samples/tenant.json").display().to_string();
    // 1. Killed once CLD0000001 exists and none of its documents does.
    kill_when(
        &sb,
        spawn(&[
            "import",
            &export,
            "--mapping",
            &mapping,
            "--tenant",
            &tenant,
            "--target",
            &sb.url,
        ]),
        "CLD0000001 created without documents",
        |kinds| kinds.is_some_and(|k| k.is_empty()),
    );
    let key = {
        let out = w.ferry("ledger.db", &["events"]).run();
        out.stdout()
            .lines()
            .nth(1)
            .and_then(|l| l.split_whitespace().next())
            .expect("an event")
            .to_string()
    };
    let row1 = |db: &str| -> String {
        rusqlite::Connection::open(db)
            .unwrap()
            .query_row(
                "SELECT s.name FROM rows r JOIN row_statuses s ON s.code = r.status WHERE r.row = 1",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(row1(&w.ledger("ledger.db")), "SENT");

    // 2. The resume settles the row, and is killed once the picture is up
    //    and the signature not yet.
    kill_when(
        &sb,
        spawn(&["resume", &key]),
        "CLD0000001's picture up without its signature",
        |kinds| kinds.is_some_and(|k| k == ["PROFILE_PICTURE"]),
    );
    let picture =
        exported_documents(&sb)[&("CLD0000001".to_string(), "PROFILE_PICTURE".to_string())].clone();
    // As if the kill had come between the upload and its record.
    rusqlite::Connection::open(w.ledger("ledger.db"))
        .unwrap()
        .execute(
            "UPDATE row_documents SET state = 'SENT' WHERE row = 1 AND kind = 'PROFILE_PICTURE'",
            [],
        )
        .unwrap();

    // 3. The last resume finishes: the picture is not sent again.
    let done = w
        .ferry("ledger.db", &["resume", &key])
        .arg("--report-dir")
        .arg(w.path("reports"))
        .env("MAMBU_API_KEY", &sb.key)
        .run();
    assert!(matches!(done.code(), 0 | 1), "{}", done.stderr());
    assert_documents_as_files(&w, &sb);
    let docs = exported_documents(&sb);
    assert_eq!(
        docs[&("CLD0000001".to_string(), "PROFILE_PICTURE".to_string())],
        picture,
        "the picture was uploaded once"
    );
    assert!(ledger_documents(&w.ledger("ledger.db"))
        .iter()
        .all(|(_, _, s)| s == "UPLOADED"));
    assert_eq!(ledger_documents(&w.ledger("ledger.db")).len(), 5);
    let doc: Value = serde_json::from_str(
        &w.ferry("ledger.db", &["events", "show", &key])
            .run()
            .status(0)
            .stdout(),
    )
    .unwrap();
    assert_eq!(doc["rows"]["CREATED"], 8, "{doc}");
    assert_eq!(row1(&w.ledger("ledger.db")), "CREATED");
}

#[test]
fn under_lost_answers_and_server_errors_every_document_lands_as_its_file() {
    for seed in ["5", "6", "7"] {
        let w = Work::new();
        // Uploads whose answer is lost are settled by reading the document
        // before sending it again; 5xx answers are retried.
        let sb = SandboxProcess::samples(&[
            "--faults",
            "error=0.15,drop=0.05,lost_response=0.2",
            "--seed",
            seed,
        ]);
        let ran = w
            .import(&sb, "clients_with_pictures.csv", "ledger.db", &[])
            .run();
        assert!(matches!(ran.code(), 1 | 3), "{}", ran.stderr());
        let key = event_key(&ran.stdout());
        for _ in 0..5 {
            let doc: Value = serde_json::from_str(
                &w.ferry("ledger.db", &["events", "show", &key])
                    .run()
                    .stdout(),
            )
            .unwrap();
            if doc["rows"]["CREATED"] == 8 {
                break;
            }
            w.ferry("ledger.db", &["resume", &key])
                .arg("--report-dir")
                .arg(w.path("reports"))
                .env("MAMBU_API_KEY", &sb.key)
                .run();
        }
        // The test's own reads would meet the faults: the export has none.
        let held: BTreeMap<(String, String), Vec<u8>> = exported_documents(&sb)
            .into_iter()
            .map(|(k, d)| {
                let content = d["documentContent"].as_str().unwrap();
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(content)
                    .unwrap();
                (k, bytes)
            })
            .collect();
        let want: BTreeMap<(String, String), Vec<u8>> = expected_documents()
            .into_iter()
            .map(|(k, f)| (k, fs::read(w.path(&f)).unwrap()))
            .collect();
        assert_eq!(held, want, "seed {seed}");
        assert_eq!(
            ledger_documents(&w.ledger("ledger.db"))
                .iter()
                .map(|(_, _, s)| s.as_str())
                .collect::<Vec<_>>(),
            vec!["UPLOADED"; 5],
            "seed {seed}"
        );
    }
}

/// Files by (client dir, file name) → bytes.
type Files = BTreeMap<(String, String), Vec<u8>>;

/// The export's document files, and the modes seen (directories, files).
fn export_files(dir: &Path) -> (Files, Vec<u32>, Vec<u32>) {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let mut files = BTreeMap::new();
    let (mut dirs, mut modes) = (vec![mode(dir)], Vec::new());
    for c in fs::read_dir(dir).unwrap() {
        let c = c.unwrap().path();
        dirs.push(mode(&c));
        for f in fs::read_dir(&c).unwrap() {
            let f = f.unwrap().path();
            modes.push(mode(&f));
            let key = (
                c.file_name().unwrap().to_string_lossy().to_string(),
                f.file_name().unwrap().to_string_lossy().to_string(),
            );
            files.insert(key, fs::read(&f).unwrap());
        }
    }
    (files, dirs, modes)
}

/// (client id, document column) → cell, for the document columns of a CSV export.
fn document_cells(path: &Path) -> BTreeMap<(String, String), String> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().clone();
    let at = |h: &str| header.iter().position(|x| x == h).unwrap();
    let (id, pic, sig) = (at("id"), at("profilePicture"), at("signature"));
    let mut out = BTreeMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        out.insert(
            (rec[id].to_string(), "PROFILE_PICTURE".into()),
            rec[pic].to_string(),
        );
        out.insert(
            (rec[id].to_string(), "SIGNATURE".into()),
            rec[sig].to_string(),
        );
    }
    out
}

/// What an export of the sample's import holds: each expected document as
/// `<name>.documents/<id>/<KIND>.<extension of the original>`, empty cells
/// for the rest.
fn expected_cells(name: &str) -> BTreeMap<(String, String), String> {
    let expected = expected_documents();
    let mut out = BTreeMap::new();
    for id in VALID {
        for kind in ["PROFILE_PICTURE", "SIGNATURE"] {
            let cell = expected
                .get(&(id.to_string(), kind.to_string()))
                .map(|f| {
                    let ext = Path::new(f).extension().unwrap().to_string_lossy();
                    format!("{name}.documents/{id}/{kind}.{ext}")
                })
                .unwrap_or_default();
            out.insert((id.to_string(), kind.to_string()), cell);
        }
    }
    out
}

#[test]
fn an_export_writes_each_document_beside_it_and_an_import_of_the_export_brings_them_back() {
    let w = Work::new();
    let sb = SandboxProcess::samples(&[]);
    let ran = w
        .import(&sb, "clients_with_pictures.csv", "ledger.db", &[])
        .run()
        .status(1);
    let import = event_key(&ran.stdout());
    let tenant = repo_path("samples/tenant.json");
    let out = w.path("out/export.csv");
    w.ferry(
        "ledger.db",
        &["export", "--target", &sb.url, "--page-size", "3"],
    )
    .arg("--tenant")
    .arg(&tenant)
    .arg("--out")
    .arg(&out)
    .env("MAMBU_API_KEY", &sb.key)
    .run()
    .status(0)
    .stdout_has("5 documents in");

    // The files are the originals, byte for byte, named by content; the
    // cells hold their paths relative to the export file's directory.
    let cells = expected_cells("export.csv");
    assert_eq!(document_cells(&out), cells);
    let (files, dirs, modes) = export_files(&w.path("out/export.csv.documents"));
    let want: BTreeMap<(String, String), Vec<u8>> = expected_documents()
        .iter()
        .map(|((id, kind), f)| {
            let name = cells[&(id.clone(), kind.clone())]
                .rsplit('/')
                .next()
                .unwrap()
                .to_string();
            ((id.clone(), name), fs::read(w.path(f)).unwrap())
        })
        .collect();
    assert_eq!(files, want);
    assert!(dirs.iter().all(|m| *m == 0o700), "{dirs:?}");
    assert!(modes.iter().all(|m| *m == 0o600), "{modes:?}");

    // NDJSON: the same paths under `documentFiles`.
    let nd = w.path("out/export.ndjson");
    w.ferry(
        "ledger.db",
        &["export", "--target", &sb.url, "--format", "ndjson"],
    )
    .arg("--out")
    .arg(&nd)
    .env("MAMBU_API_KEY", &sb.key)
    .run()
    .status(0);
    let mut nd_cells = BTreeMap::new();
    for line in fs::read_to_string(&nd).unwrap().lines() {
        let c: Value = serde_json::from_str(line).unwrap();
        let id = c["client"]["id"].as_str().unwrap().to_string();
        for kind in ["PROFILE_PICTURE", "SIGNATURE"] {
            let cell = c["documentFiles"][kind].as_str().unwrap_or_default();
            nd_cells.insert((id.clone(), kind.to_string()), cell.to_string());
        }
    }
    assert_eq!(nd_cells, expected_cells("export.ndjson"));

    // export → validate → import into a fresh sandbox: the same documents.
    let mapping = repo_path("mappings/export-samples.toml");
    Ferry::new()
        .arg("validate")
        .arg(&out)
        .arg("--mapping")
        .arg(&mapping)
        .arg("--tenant")
        .arg(&tenant)
        .arg("--report-dir")
        .arg(w.path("validate"))
        .run()
        .status(0)
        .stdout_has("valid           8");
    let fresh = SandboxProcess::samples(&[]);
    w.ferry("fresh.db", &["import"])
        .arg(&out)
        .arg("--mapping")
        .arg(&mapping)
        .arg("--tenant")
        .arg(&tenant)
        .args(["--target", &fresh.url])
        .arg("--report-dir")
        .arg(w.path("import-fresh"))
        .env("MAMBU_API_KEY", &fresh.key)
        .run()
        .status(0);
    assert_documents_as_files(&w, &fresh);

    // The revert removes them, and a new export shows none.
    w.ferry("ledger.db", &["revert", &import])
        .env("MAMBU_API_KEY", &sb.key)
        .run()
        .status(0);
    for (id, kind) in expected_documents().keys() {
        assert_eq!(document_bytes(&sb, id, kind), Err(404), "{id} {kind}");
    }
    let after = w.path("out/after.csv");
    w.ferry("ledger.db", &["export", "--target", &sb.url])
        .arg("--out")
        .arg(&after)
        .env("MAMBU_API_KEY", &sb.key)
        .run()
        .status(0);
    assert!(document_cells(&after).is_empty());
    assert!(!w.path("out/after.csv.documents").exists());
}

/// A value of the first column of every row `sql` gives, from the ledger.
fn ledger_strings(path: &str, sql: &str) -> Vec<String> {
    let db = rusqlite::Connection::open(path).unwrap();
    let mut q = db.prepare(sql).unwrap();
    q.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_killed_export_resumed_writes_the_documents_of_the_page_it_redoes_again() {
    use std::process::{Command, Stdio};
    let w = Work::new();
    let sb = SandboxProcess::samples(&[]);
    w.import(&sb, "clients_with_pictures.csv", "ledger.db", &[])
        .run()
        .status(1);
    let out = w.path("export.csv");
    let docs = w.path("export.csv.documents");
    // Throttled, a client a page, so that it is still running when killed.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .env("MAMBU_API_KEY", &sb.key)
        .args(["export", "--target", &sb.url, "--page-size", "1"])
        .args(["--rate", "2", "--ledger", &w.ledger("ledger.db")])
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    while fs::read_dir(&docs).map_or(0, |d| d.count()) == 0 {
        assert!(child.try_wait().unwrap().is_none(), "still running");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let ledger = w.ledger("ledger.db");
    let committed = ledger_strings(&ledger, "SELECT client_id FROM export_clients");
    assert!(committed.len() < VALID.len(), "killed mid-way");

    // What a kill leaves of the page being written: a file cut short, or
    // one of a document the client no longer has. Planted for every
    // client the ledger has not committed.
    for ((id, kind), _) in expected_documents() {
        if committed.contains(&id) {
            continue;
        }
        fs::create_dir_all(docs.join(&id)).unwrap();
        fs::write(docs.join(&id).join(format!("{kind}.png")), b"\x89PNG\r\n").unwrap();
        fs::write(docs.join(&id).join(format!("{kind}.bin")), b"half").unwrap();
    }
    let key = ledger_strings(
        &ledger,
        "SELECT encoded_key FROM events WHERE event_type = 'EXPORT'",
    );
    w.ferry("ledger.db", &["export", "--resume", &key[0]])
        .env("MAMBU_API_KEY", &sb.key)
        .run()
        .status(0)
        .stdout_has("resumed");

    // Exactly the originals, each once, and the cells naming them.
    let cells = expected_cells("export.csv");
    assert_eq!(document_cells(&out), cells);
    let (files, _, _) = export_files(&docs);
    let want: BTreeMap<(String, String), Vec<u8>> = expected_documents()
        .iter()
        .map(|((id, kind), f)| {
            let cell = &cells[&(id.clone(), kind.clone())];
            let name = cell.rsplit('/').next().unwrap().to_string();
            ((id.clone(), name), fs::read(w.path(f)).unwrap())
        })
        .collect();
    assert_eq!(files, want);
}

#[test]
fn reconcile_compares_each_document_with_its_file_and_names_one_changed_by_hand() {
    let w = Work::new();
    let sb = SandboxProcess::samples(&[]);
    let ran = w
        .import(&sb, "clients_with_pictures.csv", "ledger.db", &[])
        .run()
        .status(1);
    let key = event_key(&ran.stdout());
    let reconcile = |dir: &str| {
        w.ferry("ledger.db", &["reconcile", &key])
            .arg("--report-dir")
            .arg(w.path(dir))
            .env("MAMBU_API_KEY", &sb.key)
            .run()
    };
    reconcile("fresh")
        .status(0)
        .stdout_has("8 clients checked: 8 matches")
        .stdout_has("5 documents compared with 5 more requests");

    // By hand: CLD0000002's picture becomes another image, CLD0000001's
    // signature goes.
    let gif = fs::read(w.path("documents/CLD0000003.gif")).unwrap();
    let body = serde_json::json!({
        "document": {"documentHolderType": "CLIENT", "name": "other", "type": "gif"},
        "documentContent": base64::engine::general_purpose::STANDARD.encode(&gif),
    });
    assert_eq!(
        sb.send(
            "POST",
            "/api/clients/CLD0000002/documents/PROFILE_PICTURE",
            &body
        ),
        201
    );
    assert_eq!(
        sb.send(
            "DELETE",
            "/api/clients/CLD0000001/documents/SIGNATURE",
            &Value::Null
        ),
        200
    );
    let ran = reconcile("changed")
        .status(1)
        .stdout_has("6 matches")
        .stdout_has("2 differs");
    let out = ran.stdout();
    let line = |id: &str| {
        out.lines()
            .find(|l| l.contains(&format!("client {id}:")))
            .unwrap_or_else(|| panic!("{id} not named: {out}"))
            .to_string()
    };
    assert!(line("CLD0000002").contains("DIFFERS documents.PROFILE_PICTURE"));
    assert!(line("CLD0000001").contains("DIFFERS documents.SIGNATURE"));
    let json: Value =
        serde_json::from_slice(&fs::read(w.path("changed/reconcile.json")).unwrap()).unwrap();
    let differing: BTreeMap<String, Vec<(String, Value)>> = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["finding"] == "DIFFERS")
        .map(|r| {
            let fields = r["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| (f["field"].as_str().unwrap().to_string(), f["now"].clone()))
                .collect();
            (r["clientId"].as_str().unwrap().to_string(), fields)
        })
        .collect();
    assert_eq!(
        differing,
        BTreeMap::from([
            (
                "CLD0000001".to_string(),
                vec![("documents.SIGNATURE".to_string(), Value::Null)]
            ),
            (
                "CLD0000002".to_string(),
                vec![(
                    "documents.PROFILE_PICTURE".to_string(),
                    Value::from(format!("another document ({} bytes)", gif.len()))
                )]
            ),
        ])
    );
}

#[test]
fn an_export_in_the_mappings_own_columns_brings_the_pictures_back_with_that_mapping() {
    let w = Work::new();
    let sb = SandboxProcess::samples(&[]);
    w.import(&sb, "clients_with_pictures.csv", "ledger.db", &[])
        .run()
        .status(1);
    let out = w.path("out/legacy.csv");
    w.ferry("ledger.db", &["export", "--target", &sb.url])
        .arg("--mapping")
        .arg(repo_path(MAPPING))
        .arg("--out")
        .arg(&out)
        .env("MAMBU_API_KEY", &sb.key)
        .run()
        .status(0)
        // The signatures come by a pattern keyed by id, not from a column.
        .stderr_has("not in the export's columns: [documents] signature");
    let fresh = SandboxProcess::samples(&[]);
    Ferry::new()
        .arg("import")
        .arg(&out)
        .arg("--mapping")
        .arg(repo_path(MAPPING))
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .args(["--target", &fresh.url, "--ledger", &w.ledger("fresh.db")])
        .arg("--report-dir")
        .arg(w.path("import-fresh"))
        .env("MAMBU_API_KEY", &fresh.key)
        .run()
        .status(0);
    for ((id, kind), file) in expected_documents() {
        if kind == "PROFILE_PICTURE" {
            assert_eq!(
                document_bytes(&fresh, &id, &kind),
                Ok(fs::read(w.path(&file)).unwrap()),
                "{id} {kind}"
            );
        }
    }
    for id in VALID {
        let (status, _) = fresh.get_text(&format!("/api/clients/{id}"));
        assert_eq!(status, 200, "{id} came over");
    }
}
