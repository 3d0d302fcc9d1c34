//! The pass over CSV read in blocks gives every verdict the serial reader
//! gives.

use super::*;

type Seen = (u64, u64, Vec<String>, Vec<FieldError>);

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Every row's verdict after the pass over `input`, its source parsed
/// in blocks on the pool, or (`serial`) row by row on the reader.
fn verdicts(input: &Path, serial: bool, threads: usize, chunk_rows: usize) -> Vec<Seen> {
    let (mapping, tenant) = (repo("mappings/clients.toml"), repo("samples/tenant.json"));
    let mut prepared = Prepared::load(input, &mapping, Some(&tenant), &[]).unwrap();
    assert!(matches!(prepared.source, Opened::CsvBlocks(_)));
    if serial {
        let spec = Mapping::load(&mapping).unwrap().source_spec();
        let rows = source::open_counted(input, &spec, &prepared.read).unwrap();
        prepared.source = Opened::Rows(rows);
    }
    let opts = CheckOptionsForFile {
        input: input.to_path_buf(),
        mapping,
        tenant: Some(tenant),
        threads: Some(threads),
        chunk_rows,
        progress: false,
        require_id: false,
        joins: Vec::new(),
    };
    let mut seen = Vec::new();
    check_file(prepared, &opts)
        .unwrap()
        .replay(FieldsFor::All, |v| {
            let fields = v.fields.iter().map(str::to_string).collect();
            seen.push((v.row, v.line, fields, v.findings.to_vec()));
            Ok(())
        })
        .unwrap();
    seen
}

/// The sample export, and the same with CRLF line ends, blank lines, a
/// BOM, quoted line breaks, a ragged row and an unterminated quote.
fn variants(dir: &Path) -> Vec<PathBuf> {
    let text = std::fs::read_to_string(repo("samples/clients.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut odd = String::from("\u{FEFF}");
    for (i, line) in lines.iter().enumerate() {
        let line = match i % 7 {
            3 => line.replacen(",,", ",\"two\r\nlines, \"\"quoted\"\"\",", 1),
            5 => format!("{line},extra"),
            _ => line.to_string(),
        };
        odd.push_str(&line);
        odd.push_str(if i % 2 == 0 { "\r\n" } else { "\n\n" });
    }
    odd.push_str("CL9,\"never closed\nMr,Ann\n");
    let files = [("plain.csv", text.clone()), ("odd.csv", odd)];
    files
        .iter()
        .map(|(name, text)| {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect()
}

#[test]
fn the_pass_over_blocks_gives_every_verdict_the_serial_reader_gives() {
    let dir = tempfile::tempdir().unwrap();
    for input in variants(dir.path()) {
        let want = verdicts(&input, true, 1, 4096);
        assert!(want.len() >= 600, "{}", want.len());
        let malformed = want.iter().filter(|v| v.3.iter().any(|f| f.field == "row"));
        assert_eq!(malformed.count() > 0, input.ends_with("odd.csv"));
        for (threads, chunk_rows) in [(1, 1), (2, 7), (2, 4096)] {
            let got = verdicts(&input, false, threads, chunk_rows);
            assert!(
                got == want,
                "{} with {threads} threads, chunks of {chunk_rows}",
                input.display()
            );
        }
    }
}
