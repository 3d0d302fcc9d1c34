//! `[[join]]`: a related file (addresses, documents) read once and indexed
//! by its key column, so each main row finds its related rows with one hash
//! look-up.
//!
//! In: an open `RowSource` for the related file and the columns the mapping
//! reads from it. Out: a `Join` holding, per key, the related rows cut down
//! to those columns (one `StringRecord` each), and, as main rows are
//! mapped, how many clients had related rows and which related rows no
//! client asked for (`JoinCount`: files that do not belong together show
//! here). Fails with `MappingError` when the key column or a used column is
//! missing or the file cannot be read. Rows without a key are skipped with
//! a warning.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use csv::StringRecord;

use super::columns;
use super::config::JoinConfig;
use super::error::MappingError;
use crate::source::RowSource;

/// A loaded, indexed related file.
#[derive(Debug)]
pub struct Join {
    /// The join's name in the mapping.
    pub name: String,
    /// The related file's name, as reports show it (`addresses.csv`).
    pub file_label: String,
    /// The main file's column holding the key.
    pub on: usize,
    /// Whether a main row without related rows is an error (9005).
    pub required: bool,
    /// The related file's key column name, for messages.
    pub key_column: String,
    /// The related file as opened (for the counts).
    path: String,
    index: HashMap<Box<str>, Related>,
    /// Related rows indexed (rows with a key).
    related_rows: u64,
    with: AtomicU64,
    without: AtomicU64,
}

/// The related rows of one key, and whether a client asked for them.
#[derive(Debug)]
struct Related {
    rows: Vec<StringRecord>,
    asked: AtomicBool,
}

/// How a join matched, counted over the clients mapped (rows the reader
/// could not read are not mapped and not counted).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct JoinCount {
    /// The join's name in the mapping.
    pub name: String,
    /// The related file, as opened.
    pub file: String,
    /// Clients with at least one related row.
    pub with: u64,
    /// Clients without any.
    pub without: u64,
    /// Related rows read (with a key).
    pub related_rows: u64,
    /// Related rows whose key matched no client.
    pub unused_related_rows: u64,
}

impl JoinCount {
    /// Share of related rows, above which unmatched ones mean the files
    /// probably do not belong together.
    const UNUSED_ALARM: f64 = 0.5;

    /// A loud warning when most related rows match no client (the related
    /// file is probably from another export). Not for a subset of an export
    /// (a `rejects.csv` read back), where that is expected.
    pub fn mismatch_warning(&self, main_is_subset: bool) -> Option<String> {
        if main_is_subset || self.related_rows == 0 {
            return None;
        }
        let share = self.unused_related_rows as f64 / self.related_rows as f64;
        (share > Self::UNUSED_ALARM).then(|| {
            format!(
                "[[join]] {}: {} of {} related rows of {} ({:.0}%) match no client: \
                 THE FILES DO NOT SEEM TO BELONG TOGETHER; {} of {} clients got a related row. \
                 Give the right file with --join {}=FILE",
                self.name,
                self.unused_related_rows,
                self.related_rows,
                self.file,
                share * 100.0,
                self.with,
                self.with + self.without,
                self.name
            )
        })
    }
}

