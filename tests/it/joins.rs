//! Related files that cannot silently mis-join: `[[join]]` paths relative to
//! the mapping, `--join NAME=FILE`, the counts of clients with and without
//! a related row, the alarm when related rows match no client, `required`
//! joins (9005), and the command `ferry gen` prints to read its output.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use crate::support::binary::{read_json, repo, repo_path, Ferry};

/// The trimmed values of one column of a CSV file.
fn column(path: &Path, name: &str) -> Vec<String> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let at = r.headers().unwrap().iter().position(|h| h == name).unwrap();
    r.records()
        .map(|rec| rec.unwrap()[at].trim().to_string())
        .collect()
}

/// What a join of `main`'s CUST_NO with `related`'s client_id must count:
/// (clients with a related row, without, related rows matching no client),
/// and the rows (1-based) without.
fn expected(main: &Path, related: &Path) -> ((u64, u64, u64), BTreeSet<u64>) {
    let ids = column(main, "CUST_NO");
    let keys: Vec<String> = column(related, "client_id")
        .into_iter()
        .filter(|k| !k.is_empty())
        .collect();
    let key_set: BTreeSet<&String> = keys.iter().collect();
    let id_set: BTreeSet<&String> = ids.iter().collect();
    let without: BTreeSet<u64> = ids
        .iter()
        .enumerate()
        .filter(|(_, id)| !key_set.contains(id))
        .map(|(i, _)| i as u64 + 1)
        .collect();
    let unused = keys.iter().filter(|k| !id_set.contains(k)).count() as u64;
    let n = ids.len() as u64;
    (
        (n - without.len() as u64, without.len() as u64, unused),
        without,
    )
}

/// The report's `joins` as name → (with, without, unused related rows).
fn join_counts(report: &serde_json::Value) -> BTreeMap<String, (u64, u64, u64)> {
    report["joins"]
        .as_array()
        .expect("joins in report.json")
        .iter()
        .map(|j| {
            (
                j["name"].as_str().unwrap().to_string(),
                (
                    j["with"].as_u64().unwrap(),
                    j["without"].as_u64().unwrap(),
                    j["unused_related_rows"].as_u64().unwrap(),
                ),
            )
        })
        .collect()
}

/// `ferry gen`'s own words for how to read what it wrote, as arguments.
fn printed_command(stderr: &str) -> Vec<String> {
    let text = stderr
        .split_once("with:\n")
        .unwrap_or_else(|| panic!("gen names the command: {stderr}"))
        .1
        .replace("\\\n", " ");
    let mut words: Vec<String> = text.split_whitespace().map(String::from).collect();
    assert_eq!(words.remove(0), "ferry");
    words
}

fn gen(out: &Path, rows: &str, layout: &str) -> String {
    Ferry::new()
        .args([
            "gen", "--rows", rows, "--seed", "5", "--layout", layout, "--out",
        ])
        .arg(out)
        .run()
        .status(0)
        .stderr()
}

#[test]
fn generated_related_files_are_read_with_the_command_gen_prints() {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("gen.csv");
    let stderr = gen(&main, "200", "related");
    let words = printed_command(&stderr);
    let adr = dir.path().join("gen_addresses.csv");
    let docs = dir.path().join("gen_documents.csv");
    assert!(
        words.contains(&format!("addresses={}", adr.display())),
        "{words:?}"
    );
    assert!(
        words.contains(&format!("documents={}", docs.display())),
        "{words:?}"
    );

    let out = dir.path().join("report");
    let ran = Ferry::new()
        .current_dir(&repo())
        .args(&words)
        .arg("--report-dir")
        .arg(&out)
        .run()
        .status(1);
    assert!(
        !ran.stderr().contains("match no client"),
        "{}",
        ran.stderr()
    );
    let report = read_json(&out.join("report.json"));
    let counts = join_counts(&report);
    let (adr_counts, _) = expected(&main, &adr);
    let (doc_counts, _) = expected(&main, &docs);
    assert_eq!(counts["addresses"], adr_counts);
    assert_eq!(counts["documents"], doc_counts);
    assert_eq!(
        adr_counts.2, 0,
        "every generated address belongs to a client"
    );
    assert_eq!(adr_counts.0 + adr_counts.1, 200);
    ran.stdout_has(&format!(
        "addresses: {} of 200 clients have a related row",
        adr_counts.0
    ));

    // Without --join the mapping joins the samples' files: said loudly.
    let wrong = dir.path().join("wrong");
    let words: Vec<&String> = words
        .iter()
        .filter(|w| *w != "--join" && !w.contains('='))
        .collect();
    let ran = Ferry::new()
        .current_dir(&repo())
        .args(words)
        .arg("--report-dir")
        .arg(&wrong)
        .run();
    let report = read_json(&wrong.join("report.json"));
    let (with, without, unused) = join_counts(&report)["addresses"];
    assert_eq!(with + without, 200);
    assert!(unused > 0);
    ran.stderr_has("[[join]] addresses: ")
        .stderr_has("THE FILES DO NOT SEEM TO BELONG TOGETHER")
        .stderr_has("--join addresses=FILE");
    let notes = report["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().contains("match no client")),
        "{notes:?}"
    );
}

