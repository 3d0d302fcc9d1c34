//! `[[join]]`: a related file (addresses, documents) read once and indexed
//! by its key column, so each main row finds its related rows with one hash
//! look-up.
//!
//! In: an open `RowSource` for the related file and the columns the mapping
//! reads from it. Out: a `Join` holding, per key, the related rows cut down
//! to those columns (one `StringRecord` each). Fails with `MappingError`
//! when the key column or a used column is missing or the file cannot be
//! read. Related rows whose key matches no main row are simply never asked
//! for; rows without a key are skipped with a warning.

use std::collections::HashMap;

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
    index: HashMap<Box<str>, Vec<StringRecord>>,
}

impl Join {
    /// Reads every row of `source` and indexes it by `config.key`. `used`
    /// lists the related columns the mapping reads, with the entry that
    /// reads each (for messages); a stored row holds exactly those fields,
    /// in that order.
    pub fn load(
        config: &JoinConfig,
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

        let mut index: HashMap<Box<str>, Vec<StringRecord>> = HashMap::new();
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
            match index.get_mut(k) {
                Some(rows) => rows.push(kept),
                None => {
                    index.insert(k.into(), vec![kept]);
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
            index,
        })
    }

    /// The related rows of a main row, in file order; empty when it has
    /// none (or no key).
    pub fn rows_for(&self, main: &StringRecord) -> &[StringRecord] {
        let k = main.get(self.on).unwrap_or("").trim();
        if k.is_empty() {
            return &[];
        }
        self.index.get(k).map_or(&[], Vec::as_slice)
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
        let e = Join::load(&c, "addr.csv", 0, &used(&["city"]), &mut source(), &mut w).unwrap_err();
        assert_eq!(
            e.to_string(),
            "[[join]] adr key: column 'client' is not in addr.csv (columns: city, client_id, street, unused)"
        );
        let e = Join::load(
            &config(false),
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
}