impl Join {
    /// Reads every row of `source` and indexes it by `config.key`. `used`
    /// lists the related columns the mapping reads, with the entry that
    /// reads each (for messages); a stored row holds exactly those fields,
    /// in that order.
    pub fn load(
        config: &JoinConfig,
        path: &str,
        file_label: &str,
        on: usize,
        used: &[(String, String)],
        source: &mut dyn RowSource,
        warnings: &mut Vec<String>,
    ) -> Result<Self, MappingError> {
        let entry = format!("[[join]] {}", config.name);
        let cols = source.columns().to_vec();
        let key = columns::find(&cols, &config.key, file_label)
            .map_err(|m| MappingError::entry(format!("{entry} key"), m))?;
        let picks = used
            .iter()
            .map(|(column, used_by)| {
                columns::find(&cols, column, file_label)
                    .map_err(|m| MappingError::entry(used_by, m))
            })
            .collect::<Result<Vec<usize>, _>>()?;

        let mut index: HashMap<Box<str>, Related> = HashMap::new();
        let mut related_rows = 0u64;
        let (mut unclean, mut keyless) = (0usize, 0usize);
        let mut first_problem = None;
        while let Some(row) = source
            .next_row()
            .map_err(|e| MappingError::entry(&entry, e.to_string()))?
        {
            if let Some(p) = &row.problem {
                unclean += 1;
                first_problem.get_or_insert_with(|| format!("line {}: {}", row.line, p.message));
            }
            let k = row.fields.get(key).unwrap_or("").trim();
            if k.is_empty() {
                keyless += 1;
                continue;
            }
            let mut kept = StringRecord::with_capacity(
                picks
                    .iter()
                    .map(|&i| row.fields.get(i).map_or(0, str::len))
                    .sum(),
                picks.len(),
            );
            for &i in &picks {
                kept.push_field(row.fields.get(i).unwrap_or(""));
            }
            related_rows += 1;
            match index.get_mut(k) {
                Some(r) => r.rows.push(kept),
                None => {
                    index.insert(
                        k.into(),
                        Related {
                            rows: vec![kept],
                            asked: AtomicBool::new(false),
                        },
                    );
                }
            }
        }
        if unclean > 0 {
            warnings.push(format!(
                "{entry}: {unclean} row(s) of {file_label} could not be read cleanly and were used as read (first: {})",
                first_problem.unwrap_or_default()
            ));
        }
        if keyless > 0 {
            warnings.push(format!(
                "{entry}: {keyless} row(s) of {file_label} have no '{}' and were skipped",
                config.key
            ));
        }
        index.shrink_to_fit();
        Ok(Self {
            name: config.name.clone(),
            file_label: file_label.to_string(),
            on,
            required: config.required,
            key_column: config.key.clone(),
            path: path.to_string(),
            index,
            related_rows,
            with: AtomicU64::new(0),
            without: AtomicU64::new(0),
        })
    }

    fn related(&self, main: &StringRecord) -> Option<&Related> {
        let k = main.get(self.on).unwrap_or("").trim();
        if k.is_empty() {
            return None;
        }
        self.index.get(k)
    }

    /// The related rows of a main row, in file order; empty when it has
    /// none (or no key).
    pub fn rows_for(&self, main: &StringRecord) -> &[StringRecord] {
        self.related(main).map_or(&[], |r| r.rows.as_slice())
    }

    /// Counts a client being mapped (once per main row) and returns
    /// whether it has related rows.
    pub fn count(&self, main: &StringRecord) -> bool {
        match self.related(main) {
            Some(r) => {
                self.with.fetch_add(1, Ordering::Relaxed);
                // Read first: most keys are asked for once, and a store
                // would make every thread write the shared line.
                if !r.asked.load(Ordering::Relaxed) {
                    r.asked.store(true, Ordering::Relaxed);
                }
                true
            }
            None => {
                self.without.fetch_add(1, Ordering::Relaxed);
                false
            }
        }
    }

    /// The counts so far (final once every row is mapped).
    pub fn counts(&self) -> JoinCount {
        let unused = self
            .index
            .values()
            .filter(|r| !r.asked.load(Ordering::Relaxed))
            .map(|r| r.rows.len() as u64)
            .sum();
        JoinCount {
            name: self.name.clone(),
            file: self.path.clone(),
            with: self.with.load(Ordering::Relaxed),
            without: self.without.load(Ordering::Relaxed),
            related_rows: self.related_rows,
            unused_related_rows: unused,
        }
    }

