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
//! # The CSV
//!
//! One row per client; the columns (client fields, the first address, up
//! to three ID documents, one column per custom field of the tenant, three
//! per field of a grouped set)
//! are listed in `docs/export.md` and by [`csv_columns`]. Values the fixed
//! columns cannot hold (more ID documents, custom field values in groups or
//! of fields the tenant file does not define, as `{customFieldID, value,
//! customFieldSetGroupIndex}`) go, as JSON, in the
//! `idDocuments.more` and `customInformation.other` columns. NDJSON keeps
//! the API's full shape, one client per line.
//!
//! # Documents
//!
//! A client whose details carry a `profilePictureKey` or
//! `profileSignatureKey` has its document read, one GET each (the API has
//! no bulk read of documents), through the same rate-limited `Target`, and
//! written to `<out>.documents/<client id>/PROFILE_PICTURE.<png|jpg|gif>`
//! (the extension by content; directories 0700, files 0600). The CSV's
//! `profilePicture` and `signature` columns, and NDJSON's `documentFiles`
//! object (`{"PROFILE_PICTURE": path, "SIGNATURE": path}`), hold the path
//! relative to the export file's directory: what a mapping's `[documents]`
//! column reads. A page's documents are written and fsynced before the
//! page's ledger commit; a resume redoing a page first clears the
//! directories of that page's clients, so no half-written file survives.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use base64::Engine;

use super::target_session::{Pace, Session, SessionError, TargetChoice};
use crate::ledger::{ExportPage, Ledger, LedgerError};
use crate::mapping::{DocumentKind, LegacyColumns, Mapping};
use crate::push::documents::content_of;
use crate::push::{Outcome, Target};
use crate::tenant::Tenant;
use crate::validate::documents::ImageType;

/// The largest page the API serves.
pub const MAX_PAGE: usize = 1000;
/// ID documents given columns of their own; more go to `idDocuments.more`.
pub const ID_DOCUMENT_COLUMNS: usize = 3;
/// Groups of a grouped custom field set given columns of their own
/// (`custom.<id>.<n>`, group index n - 1); more go to `customInformation.other`.
pub const GROUP_COLUMNS: usize = 3;

/// The client's own fields, in CSV column order.
pub const CLIENT_COLUMNS: &[&str] = &[
    "id",
    "encodedKey",
    "state",
    "firstName",
    "middleName",
    "lastName",
    "birthDate",
    "gender",
    "emailAddress",
    "mobilePhone1",
    "mobilePhone2",
    "homePhone",
    "preferredLanguage",
    "notes",
    "assignedBranchKey",
    "assignedCentreKey",
    "assignedUserKey",
    "clientRole.encodedKey",
    "loanCycle",
    "groupLoanCycle",
    "creationDate",
    "lastModifiedDate",
    "activationDate",
    "approvedDate",
    "closedDate",
];

/// The address fields, each as `address.<field>` (the first address).
pub const ADDRESS_FIELDS: &[&str] = &["line1", "line2", "city", "region", "postcode", "country"];

/// The ID document fields, each as `idDocuments.<n>.<field>`.
pub const ID_DOCUMENT_FIELDS: &[&str] = &[
    "documentType",
    "documentId",
    "issuingAuthority",
    "validUntil",
    "identificationDocumentTemplateKey",
];

/// The document columns of the CSV, by kind: each holds the path of the
/// exported file, relative to the export file's directory.
pub const DOCUMENT_COLUMNS: &[(DocumentKind, &str)] = &[
    (DocumentKind::ProfilePicture, "profilePicture"),
    (DocumentKind::Signature, "signature"),
];

/// The key of a full client (as NDJSON writes it) holding its document
/// files by API name, paths relative to the export file's directory.
pub const DOCUMENT_FILES_KEY: &str = "documentFiles";

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

/// Which clients to read.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Filters {
    /// The branch's encoded key.
    pub branch: Option<String>,
    /// Client states (any of them).
    pub states: Vec<String>,
    /// Created on or after this day (`YYYY-MM-DD`).
    pub created_from: Option<String>,
    /// Created on or before this day (`YYYY-MM-DD`).
    pub created_to: Option<String>,
}

