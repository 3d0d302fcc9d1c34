//! `ferry export`: every client of the target that passes the filters,
//! with full details, into a CSV or NDJSON file, recorded as an EXPORT
//! migration event and resumable after a crash.
//!
//! In: a target (URL or embedded sandbox), filters (branch, states, a
//! creation-date range), a page size, an output file and format. Out: the
//! file (mode 0600), an EXPORT event in the ledger with its count, and an
//! [`ExportSummary`]. Fails with [`ExportError`]: a target that cannot be
//! reached or refuses a page, an output file that cannot be written, a
//! ledger error. Nothing is ever sent to the target but reads.
//!
//! # Paging, and why no client is written twice or skipped
//!
//! Pages come from `GET /api/clients?offset&limit&fullDetails=true`, or,
//! with filters, from `POST /api/clients/search` with `filterConstraints`
//! (`BRANCH_KEY EQUALS`, `CLIENT_STATE IN`, `CREATION_DATE BETWEEN`), both
//! in the API's order, which is creation order: an update does not move a
//! client, a new client joins at the end, a deleted one leaves a gap that
//! shifts everything after it one place forward.
//!
//! So the clients written are always the first clients of the current
//! order (less those deleted since). Each page is asked for one place
//! early, at `offset - 1`, and one client longer, so that its first client
//! is the last one written. If that first client is one the export has written, the page
//! continues exactly where the file ends; if it is not (clients before the
//! cursor were deleted, shifting the order forward), the export steps back
//! a page and asks again until it is, so a deletion never makes it skip a
//! client. A client met again (the overlap, a step back, a resumed page)
//! is recognised by its encoded key and not written twice.
//!
//! After each page the file is fsynced, then the ledger commits the file's
//! length, the next offset and the encoded keys of the page's clients in
//! one transaction (`ledger::export_store`). `ferry export --resume EVENT`
//! cuts the file back to the committed length (dropping a page written but
//! not committed) and continues from the committed offset.
//!
//! Clients created while the export runs join the end of the order and
//! are written when the export reaches them: the export ends at the first
//! page that comes back short, so every client created before that page
//! was asked for is in the file, and one created later is not. A client
//! that comes to pass the filters while the export runs (its state or
//! branch changed) may land before the cursor and is then not in the file.
//!
//! The CSV's columns are in `columns`, the paging in `page`, and the
//! documents written beside the file in `documents`.

use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::target_session::{Pace, Session, SessionError, TargetChoice};
use crate::ledger::{ExportPage, Ledger, LedgerError};
use crate::mapping::{LegacyColumns, Mapping};
use crate::tenant::Tenant;

mod columns;
mod documents;
mod page;

use columns::csv_line;
pub use columns::{
    csv_columns, flatten, ADDRESS_FIELDS, CLIENT_COLUMNS, DOCUMENT_COLUMNS, DOCUMENT_FILES_KEY,
    GROUP_COLUMNS, ID_DOCUMENT_COLUMNS, ID_DOCUMENT_FIELDS,
};
use documents::{client_documents, DocError};
use page::encoded_key;

pub use documents::documents_dir;
pub use page::{fetch_page, Filters, PageQuery, MAX_PAGE};

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One row per client, flattened.
    Csv,
    /// One full client per line, as the API gives it.
    Ndjson,
}

impl Format {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Ndjson => "ndjson",
        }
    }

    fn parse(s: &str) -> Option<Format> {
        match s {
            "csv" => Some(Format::Csv),
            "ndjson" => Some(Format::Ndjson),
            _ => None,
        }
    }
}

/// What `ferry export` needs.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Where to read from.
    pub target: TargetChoice,
    /// Credentials for a URL target.
    pub credentials_file: Option<PathBuf>,
    /// Rate, concurrency and timeout.
    pub pace: Pace,
    /// The ledger file.
    pub ledger: PathBuf,
    /// Start a new export, or continue one.
    pub run: ExportRun,
}