#[test]
fn gen_names_the_mapping_of_the_wide_layout_and_its_help_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let stderr = gen(&dir.path().join("w.csv"), "20", "wide");
    let words = printed_command(&stderr);
    assert!(
        words.contains(&"mappings/clients-wide.toml".to_string()),
        "{words:?}"
    );
    assert!(!words.iter().any(|w| w == "--join"), "{words:?}");
    Ferry::new()
        .current_dir(&repo())
        .args(&words)
        .arg("--report-dir")
        .arg(dir.path().join("r"))
        .run()
        .status(1)
        .stdout_has("rows read");
    Ferry::new()
        .args(["gen", "--help"])
        .run()
        .status(0)
        .stdout_has("mappings/clients.toml")
        .stdout_has("mappings/clients-wide.toml")
        .stdout_has("--join addresses=<stem>_addresses.csv");
}

#[test]
fn join_files_are_found_beside_the_mapping_and_a_required_join_reports_9005() {
    let dir = tempfile::tempdir().unwrap();
    let (maps, data) = (dir.path().join("maps"), dir.path().join("data"));
    fs::create_dir_all(&maps).unwrap();
    fs::create_dir_all(&data).unwrap();
    fs::copy(
        repo_path("samples/clients_addresses.csv"),
        data.join("adr.csv"),
    )
    .unwrap();
    fs::copy(
        repo_path("samples/clients_documents.csv"),
        data.join("docs.csv"),
    )
    .unwrap();
    let text = fs::read_to_string(repo_path("mappings/clients.toml"))
        .unwrap()
        .replace("../samples/clients_addresses.csv", "../data/adr.csv")
        .replace("../samples/clients_documents.csv", "../data/docs.csv")
        .replace(
            "name = \"addresses\"\n",
            "name = \"addresses\"\nrequired = true\n",
        );
    assert!(text.contains("required = true") && text.contains("../data/adr.csv"));
    let mapping = maps.join("m.toml");
    fs::write(&mapping, text).unwrap();

    // Run from elsewhere: the paths are the mapping's, not the cwd's.
    let out = dir.path().join("report");
    Ferry::new()
        .current_dir(&repo())
        .arg("validate")
        .arg(repo_path("samples/clients.csv"))
        .arg("--mapping")
        .arg(&mapping)
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .arg("--report-dir")
        .arg(&out)
        .run()
        .status(1);
    let report = read_json(&out.join("report.json"));
    let (counts, without) = expected(
        &repo_path("samples/clients.csv"),
        &repo_path("samples/clients_addresses.csv"),
    );
    assert!(
        !without.is_empty(),
        "the samples have clients without an address"
    );
    assert_eq!(join_counts(&report)["addresses"], counts);
    let missing: BTreeSet<u64> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["code"] == 9005)
        .map(|e| {
            assert_eq!(e["severity"], "error");
            assert!(
                e["message"]
                    .as_str()
                    .unwrap()
                    .contains("join 'addresses' is required"),
                "{e}"
            );
            e["row"].as_u64().unwrap()
        })
        .collect();
    assert_eq!(
        missing, without,
        "9005 on exactly the clients without an address"
    );

    // The same mapping, its files given on the command line (relative to the cwd).
    let out2 = dir.path().join("report2");
    Ferry::new()
        .current_dir(dir.path())
        .arg("validate")
        .arg(repo_path("samples/clients.csv"))
        .arg("--mapping")
        .arg(&mapping)
        .args([
            "--join",
            "addresses=data/adr.csv",
            "--join",
            "documents=data/docs.csv",
        ])
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .arg("--report-dir")
        .arg(&out2)
        .run()
        .status(1);
    let report2 = read_json(&out2.join("report.json"));
    assert_eq!(join_counts(&report2)["addresses"], counts);

    // A file that does not exist is named with the join.
    Ferry::new()
        .arg("validate")
        .arg(repo_path("samples/clients.csv"))
        .arg("--mapping")
        .arg(&mapping)
        .args(["--join", "documents=/nonexistent/docs.csv"])
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .arg("--report-dir")
        .arg(dir.path().join("r3"))
        .run()
        .status(2)
        .stderr_has("[[join]] documents")
        .stderr_has("/nonexistent/docs.csv");
}