impl Filters {
    /// Whether no filter is set (the plain list is read then).
    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }

    /// The search's `filterConstraints`.
    pub fn constraints(&self) -> Vec<Value> {
        let mut out = Vec::new();
        if let Some(b) = &self.branch {
            out.push(
                json!({"filterSelection": "BRANCH_KEY", "filterElement": "EQUALS", "value": b}),
            );
        }
        if !self.states.is_empty() {
            out.push(json!({"filterSelection": "CLIENT_STATE", "filterElement": "IN", "values": self.states}));
        }
        if self.created_from.is_some() || self.created_to.is_some() {
            out.push(json!({
                "filterSelection": "CREATION_DATE", "filterElement": "BETWEEN",
                "value": self.created_from.as_deref().unwrap_or("1900-01-01"),
                "secondValue": self.created_to.as_deref().unwrap_or("9999-12-31"),
            }));
        }
        out
    }
}

/// How clients are asked for: the list, or the search with constraints.
#[derive(Debug, Clone, PartialEq)]
pub enum PageQuery {
    /// `GET /api/clients?fullDetails=true`.
    List,
    /// `POST /api/clients/search?fullDetails=true` with these constraints.
    Search(Vec<Value>),
}

impl PageQuery {
    /// The query for `filters`.
    pub fn for_filters(f: &Filters) -> PageQuery {
        if f.is_empty() {
            PageQuery::List
        } else {
            PageQuery::Search(f.constraints())
        }
    }
}

/// One page of full clients at `offset`; an error says what the target
/// answered. A target that answers basic shapes (it ignored
/// `fullDetails=true`) is refused: the export would lose the lists.
pub async fn fetch_page(
    target: &Target,
    query: &PageQuery,
    offset: usize,
    limit: usize,
) -> Result<Vec<Value>, String> {
    let q = format!("offset={offset}&limit={limit}&fullDetails=true");
    let outcome = match query {
        PageQuery::List => target.get_api(&["clients"], Some(&q)).await,
        PageQuery::Search(c) => {
            let body = json!({ "filterConstraints": c }).to_string();
            target
                .post_query(&["clients", "search"], Some(&q), body.as_bytes())
                .await
        }
    };
    match outcome {
        Outcome::Ok { body, .. } => {
            let Value::Array(items) = body else {
                return Err("the target answered a page that is not a JSON array".into());
            };
            if items
                .iter()
                .any(|c| !c.get("client").is_some_and(Value::is_object))
            {
                return Err("the target answered clients without their details (fullDetails=true was ignored)".into());
            }
            Ok(items)
        }
        Outcome::Refused {
            status, name, body, ..
        } => Err(format!(
            "the target refused the page: HTTP {status} {name} {body}"
        )),
        Outcome::NotFound => Err("the target has no client list (404)".into()),
        Outcome::Unknown {
            attempts,
            last_error,
        } => Err(format!("no answer after {attempts} attempts: {last_error}")),
    }
}

