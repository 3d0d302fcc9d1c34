//! The command line as clap parses it. Nothing outside `cli` reads these
//! raw flags: each command turns them into its stage's options once.

use std::num::{NonZeroU32, NonZeroU64, NonZeroUsize};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Ferry: move client records from legacy exports into a Mambu Clients API.
#[derive(Debug, Parser)]
#[command(name = "ferry", version, about, long_about = None)]
pub struct Cli {
    /// Log verbosity for diagnostics on stderr (error, warn, info, debug).
    #[arg(long, global = true, default_value = "warn", env = "FERRY_LOG")]
    pub log: String,

    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Dry run: read, map and validate an export; send nothing; write a report.
    Validate(ValidateArgs),
    /// Generate a synthetic legacy export (for benchmarks and rehearsals).
    Gen(crate::gen::GenArgs),
    /// Serve a Mambu-compatible Clients API to rehearse against.
    Sandbox(SandboxArgs),
    /// Validate, then push every valid row to the target as one migration event.
    Import(ImportArgs),
    /// Carry on with an import a crash or Ctrl-C left unfinished.
    Resume(ResumeArgs),
    /// List migration events, or show one.
    Events(EventsArgs),
    /// Accept an import: DRAFT → APPROVED (final).
    Approve(DecideArgs),
    /// Roll an import back: delete what it created, restore what it updated.
    Revert(RevertArgs),
    /// The target tenant's configuration: `ferry tenant pull`.
    Tenant(TenantArgs),
    /// Read the target's clients, with full details, into a CSV or NDJSON file (an EXPORT event).
    Export(ExportArgs),
    /// Check an import event against the target as it is now, field by field.
    Reconcile(ReconcileArgs),
}

/// The export's file format.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FormatArg {
    /// One row per client, lists and custom fields flattened (docs/export.md).
    Csv,
    /// One client per line, in the API's full shape.
    Ndjson,
}

/// `ferry export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The target's base URL, e.g. https://tenant.mambu.com.
    #[arg(long, conflicts_with = "sandbox", required_unless_present_any = ["sandbox", "resume"])]
    pub target: Option<String>,
    /// Read the embedded sandbox instead (state kept in --sandbox-state).
    #[arg(long)]
    pub sandbox: bool,
    /// The embedded sandbox's state file.
    #[arg(long, default_value = "ferry-sandbox.db")]
    pub sandbox_state: PathBuf,
    /// The tenant file: its custom fields get CSV columns of their own, and
    /// --branch may name a branch by id.
    #[arg(long)]
    pub tenant: Option<PathBuf>,
    /// The file to write (mode 0600); it must not exist yet.
    #[arg(long, default_value = "clients-export.csv")]
    pub out: PathBuf,
    #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
    pub format: FormatArg,
    /// Only clients of this branch (encoded key, or id with --tenant).
    #[arg(long)]
    pub branch: Option<String>,
    /// Only clients in these states (comma-separated, e.g. ACTIVE,INACTIVE).
    #[arg(long, value_delimiter = ',')]
    pub state: Vec<String>,
    /// Only clients created on or after this day (YYYY-MM-DD).
    #[arg(long)]
    pub created_from: Option<String>,
    /// Only clients created on or before this day (YYYY-MM-DD).
    #[arg(long)]
    pub created_to: Option<String>,
    /// Clients per request (at most 1000).
    #[arg(long, default_value_t = 500)]
    pub page_size: usize,
    /// Continue the export event that stopped (its key, or a unique prefix).
    #[arg(long, conflicts_with_all = ["sandbox", "out", "branch", "state", "created_from", "created_to"])]
    pub resume: Option<String>,
    #[command(flatten)]
    pub pace: PaceArgs,
    #[command(flatten)]
    pub ledger: LedgerArg,
}

/// `ferry reconcile`.
#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// The import event's key (a unique prefix will do).
    pub event: String,
    /// The target's base URL (default: the one the event was imported into).
    #[arg(long, conflicts_with = "sandbox")]
    pub target: Option<String>,
    /// Check the embedded sandbox on --sandbox-state instead.
    #[arg(long)]
    pub sandbox: bool,
    /// The embedded sandbox's state file.
    #[arg(long, default_value = "ferry-sandbox.db")]
    pub sandbox_state: PathBuf,
    /// Clients per request (at most 1000).
    #[arg(long, default_value_t = 1000)]
    pub page_size: usize,
    #[command(flatten)]
    pub pace: PaceArgs,
    #[command(flatten)]
    pub ledger: LedgerArg,
    /// Where reconcile.json and reconcile.html go.
    #[arg(long, default_value = "reports")]
    pub report_dir: PathBuf,
}