/// A new export, or the continuation of one.
#[derive(Debug, Clone)]
pub enum ExportRun {
    /// A new export.
    New {
        /// The output file.
        out: PathBuf,
        /// CSV or NDJSON.
        format: Format,
        /// Which clients.
        filters: Filters,
        /// Clients per page (1..=1000).
        page_size: usize,
        /// The tenant file whose custom fields get CSV columns.
        tenant: Option<PathBuf>,
        /// A mapping whose legacy column names the CSV takes
        /// (`mapping::LegacyColumns`), so that the mapping reads it back.
        mapping: Option<PathBuf>,
    },
    /// Continue the EXPORT event with this key (a unique prefix will do).
    Resume(String),
}

/// What an export did.
#[derive(Debug, Clone)]
pub struct ExportSummary {
    /// The EXPORT event.
    pub event: String,
    /// The output file.
    pub out: PathBuf,
    /// Clients in the file.
    pub exported: u64,
    /// Documents this run wrote beside the file.
    pub documents: u64,
    /// The directory documents are written to (`<out>.documents`).
    pub documents_dir: PathBuf,
    /// Requests this run made (probe and retries included).
    pub requests: u64,
    /// Whether this run continued an earlier one.
    pub resumed: bool,
}

/// Why the export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The target could not be used.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The output file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The target refused or did not answer a page; the export can be resumed.
    #[error("export {event}: {message} (continue with `ferry export --resume {event}`)")]
    Page {
        /// The event to resume.
        event: String,
        /// What happened.
        message: String,
    },
    /// A bad option or event.
    #[error("{0}")]
    Usage(String),
}

/// The query as the ledger keeps it, so a resume asks the same.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct StoredQuery {
    filters: Filters,
    page_size: usize,
    /// The CSV header (empty for NDJSON); with a mapping, the export
    /// columns its legacy columns are read from.
    columns: Vec<String>,
    /// The mapping whose legacy columns the CSV has (absolute path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mapping: Option<PathBuf>,
}

/// The legacy columns of the mapping at `path`.
pub fn legacy_columns(path: &Path) -> Result<LegacyColumns, ExportError> {
    Mapping::load(path)
        .map(|m| LegacyColumns::from_mapping(&m))
        .map_err(|e| ExportError::Usage(e.to_string()))
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Runs the export (a new one or a resumed one) to its end.
pub fn export(opts: &ExportOptions) -> Result<ExportSummary, ExportError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| ExportError::Usage(format!("cannot start the runtime: {e}")))?;
    rt.block_on(run(opts))
}

