//! `success.csv` (row, id, encodedKey) and `failures.csv` (the original row
//! with the target's code and message) of an import, written as answers
//! arrive. Owner-only files; cells defused against formula injection.

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Mutex;

use csv::StringRecord;

use crate::ledger::RowError;
use crate::report::{create_private_dir, create_private_file, defuse};

/// The two files, shared by the pushers.
pub struct OutcomeFiles {
    success: Mutex<csv::Writer<File>>,
    failures: Mutex<csv::Writer<File>>,
}

impl OutcomeFiles {
    /// Creates both files in `dir`; `columns` heads the original fields.
    pub fn create(dir: &Path, columns: &[String]) -> io::Result<Self> {
        create_private_dir(dir)?;
        let mut success = csv::Writer::from_writer(create_private_file(&dir.join("success.csv"))?);
        success.write_record(["row", "id", "encodedKey"])?;
        let mut failures =
            csv::Writer::from_writer(create_private_file(&dir.join("failures.csv"))?);
        let mut header = vec!["row".to_string(), "line".to_string()];
        header.extend(columns.iter().map(|c| defuse(c).into_owned()));
        header.extend([
            "code".to_string(),
            "name".to_string(),
            "message".to_string(),
        ]);
        failures.write_record(&header)?;
        Ok(Self {
            success: Mutex::new(success),
            failures: Mutex::new(failures),
        })
    }

    /// A row that reached the target.
    pub fn success(&self, row: u64, id: &str, key: &str) -> io::Result<()> {
        let mut w = self
            .success
            .lock()
            .map_err(|_| io::Error::other("success.csv writer poisoned"))?;
        w.write_record([row.to_string().as_str(), &defuse(id), &defuse(key)])?;
        Ok(())
    }

    /// A row the target refused (or that could not be sent).
    pub fn failure(
        &self,
        row: u64,
        line: u64,
        fields: &StringRecord,
        error: &RowError,
    ) -> io::Result<()> {
        let mut w = self
            .failures
            .lock()
            .map_err(|_| io::Error::other("failures.csv writer poisoned"))?;
        let mut rec = StringRecord::new();
        rec.push_field(&row.to_string());
        rec.push_field(&line.to_string());
        for f in fields {
            rec.push_field(&defuse(f));
        }
        rec.push_field(&error.code.to_string());
        rec.push_field(&defuse(&error.name));
        rec.push_field(&defuse(&error.message));
        w.write_record(&rec)?;
        Ok(())
    }

    /// Flushes both files.
    pub fn finish(&self) -> io::Result<()> {
        for w in [&self.success, &self.failures] {
            w.lock()
                .map_err(|_| io::Error::other("writer poisoned"))?
                .flush()?;
        }
        Ok(())
    }
}