/// `ferry tenant`.
#[derive(Debug, Args)]
pub struct TenantArgs {
    #[command(subcommand)]
    pub command: TenantCommand,
}

/// What to do with the tenant.
#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Read the tenant's configuration through its API into a tenant file.
    Pull(TenantPullArgs),
}

/// `ferry tenant pull`.
#[derive(Debug, Args)]
pub struct TenantPullArgs {
    /// The target's base URL, e.g. https://tenant.mambu.com.
    #[arg(long)]
    pub target: String,
    /// The tenant file to write (mode 0600).
    #[arg(long, default_value = "tenant.json")]
    pub out: PathBuf,
    /// A tenant file declaring what the API does not expose (client-creation
    /// notification templates, allowOtherIdDocuments); those settings are
    /// copied from it.
    #[arg(long)]
    pub declared: Option<PathBuf>,
    /// A credentials file (`apikey = …`, or `user = …` and `password = …`);
    /// otherwise MAMBU_API_KEY, or MAMBU_USER and MAMBU_PASSWORD.
    #[arg(long)]
    pub credentials_file: Option<PathBuf>,
    /// Seconds before a request counts as lost.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
}

/// How requests go out (shared by import, resume and revert).
#[derive(Debug, Args, Clone)]
pub struct PaceArgs {
    /// Requests per second, as agreed with the tenant (default: no limit).
    #[arg(long)]
    pub rate: Option<NonZeroU32>,
    /// Requests in flight at once.
    #[arg(long, default_value = "8")]
    pub concurrency: NonZeroUsize,
    /// Seconds before a request counts as lost.
    #[arg(long, default_value = "30")]
    pub timeout: NonZeroU64,
    /// A credentials file (`apikey = …`, or `user = …` and `password = …`);
    /// otherwise MAMBU_API_KEY, or MAMBU_USER and MAMBU_PASSWORD.
    #[arg(long)]
    pub credentials_file: Option<PathBuf>,
}

/// The ledger file.
#[derive(Debug, Args, Clone)]
pub struct LedgerArg {
    /// The migration ledger (SQLite).
    #[arg(long, default_value = "ferry-ledger.db", global = true)]
    pub ledger: PathBuf,
}

/// What an import does with a client id that already exists.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ModeArg {
    /// Create only; an existing id is a failure (316).
    Create,
    /// Update an existing client (its before-image kept for revert), create the rest.
    Upsert,
}

/// `ferry import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The export to load.
    pub input: PathBuf,
    /// The mapping file (TOML).
    #[arg(long)]
    pub mapping: PathBuf,
    /// The target tenant's schema (JSON); for --sandbox it also seeds the
    /// sandbox. With --tenant-from-target it declares only what the API
    /// does not expose.
    #[arg(long)]
    pub tenant: Option<PathBuf>,
    /// Read the tenant from the target (as `ferry tenant pull` does) and use
    /// that; it is kept beside the ledger in ferry-tenants/.
    #[arg(long)]
    pub tenant_from_target: bool,
    /// Import although the tenant's client-creation templates would send
    /// migrated clients an e-mail or SMS.
    #[arg(long)]
    pub allow_notifications: bool,
    /// The target's base URL, e.g. https://tenant.mambu.com.
    #[arg(long, required_unless_present = "sandbox", conflicts_with = "sandbox")]
    pub target: Option<String>,
    /// Load into the embedded sandbox instead (state kept in --sandbox-state).
    #[arg(long)]
    pub sandbox: bool,
    /// The embedded sandbox's state file.
    #[arg(long, default_value = "ferry-sandbox.db")]
    pub sandbox_state: PathBuf,
    #[arg(long, value_enum, default_value_t = ModeArg::Create)]
    pub mode: ModeArg,
    /// Import although this file already has a DRAFT or APPROVED event
    /// against this target: rows whose client exists then fail with 316
    /// and are never claimed.
    #[arg(long)]
    pub again: bool,
    #[command(flatten)]
    pub pace: PaceArgs,
    #[command(flatten)]
    pub ledger: LedgerArg,
    /// Where the report, success.csv and failures.csv go.
    #[arg(long, default_value = "reports")]
    pub report_dir: PathBuf,
    /// Validation threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// `ferry resume`.