async fn run(opts: &ExportOptions) -> Result<ExportSummary, ExportError> {
    let mut ledger;
    let key;
    let resumed;
    let target_choice;
    match &opts.run {
        ExportRun::New {
            out,
            format,
            filters,
            page_size,
            tenant,
            mapping,
        } => {
            if !(1..=MAX_PAGE).contains(page_size) {
                return Err(ExportError::Usage(format!(
                    "--page-size must be 1 to {MAX_PAGE}"
                )));
            }
            let columns = match (format, tenant) {
                (Format::Ndjson, _) => Vec::new(),
                (Format::Csv, Some(t)) => {
                    let t = Tenant::load(t).map_err(|e| ExportError::Usage(e.to_string()))?;
                    let fields: Vec<(String, bool)> = t
                        .custom_fields()
                        .iter()
                        .map(|f| (f.id().to_string(), f.grouped))
                        .collect();
                    csv_columns(&fields)
                }
                (Format::Csv, None) => csv_columns(&[]),
            };
            let mut columns = columns;
            let mapping = match (mapping, format) {
                (None, _) => None,
                (Some(_), Format::Ndjson) => {
                    return Err(ExportError::Usage(
                        "--mapping names CSV columns: it needs --format csv".into(),
                    ))
                }
                (Some(m), Format::Csv) => {
                    // Columns the mapping reads that the tenant did not name
                    // (a custom field of a tenant file not given) are added.
                    for c in legacy_columns(m)?.export_columns() {
                        if !columns.iter().any(|have| have == c) {
                            columns.push(c.to_string());
                        }
                    }
                    Some(std::path::absolute(m).map_err(io_err(m))?)
                }
            };
            let mut filters = filters.clone();
            if let (Some(b), Some(t)) = (&filters.branch, tenant) {
                let t = Tenant::load(t).map_err(|e| ExportError::Usage(e.to_string()))?;
                filters.branch = Some(t.branch_key(b));
            }
            let query = StoredQuery {
                filters,
                page_size: *page_size,
                columns,
                mapping,
            };
            let out_abs = std::path::absolute(out).map_err(io_err(out))?;
            if out_abs.exists() {
                return Err(ExportError::Usage(format!(
                    "{} exists: an export writes a new file (or continues its own with --resume)",
                    out.display()
                )));
            }
            let docs = documents_dir(&out_abs);
            if docs.exists() {
                return Err(ExportError::Usage(format!(
                    "{} exists: an export writes its documents into a new directory",
                    docs.display()
                )));
            }
            if let Some(dir) = out_abs.parent() {
                crate::private_files::create_dir_all(dir).map_err(io_err(dir))?;
            }
            // Connect first: an unreachable target leaves no event behind.
            let session =
                Session::connect(&opts.target, opts.credentials_file.as_deref(), opts.pace).await?;
            ledger = Ledger::open(&opts.ledger)?;
            let stored = serde_json::to_string(&query).unwrap_or_default();
            let ev = ledger.create_export(&session.label, &out_abs, format.as_str(), &stored)?;
            key = ev.encoded_key;
            // The file, with its header, exists before the first page.
            let mut f = crate::private_files::create_file(&out_abs).map_err(io_err(out))?;
            let header = match &query.mapping {
                Some(m) => csv_line(&legacy_columns(m)?.header()),
                None if query.columns.is_empty() => Vec::new(),
                None => csv_line(&query.columns),
            };
            f.write_all(&header).map_err(io_err(out))?;
            f.sync_all().map_err(io_err(out))?;
            ledger.record_export_page(
                &key,
                &ExportPage {
                    written_bytes: header.len() as u64,
                    ..ExportPage::default()
                },
            )?;
            resumed = false;
            let result = pages(&session, &mut ledger, &key).await;
            session.close().await;
            return result.map(|mut s| {
                s.resumed = resumed;
                s
            });
        }
        ExportRun::Resume(event) => {
            ledger = Ledger::open_existing(&opts.ledger)?;
            let ev = ledger.event(event)?;
            if ev.event_type != crate::model::MigrationEventType::Export {
                return Err(ExportError::Usage(format!(
                    "event {} is an {} event, not an export",
                    ev.encoded_key,
                    ev.event_type.as_str()
                )));
            }
            key = ev.encoded_key.clone();
            let st = ledger.export_state(&key)?;
            if st.finished_at.is_some() {
                return Err(ExportError::Usage(format!(
                    "export {key} finished at {}; nothing to resume",
                    st.finished_at.unwrap_or_default()
                )));
            }
            ledger.lock(&key)?;
            target_choice = TargetChoice::from_label(&ev.target);
            resumed = true;
        }
    }
    let target = match &opts.target {
        // A URL given on the command line must be the event's.
        TargetChoice::Url(u) if u.trim_end_matches('/') != target_choice.label() => {
            return Err(ExportError::Usage(format!(
                "export {key} reads {}, not {u}",
                target_choice.label()
            )))
        }
        _ => target_choice,
    };
    let session = Session::connect(&target, opts.credentials_file.as_deref(), opts.pace).await?;
    let result = pages(&session, &mut ledger, &key).await;
    session.close().await;
    result.map(|mut s| {
        s.resumed = resumed;
        s
    })
}