/// A client's encoded key (the cursor and the key of `export_clients`).
fn encoded_key(c: &Value) -> Option<&str> {
    c["client"]["encodedKey"].as_str()
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

/// The CSV columns, given the tenant's custom fields (id, and whether its
/// set is grouped).
pub fn csv_columns(custom_fields: &[(String, bool)]) -> Vec<String> {
    let mut cols: Vec<String> = CLIENT_COLUMNS.iter().map(|s| s.to_string()).collect();
    cols.extend(ADDRESS_FIELDS.iter().map(|f| format!("address.{f}")));
    for n in 1..=ID_DOCUMENT_COLUMNS {
        cols.extend(
            ID_DOCUMENT_FIELDS
                .iter()
                .map(|f| format!("idDocuments.{n}.{f}")),
        );
    }
    cols.push("idDocuments.more".into());
    for (id, grouped) in custom_fields {
        if *grouped {
            cols.extend((1..=GROUP_COLUMNS).map(|n| format!("custom.{id}.{n}")));
        } else {
            cols.push(format!("custom.{id}"));
        }
    }
    cols.push("customInformation.other".into());
    cols.extend(DOCUMENT_COLUMNS.iter().map(|(_, c)| c.to_string()));
    cols
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A full client as one CSV record over `columns`.
pub fn flatten(full: &Value, columns: &[String]) -> Vec<String> {
    let client = &full["client"];
    let address = full["addresses"].get(0).cloned().unwrap_or(Value::Null);
    let docs = full["idDocuments"].as_array().cloned().unwrap_or_default();
    let custom = full["customInformation"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let custom_cols: HashSet<&str> = columns
        .iter()
        .filter_map(|c| c.strip_prefix("custom."))
        .collect();
    let mut other_custom = Vec::new();
    let mut custom_by_id = Map::new();
    for v in &custom {
        let id = v["customFieldID"].as_str().unwrap_or_default();
        // Mambu gives a field outside a group index -1.
        let group = v["customFieldSetGroupIndex"].as_i64().filter(|i| *i >= 0);
        let column = match group {
            None => id.to_string(),
            Some(i) => format!("{id}.{}", i + 1),
        };
        if custom_cols.contains(column.as_str()) {
            custom_by_id.insert(column, v["value"].clone());
        } else {
            let mut kept = json!({"customFieldID": id, "value": v["value"]});
            if let Some(i) = group {
                kept["customFieldSetGroupIndex"] = i.into();
            }
            other_custom.push(kept);
        }
    }
    columns
        .iter()
        .map(|col| {
            if col == "clientRole.encodedKey" {
                return text(&client["clientRole"]["encodedKey"]);
            }
            if let Some((kind, _)) = DOCUMENT_COLUMNS.iter().find(|(_, c)| c == col) {
                return text(&full[DOCUMENT_FILES_KEY][kind.api_name()]);
            }
            if let Some(f) = col.strip_prefix("address.") {
                return text(&address[f]);
            }
            if col == "idDocuments.more" {
                return match docs.get(ID_DOCUMENT_COLUMNS..) {
                    Some(more) if !more.is_empty() => Value::Array(more.to_vec()).to_string(),
                    _ => String::new(),
                };
            }
            if let Some(rest) = col.strip_prefix("idDocuments.") {
                let (n, f) = rest.split_once('.').unwrap_or((rest, ""));
                let n: usize = n.parse().unwrap_or(0);
                return docs
                    .get(n.wrapping_sub(1))
                    .map(|d| text(&d[f]))
                    .unwrap_or_default();
            }
            if col == "customInformation.other" {
                return if other_custom.is_empty() {
                    String::new()
                } else {
                    Value::Array(other_custom.clone()).to_string()
                };
            }
            if let Some(id) = col.strip_prefix("custom.") {
                return custom_by_id.get(id).map(text).unwrap_or_default();
            }
            text(&client[col.as_str()])
        })
        .collect()
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn csv_line(cells: &[String]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = w.write_record(cells);
    w.into_inner().unwrap_or_default()
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

/// `<out>.documents`, beside the export file.
pub fn documents_dir(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".documents");
    out.with_file_name(name)
}

/// The directory name of a client's documents: its id when that is a
/// plain file name (letters, digits, `-`, `_`, `.`, not starting with a
/// dot), else its encoded key.
fn client_dir_name(full: &Value) -> Option<String> {
    let id = full["client"]["id"].as_str().unwrap_or_default();
    let plain = !id.is_empty()
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if plain {
        Some(id.to_string())
    } else {
        encoded_key(full).map(str::to_string)
    }
}

enum DocError {
    Io(ExportError),
    Target(String),
}

/// The document a client holds of `kind`, decoded; `None` when the target
/// has none (it was deleted after the page was read).
async fn fetch_document(
    target: &Target,
    who: &str,
    kind: DocumentKind,
) -> Result<Option<Vec<u8>>, String> {
    let what = kind.api_name();
    match target.get_document(who, what).await {
        Outcome::Ok { body, .. } => {
            let answer = match body {
                Value::String(s) => s,
                Value::Null => return Ok(None),
                other => other.to_string(),
            };
            base64::engine::general_purpose::STANDARD
                .decode(content_of(&answer).trim())
                .map(Some)
                .map_err(|e| format!("the {what} of client {who} is not base64: {e}"))
        }
        Outcome::Refused { status: 404, .. } | Outcome::NotFound => Ok(None),
        Outcome::Refused {
            status, name, body, ..
        } => Err(format!(
            "the target refused the {what} of client {who}: HTTP {status} {name} {body}"
        )),
        Outcome::Unknown {
            attempts,
            last_error,
        } => Err(format!(
            "no answer for the {what} of client {who} after {attempts} attempts: {last_error}"
        )),
    }
}

/// Reads a client's documents (one GET each) and writes them under
/// `<out>.documents/<client>/`, clearing what an earlier, uncommitted run
/// left there first. Out: the paths by API name, relative to the export
/// file's directory.
async fn client_documents(
    target: &Target,
    out: &Path,
    full: &Value,
) -> Result<Map<String, Value>, DocError> {
    let mut files = Map::new();
    let held: Vec<DocumentKind> = [
        (DocumentKind::ProfilePicture, "profilePictureKey"),
        (DocumentKind::Signature, "profileSignatureKey"),
    ]
    .into_iter()
    .filter(|(_, k)| full["client"][*k].as_str().is_some_and(|v| !v.is_empty()))
    .map(|(kind, _)| kind)
    .collect();
    let (Some(dir_name), Some(who)) = (client_dir_name(full), encoded_key(full)) else {
        return Ok(files);
    };
    let root = documents_dir(out);
    let dir = root.join(&dir_name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| DocError::Io(io_err(&dir)(e)))?;
    }
    if held.is_empty() {
        return Ok(files);
    }
    let base = root
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string();
    for kind in held {
        let Some(bytes) = fetch_document(target, who, kind)
            .await
            .map_err(DocError::Target)?
        else {
            continue;
        };
        let ext = ImageType::sniff(&bytes).map_or("bin", ImageType::api_type);
        let name = format!("{}.{ext}", kind.api_name());
        crate::private_files::create_dir_all(&dir).map_err(|e| DocError::Io(io_err(&dir)(e)))?;
        let path = dir.join(&name);
        let write = || -> std::io::Result<()> {
            let mut f = crate::private_files::create_file(&path)?;
            f.write_all(&bytes)?;
            f.sync_all()
        };
        write().map_err(|e| DocError::Io(io_err(&path)(e)))?;
        files.insert(
            kind.api_name().to_string(),
            Value::String(format!("{base}/{dir_name}/{name}")),
        );
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_client_flattens_into_the_documented_columns() {
        let cols = csv_columns(&[
            ("Occupation".into(), false),
            ("Income".into(), false),
            ("Kin".into(), true),
        ]);
        let full = json!({
            "client": {"id": "C1", "encodedKey": "k", "firstName": "Ann", "loanCycle": 2,
                       "clientRole": {"encodedKey": "r1"}},
            "addresses": [{"line1": "Main St 1", "city": "Graz"}, {"line1": "ignored"}],
            "idDocuments": [
                {"documentType": "PASSPORT", "documentId": "P1"},
                {"documentType": "ID", "documentId": "I2"},
                {"documentType": "ID", "documentId": "I3"},
                {"documentType": "ID", "documentId": "I4"}
            ],
            "customInformation": [
                {"customFieldID": "Occupation", "value": "Teacher", "customFieldSetGroupIndex": -1},
                {"customFieldID": "Kin", "value": "Bo", "customFieldSetGroupIndex": 0},
                {"customFieldID": "Kin", "value": "Cy", "customFieldSetGroupIndex": 3},
                {"customFieldID": "Unknown", "value": "x"}
            ]
        });
        let row = flatten(&full, &cols);
        let get = |c: &str| row[cols.iter().position(|x| x == c).unwrap()].clone();
        assert_eq!(row.len(), cols.len());
        assert_eq!(get("id"), "C1");
        assert_eq!(get("loanCycle"), "2");
        assert_eq!(get("clientRole.encodedKey"), "r1");
        assert_eq!(get("address.line1"), "Main St 1");
        assert_eq!(get("address.city"), "Graz");
        assert_eq!(get("address.country"), "");
        assert_eq!(get("idDocuments.1.documentId"), "P1");
        assert_eq!(get("idDocuments.3.documentId"), "I3");
        let more: Value = serde_json::from_str(&get("idDocuments.more")).unwrap();
        assert_eq!(more[0]["documentId"], "I4");
        assert_eq!(get("custom.Occupation"), "Teacher");
        assert_eq!(get("custom.Income"), "");
        let other: Value = serde_json::from_str(&get("customInformation.other")).unwrap();
        let ids: Vec<_> = other
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["customFieldID"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["Kin", "Unknown"]);
        assert_eq!(other[0]["customFieldSetGroupIndex"], 3);
        assert_eq!(get("custom.Kin.1"), "Bo");
        assert_eq!(get("custom.Kin.2"), "");
    }

    #[test]
    fn filters_become_the_seeds_constraints() {
        assert_eq!(PageQuery::for_filters(&Filters::default()), PageQuery::List);
        let f = Filters {
            branch: Some("b1".into()),
            states: vec!["ACTIVE".into(), "INACTIVE".into()],
            created_from: Some("2024-01-01".into()),
            created_to: None,
        };
        let c = f.constraints();
        assert_eq!(c.len(), 3);
        assert_eq!(c[0]["filterSelection"], "BRANCH_KEY");
        assert_eq!(c[1]["values"], json!(["ACTIVE", "INACTIVE"]));
        assert_eq!(c[2]["filterElement"], "BETWEEN");
        assert_eq!(c[2]["secondValue"], "9999-12-31");
    }
}
