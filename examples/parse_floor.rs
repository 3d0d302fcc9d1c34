//! The floor for the dry-run benchmark: parse a CSV file with one reused
//! `csv::ByteRecord` and count its rows, nothing else.
//!
//! In: a CSV path (comma-delimited, header row). Out: the row count and the
//! rate on stdout. Fails with a message and exit code 1 when the file cannot
//! be opened or read.
//!
//!     cargo run --release --example parse_floor -- /tmp/perf/wide1m.csv

use std::time::Instant;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: parse_floor <file.csv>");
        std::process::exit(1);
    };
    let started = Instant::now();
    match count(&path) {
        Ok(rows) => {
            let secs = started.elapsed().as_secs_f64();
            println!(
                "{rows} rows in {secs:.3} s: {:.0} rows/s",
                rows as f64 / secs.max(f64::EPSILON)
            );
        }
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    }
}

/// Data rows in the file (the header is not counted). Ragged rows count:
/// the floor reads what `ferry validate` reads.
fn count(path: &str) -> Result<u64, csv::Error> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .buffer_capacity(64 * 1024)
        .from_path(path)?;
    let mut record = csv::ByteRecord::new();
    let mut rows = 0u64;
    while reader.read_byte_record(&mut record)? {
        rows += 1;
    }
    Ok(rows)
}