/// Reads pages from the committed offset to the end (see the module header).
async fn pages(
    session: &Session,
    ledger: &mut Ledger,
    key: &str,
) -> Result<ExportSummary, ExportError> {
    let st = ledger.export_state(key)?;
    let query: StoredQuery = serde_json::from_str(&st.query)
        .map_err(|e| LedgerError::Corrupt(format!("export {key}: query {e}")))?;
    let format = Format::parse(&st.format)
        .ok_or_else(|| LedgerError::Corrupt(format!("export {key}: format {}", st.format)))?;
    let legacy = query.mapping.as_deref().map(legacy_columns).transpose()?;
    let out = st.out_path.clone();
    let mut file: File = OpenOptions::new()
        .write(true)
        .open(&out)
        .map_err(io_err(&out))?;
    // Whatever a killed run wrote after its last commit goes.
    file.set_len(st.written_bytes).map_err(io_err(&out))?;
    file.seek(SeekFrom::End(0)).map_err(io_err(&out))?;
    let mut known = ledger.exported_keys(key)?;
    let mut exported = st.exported;
    let mut written = st.written_bytes;
    let mut offset = usize::try_from(st.next_offset).unwrap_or(usize::MAX);
    let page_query = PageQuery::for_filters(&query.filters);
    let limit = query.page_size;
    let start_requests = session.target.stats().requests;
    let mut documents = 0u64;
    loop {
        let from = offset.saturating_sub(1);
        // The overlap costs a place: ask one more, so a page still brings
        // `limit` new clients (and a page size of 1 moves at all).
        let ask = if from < offset {
            (limit + 1).min(MAX_PAGE)
        } else {
            limit
        };
        let before = session.target.stats().requests;
        let page = fetch_page(&session.target, &page_query, from, ask)
            .await
            .map_err(|message| ExportError::Page {
                event: key.to_string(),
                message,
            })?;
        let first_known = page
            .first()
            .and_then(encoded_key)
            .is_some_and(|k| known.contains(k));
        if from > 0 && !first_known {
            // The order moved forward under the cursor (deletions): step
            // back until the page starts among the clients written.
            offset = if from > limit { from - limit + 1 } else { 0 };
            continue;
        }
        let mut buf = Vec::new();
        let mut clients = Vec::new();
        for c in &page {
            let Some(k) = encoded_key(c) else {
                return Err(ExportError::Page {
                    event: key.to_string(),
                    message: "a client without an encodedKey".into(),
                });
            };
            if !known.insert(k.to_string()) {
                continue;
            }
            let mut c = c.clone();
            let files = client_documents(&session.target, &out, &c)
                .await
                .map_err(|e| match e {
                    DocError::Io(e) => e,
                    DocError::Target(message) => ExportError::Page {
                        event: key.to_string(),
                        message,
                    },
                })?;
            documents += files.len() as u64;
            if !files.is_empty() {
                c[DOCUMENT_FILES_KEY] = Value::Object(files);
            }
            match format {
                Format::Csv => {
                    let row = flatten(&c, &query.columns);
                    match &legacy {
                        Some(l) => buf.extend(csv_line(&l.record(&query.columns, &row))),
                        None => buf.extend(csv_line(&row)),
                    }
                }
                Format::Ndjson => {
                    buf.extend(c.to_string().into_bytes());
                    buf.push(b'\n');
                }
            }
            clients.push((
                k.to_string(),
                c["client"]["id"].as_str().map(str::to_string),
            ));
        }
        if !buf.is_empty() {
            file.write_all(&buf).map_err(io_err(&out))?;
            file.sync_data().map_err(io_err(&out))?;
        }
        written += buf.len() as u64;
        exported += clients.len() as u64;
        offset = from + page.len();
        ledger.record_export_page(
            key,
            &ExportPage {
                clients,
                written_bytes: written,
                next_offset: offset as u64,
                requests: session.target.stats().requests - before,
            },
        )?;
        if page.len() < ask {
            break;
        }
    }
    ledger.finish_export(key)?;
    Ok(ExportSummary {
        event: key.to_string(),
        documents_dir: documents_dir(&out),
        out,
        exported,
        documents,
        requests: session.target.stats().requests - start_requests,
        resumed: false,
    })
}