#[derive(Debug, Args)]
pub struct ResumeArgs {
    /// The event's key (a unique prefix will do).
    pub event: String,
    #[command(flatten)]
    pub pace: PaceArgs,
    #[command(flatten)]
    pub ledger: LedgerArg,
    #[arg(long, default_value = "reports")]
    pub report_dir: PathBuf,
    #[arg(long)]
    pub threads: Option<usize>,
}

/// `ferry events [show EVENT]`.
#[derive(Debug, Args)]
pub struct EventsArgs {
    #[command(subcommand)]
    pub show: Option<EventsCommand>,
    #[command(flatten)]
    pub ledger: LedgerArg,
}

/// `ferry events show`.
#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// One event as Mambu's migrationEvent, with row counts and failures.
    Show {
        /// The event's key (a unique prefix will do).
        event: String,
        /// How many failures to list.
        #[arg(long, default_value_t = 20)]
        failures: usize,
        /// Also write the event's success.csv and failures.csv into this directory.
        #[arg(long)]
        files: Option<PathBuf>,
    },
}

/// `ferry approve`.
#[derive(Debug, Args)]
pub struct DecideArgs {
    /// The event's key (a unique prefix will do).
    pub event: String,
    #[command(flatten)]
    pub ledger: LedgerArg,
}

/// `ferry revert`.
#[derive(Debug, Args)]
pub struct RevertArgs {
    /// The event's key (a unique prefix will do).
    pub event: String,
    /// Also revert clients changed at the target since the import.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub pace: PaceArgs,
    #[command(flatten)]
    pub ledger: LedgerArg,
    /// Where success.csv and failures.csv are written again afterwards.
    #[arg(long, default_value = "reports")]
    pub report_dir: PathBuf,
}

/// `ferry validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The export to check (CSV, JSON array or NDJSON).
    pub input: PathBuf,
    /// The mapping file (TOML) that turns its columns into clients.
    #[arg(long)]
    pub mapping: PathBuf,
    /// The target tenant's schema (JSON). Without it, tenant rules are skipped.
    /// With --tenant-from-target it declares only what the API does not expose.
    #[arg(long)]
    pub tenant: Option<PathBuf>,
    /// Read the tenant from --target (as `ferry tenant pull` does; written
    /// to tenant.json in the report directory) and validate against it.
    #[arg(long, requires = "target")]
    pub tenant_from_target: bool,
    /// The target to read the tenant from (with --tenant-from-target).
    #[arg(long, requires = "tenant_from_target")]
    pub target: Option<String>,
    /// A credentials file for --target (`apikey = …`, or `user = …` and
    /// `password = …`); otherwise MAMBU_API_KEY, or MAMBU_USER and MAMBU_PASSWORD.
    #[arg(long)]
    pub credentials_file: Option<PathBuf>,
    /// Where report.json, rejects.csv, report.html and payloads.ndjson go.
    #[arg(long, default_value = "reports")]
    pub report_dir: PathBuf,
    /// Validation threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Rows validated together in one parallel chunk.
    #[arg(long, default_value_t = 4096)]
    pub chunk_rows: usize,
}

/// `ferry sandbox`.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: std::net::SocketAddr,
    /// The tenant to seed: custom fields, templates, branches, roles.
    #[arg(long)]
    pub tenant: Option<PathBuf>,
    /// The state file (SQLite); kept between runs.
    #[arg(long, default_value = "ferry-sandbox.db", conflicts_with = "memory")]
    pub state: PathBuf,
    /// Keep state in memory only.
    #[arg(long)]
    pub memory: bool,
    /// Requests per second per credential; over it, 429 with Retry-After.
    #[arg(long)]
    pub rate_limit: Option<u32>,
    /// Fault injection, e.g. 'error=0.05,latency=20ms,hang=0.01,drop=0.01,lost_response=0.01'.
    #[arg(long, default_value = "")]
    pub faults: String,
    /// Seed for fault injection.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// A credentials file (`apikey=…`, or `user=…` and `password=…` lines).
    #[arg(long)]
    pub credentials_file: Option<PathBuf>,
}