#[test]
fn an_unknown_join_name_lists_the_mappings_joins() {
    let dir = tempfile::tempdir().unwrap();
    for verb in [&["validate"][..], &["import", "--sandbox"][..]] {
        let mut f = Ferry::new().args(verb);
        if verb[0] == "import" {
            f = f
                .arg("--sandbox-state")
                .arg(dir.path().join("sb.db"))
                .arg("--ledger")
                .arg(dir.path().join("l.db"));
        }
        f.arg(repo_path("samples/clients.csv"))
            .arg("--mapping")
            .arg(repo_path("mappings/clients.toml"))
            .args(["--join", "adresses=x.csv"])
            .arg("--report-dir")
            .arg(dir.path().join("r"))
            .run()
            .status(2)
            .stderr_has(
                "--join adresses: the mapping has no [[join]] named 'adresses' (joins: addresses, documents)",
            );
    }
    Ferry::new()
        .arg("validate")
        .arg(repo_path("samples/clients.csv"))
        .arg("--mapping")
        .arg(repo_path("mappings/clients.toml"))
        .args(["--join", "addresses"])
        .run()
        .status(2)
        .stderr_has("is not NAME=FILE");
}

/// The first event's key and its clients created so far, from `ferry events`.
fn first_event(ledger: &Path) -> Option<(String, u64)> {
    let out = Ferry::new()
        .args(["events", "--format", "json", "--ledger"])
        .arg(ledger)
        .run();
    if out.code() != 0 {
        return None;
    }
    let list: serde_json::Value = serde_json::from_str(&out.stdout()).ok()?;
    let e = list.get(0)?;
    Some((e["event"].as_str()?.to_string(), e["created"].as_u64()?))
}

#[test]
fn a_resumed_import_reads_the_related_file_its_command_line_gave_and_no_other() {
    use std::process::{Command, Stdio};

    use crate::support::binary::{exported_ids, SandboxProcess};

    let dir = tempfile::tempdir().unwrap();
    // The samples' addresses with every city renamed: a file only --join names.
    let moved = dir.path().join("moved_addresses.csv");
    let mut r = csv::Reader::from_path(repo_path("samples/clients_addresses.csv")).unwrap();
    let header = r.headers().unwrap().clone();
    let city = header.iter().position(|h| h == "city").unwrap();
    let mut w = csv::Writer::from_path(&moved).unwrap();
    w.write_record(&header).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        let row: Vec<&str> = (0..rec.len())
            .map(|i| if i == city { "Othertown" } else { &rec[i] })
            .collect();
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
    drop(w);

    let sb = SandboxProcess::samples(&[]);
    let ledger = dir.path().join("l.db");
    let child = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .arg("import")
        .arg(repo_path("samples/clients.csv"))
        .arg("--mapping")
        .arg(repo_path("mappings/clients.toml"))
        .arg("--tenant")
        .arg(repo_path("samples/tenant.json"))
        .arg("--join")
        .arg(format!("addresses={}", moved.display()))
        .args(["--target", &sb.url, "--rate", "100", "--format", "json"])
        .arg("--ledger")
        .arg(&ledger)
        .arg("--report-dir")
        .arg(dir.path().join("r"))
        .env("MAMBU_API_KEY", &sb.key)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut waited = 0;
    let key = loop {
        if let Some((key, created)) = first_event(&ledger) {
            if created >= 20 {
                break key;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        waited += 1;
        assert!(waited < 1200, "the import never got going");
    };
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    let stopped: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stopped["interrupted"], true, "{stopped}");

    let resume = || {
        Ferry::new()
            .args(["resume", &key, "--ledger"])
            .arg(&ledger)
            .arg("--report-dir")
            .arg(dir.path().join("r"))
            .env("MAMBU_API_KEY", &sb.key)
            .run()
    };
    // The file the import was given has changed: the resume will not mix two.
    let kept = fs::read(&moved).unwrap();
    let mut changed = kept.clone();
    changed.extend_from_slice(b"CL0000001,Nowa 1,,Elsewhere,,00-001,Poland\n");
    fs::write(&moved, &changed).unwrap();
    resume()
        .status(2)
        .stderr_has("has changed since the import began");
    fs::write(&moved, &kept).unwrap();
    resume().status(1);

    // Every client came over once, and every address from the moved file:
    // none from the mapping's own clients_addresses.csv.
    let state = sb.export();
    assert!(exported_ids(&state).values().all(|n| *n == 1));
    assert_eq!(exported_ids(&state).len(), 525);
    let cities: BTreeSet<String> = state["clients"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["addresses"].as_array().cloned().unwrap_or_default())
        .map(|a| a["city"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(cities, BTreeSet::from(["Othertown".to_string()]));
}
