//! Writes generated clients as CSV: the main file and, in the related
//! layout, the address and document files keyed by client id.
//!
//! In: one `Record` at a time. Out: UTF-8, `,`-delimited files with a
//! header, records in client order. Fails only with I/O errors.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use super::record::{Record, MAIN_COLUMNS, WIDE_ADDRESS_COLUMNS};
use super::Layout;

const ADDRESS_COLUMNS: &[&str] = &[
    "client_id",
    "street",
    "street2",
    "city",
    "region",
    "zip",
    "country",
];
const DOCUMENT_COLUMNS: &[&str] = &[
    "client_id",
    "doc_type",
    "doc_number",
    "issuer",
    "valid_until",
];

type Out = csv::Writer<File>;

/// The open output files of one generation run.
pub(crate) struct CsvOut {
    layout: Layout,
    main: Out,
    addresses: Option<Out>,
    documents: Option<Out>,
}

/// The related files that belong to `main`: `<stem>_addresses.csv` and
/// `<stem>_documents.csv` beside it.
pub(crate) fn related_paths(main: &Path) -> (PathBuf, PathBuf) {
    let stem = main
        .file_stem()
        .map(|s| s.to_string_lossy())
        .unwrap_or_default();
    let dir = main.parent().unwrap_or_else(|| Path::new(""));
    (
        dir.join(format!("{stem}_addresses.csv")),
        dir.join(format!("{stem}_documents.csv")),
    )
}

fn create(path: &Path, header: &[&str]) -> io::Result<Out> {
    let mut w = csv::WriterBuilder::new()
        .buffer_capacity(1 << 16)
        .from_path(path)?;
    w.write_record(header)?;
    Ok(w)
}

impl CsvOut {
    /// Creates the files and writes their headers; returns them with the
    /// list of paths written.
    pub fn create(main: &Path, layout: Layout) -> io::Result<(Self, Vec<PathBuf>)> {
        let mut files = vec![main.to_path_buf()];
        let main_w = match layout {
            Layout::Related => create(main, MAIN_COLUMNS)?,
            Layout::Wide => {
                let (before_notes, notes) = MAIN_COLUMNS.split_at(MAIN_COLUMNS.len() - 1);
                let header: Vec<&str> = before_notes
                    .iter()
                    .chain(WIDE_ADDRESS_COLUMNS)
                    .chain(notes)
                    .copied()
                    .collect();
                create(main, &header)?
            }
        };
        let (addresses, documents) = match layout {
            Layout::Related => {
                let (a, d) = related_paths(main);
                let aw = create(&a, ADDRESS_COLUMNS)?;
                let dw = create(&d, DOCUMENT_COLUMNS)?;
                files.push(a);
                files.push(d);
                (Some(aw), Some(dw))
            }
            Layout::Wide => (None, None),
        };
        Ok((
            Self {
                layout,
                main: main_w,
                addresses,
                documents,
            },
            files,
        ))
    }

    /// Writes one client to every file it belongs in.
    pub fn write(&mut self, rec: &Record) -> io::Result<()> {
        let f = rec.main_fields();
        match self.layout {
            Layout::Related => self.main.write_record(f)?,
            Layout::Wide => {
                let (before_notes, notes) = f.split_at(f.len() - 1);
                for field in before_notes {
                    self.main.write_field(field)?;
                }
                match rec.addresses().first() {
                    Some(a) => {
                        for field in [&a.street, &a.city, &a.zip, &a.country] {
                            self.main.write_field(field)?;
                        }
                    }
                    None => {
                        for _ in WIDE_ADDRESS_COLUMNS {
                            self.main.write_field("")?;
                        }
                    }
                }
                self.main.write_record(notes)?;
            }
        }
        if !rec.write_related {
            return Ok(());
        }
        if let Some(w) = &mut self.addresses {
            for a in rec.addresses() {
                w.write_record([
                    rec.id.as_str(),
                    &a.street,
                    &a.street2,
                    &a.city,
                    &a.region,
                    &a.zip,
                    &a.country,
                ])?;
            }
        }
        if let Some(w) = &mut self.documents {
            for d in rec.documents() {
                w.write_record([
                    rec.id.as_str(),
                    d.doc_type,
                    &d.number,
                    &d.issuer,
                    &d.valid_until,
                ])?;
            }
        }
        Ok(())
    }

    /// Flushes every file; errors that a drop would swallow surface here.
    pub fn finish(mut self) -> io::Result<()> {
        self.main.flush()?;
        for w in [&mut self.addresses, &mut self.documents]
            .into_iter()
            .flatten()
        {
            w.flush()?;
        }
        Ok(())
    }
}