    /// How many distinct keys the file has.
    #[cfg(test)]
    pub fn keys(&self) -> usize {
        self.index.len()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{record, VecSource};
    use super::*;
    use crate::source::SourceSpec;

    fn config(required: bool) -> JoinConfig {
        JoinConfig {
            name: "adr".into(),
            file: "dir/addr.csv".into(),
            key: "client_id".into(),
            on: "NO".into(),
            required,
            source: SourceSpec::default(),
        }
    }

    fn used(cols: &[&str]) -> Vec<(String, String)> {
        cols.iter()
            .map(|c| (c.to_string(), format!("[address] {c}")))
            .collect()
    }

    fn source() -> VecSource {
        VecSource::new(
            &["city", "client_id", "street", "unused"],
            &[
                &["Berlin", "C1", "Main St 1", "x"],
                &["Paris", " C2 ", "Rue 2", "y"],
                &["Rome", "C1", "Via 3", "z"],
                &["Orphan", "C9", "Nowhere", "w"],
                &["Keyless", "", "-", "v"],
            ],
        )
    }

    #[test]
    fn rows_are_indexed_by_key_and_cut_to_used_columns() {
        let mut w = Vec::new();
        let j = Join::load(
            &config(false),
            "dir/addr.csv",
            "addr.csv",
            0,
            &used(&["street", "city"]),
            &mut source(),
            &mut w,
        )
        .unwrap();
        let rows = j.rows_for(&record(&["C1"]));
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0].iter().collect::<Vec<_>>(),
            vec!["Main St 1", "Berlin"]
        );
        assert_eq!(rows[1].iter().collect::<Vec<_>>(), vec!["Via 3", "Rome"]);
        assert_eq!(
            j.rows_for(&record(&[" C2"])).len(),
            1,
            "keys are trimmed on both sides"
        );
        assert!(j.rows_for(&record(&["C3"])).is_empty());
        assert!(j.rows_for(&record(&[""])).is_empty());
        assert!(j.rows_for(&record(&[])).is_empty());
        assert_eq!(
            j.keys(),
            3,
            "an unmatched related row is kept, not an error"
        );
        assert_eq!(w.len(), 1);
        assert!(
            w[0].contains("1 row(s) of addr.csv have no 'client_id'"),
            "{w:?}"
        );
    }

    #[test]
    fn unclean_rows_are_counted() {
        let mut src = source();
        src.problem_at(1, "ragged row");
        let mut w = Vec::new();
        Join::load(
            &config(false),
            "dir/addr.csv",
            "addr.csv",
            0,
            &used(&["city"]),
            &mut src,
            &mut w,
        )
        .unwrap();
        assert!(
            w[0].starts_with("[[join]] adr: 1 row(s) of addr.csv could not be read cleanly"),
            "{w:?}"
        );
        assert!(w[0].contains("ragged row"), "{w:?}");
    }

    #[test]
    fn missing_columns_name_the_entry() {
        let mut w = Vec::new();
        let mut c = config(false);
        c.key = "client".into();
        let e = Join::load(
            &c,
            "dir/addr.csv",
            "addr.csv",
            0,
            &used(&["city"]),
            &mut source(),
            &mut w,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "[[join]] adr key: column 'client' is not in addr.csv (columns: city, client_id, street, unused)"
        );
        let e = Join::load(
            &config(false),
            "dir/addr.csv",
            "addr.csv",
            0,
            &used(&["zip"]),
            &mut source(),
            &mut w,
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("[address] zip: column 'zip' is not in addr.csv"),
            "{e}"
        );
    }

    #[test]
    fn clients_with_and_without_related_rows_and_unasked_rows_are_counted() {
        let mut w = Vec::new();
        let j = Join::load(
            &config(false),
            "dir/addr.csv",
            "addr.csv",
            0,
            &used(&["city"]),
            &mut source(),
            &mut w,
        )
        .unwrap();
        for key in ["C1", "C1", "C3", "", " C2 "] {
            j.count(&record(&[key]));
        }
        assert_eq!(
            j.counts(),
            JoinCount {
                name: "adr".into(),
                file: "dir/addr.csv".into(),
                with: 3,
                without: 2,
                related_rows: 4,
                unused_related_rows: 1,
            }
        );
        assert!(
            j.counts().mismatch_warning(false).is_none(),
            "1 of 4 is no alarm"
        );

        let k = Join::load(
            &config(false),
            "dir/addr.csv",
            "addr.csv",
            0,
            &used(&["city"]),
            &mut source(),
            &mut w,
        )
        .unwrap();
        k.count(&record(&["C2"]));
        let c = k.counts();
        assert_eq!((c.with, c.without, c.unused_related_rows), (1, 0, 3));
        let loud = c.mismatch_warning(false).expect("3 of 4 unmatched");
        assert!(
            loud.starts_with(
                "[[join]] adr: 3 of 4 related rows of dir/addr.csv (75%) match no client"
            ),
            "{loud}"
        );
        assert!(loud.contains("--join adr=FILE"), "{loud}");
        assert!(c.mismatch_warning(true).is_none(), "a subset expects it");
    }
}
