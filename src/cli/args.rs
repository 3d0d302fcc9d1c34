//! The command line as clap parses it. Nothing outside `cli` reads these
//! raw flags: each command turns them into its stage's options once.

use std::num::{NonZeroU32, NonZeroU64, NonZeroUsize};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Ferry: move client records from legacy exports into a Mambu Clients API.
#[derive(Debug, Parser)]
#[command(name = "ferry", version, about, long_about = None)]
pub struct Cli {
    /// Log filter for diagnostics on stderr (error, warn, info, debug, or
    /// per module, e.g. `ferry::push=debug`) [default: warn].
    #[arg(long, global = true, env = "FERRY_LOG")]
    pub log: Option<String>,

    /// No progress, no notes: only errors and the final one-line result.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// More diagnostics on stderr: -v info, -vv debug, -vvv trace (with
    /// --log, its per-module filters still apply).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// The project file naming targets (`[targets.NAME]` with url, rate,
    /// concurrency, timeout and where the credentials come from)
    /// [default: ferry.toml in the working directory, if there is one].
    #[arg(long, global = true, env = "FERRY_PROJECT", value_name = "FILE")]
    pub project: Option<PathBuf>,

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
    /// Mapping files: `ferry mapping init` guesses one from an export.
    Mapping(MappingArgs),
    /// Print a shell completion script: `ferry completions bash > …`.
    Completions(CompletionsArgs),
    /// Read the target's clients, with full details, into a CSV or NDJSON file (an EXPORT event).
    Export(ExportArgs),
    /// Check an import event against the target as it is now, field by field.
    Reconcile(ReconcileArgs),
}

/// `ferry mapping`.
#[derive(Debug, Args)]
pub struct MappingArgs {
    #[command(subcommand)]
    pub command: MappingCommand,
}

/// What to do with mappings.
#[derive(Debug, Subcommand)]
pub enum MappingCommand {
    /// Guess a first, commented mapping from an export's header and first
    /// rows (and the tenant's ids); every guess says why, every column it
    /// could not place is listed.
    Init(MappingInitArgs),
}

/// `ferry mapping init`.
#[derive(Debug, Args)]
pub struct MappingInitArgs {
    /// The export to read (CSV, JSON array or NDJSON).
    pub export: PathBuf,
    /// The target tenant's schema (JSON): branch, centre, officer and client
    /// role columns are found by its ids, custom fields by its field ids and
    /// names. With --tenant-from-target it declares only what the API does
    /// not expose.
    #[arg(long)]
    pub tenant: Option<PathBuf>,
    /// Read the tenant from --target (as `ferry tenant pull` does) instead.
    #[arg(long, requires = "target")]
    pub tenant_from_target: bool,
    /// The target to read the tenant from (with --tenant-from-target).
    #[arg(long, requires = "tenant_from_target")]
    pub target: Option<String>,
    /// A credentials file for --target (`apikey = …`, or `user = …` and
    /// `password = …`); otherwise MAMBU_API_KEY, or MAMBU_USER and MAMBU_PASSWORD.
    #[arg(long)]
    pub credentials_file: Option<PathBuf>,
    /// Where to write the mapping (mode 0600); without it, stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Overwrite --out if it exists.
    #[arg(long, requires = "out")]
    pub force: bool,
}

/// `ferry completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

/// The shells `ferry completions` writes for.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CompletionShell {
    /// Bash: `source <(ferry completions bash)`.
    Bash,
    /// Zsh: write it as `_ferry` into a directory on `$fpath`.
    Zsh,
    /// Fish: write it to `~/.config/fish/completions/ferry.fish`.
    Fish,
}

/// How a command's result is printed on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OutputFormat {
    /// A table for people.
    #[default]
    Text,
    /// One JSON object (an array for `ferry events`), for scripts.
    Json,
}

/// `--format`.
#[derive(Debug, Args, Clone, Copy)]
pub struct FormatArg {
    /// How the result is printed on stdout: text for people, json for
    /// scripts (field names in docs/output-formats.md).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// The export's file format.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ExportFormat {
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
    /// The file's format: csv (one row per client, docs/export.md) or
    /// ndjson (one client per line, the API's shape).
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    pub format: ExportFormat,
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
    /// A mapping: the CSV gets its legacy column names and values (value
    /// maps inverted, dates in its format), so that the mapping reads the
    /// file back; what it cannot carry (related files, constants) is named.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Continue the export event that stopped (its key, or a unique prefix).
    #[arg(long, conflicts_with_all = ["sandbox", "out", "branch", "state", "created_from", "created_to", "mapping"])]
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
    /// The target: a base URL (https://tenant.mambu.com) or a target named
    /// in the project file.
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
    /// Seconds before a request counts as lost [default: 30, or the named
    /// target's].
    #[arg(long)]
    pub timeout: Option<NonZeroU64>,
}

/// How requests go out (shared by import, resume and revert).
#[derive(Debug, Args, Clone)]
pub struct PaceArgs {
    /// Requests per second, as agreed with the tenant [default: the named
    /// target's, else no limit].
    #[arg(long)]
    pub rate: Option<NonZeroU32>,
    /// Requests in flight at once [default: the named target's, else 8].
    #[arg(long)]
    pub concurrency: Option<NonZeroUsize>,
    /// Seconds before a request counts as lost [default: the named
    /// target's, else 30].
    #[arg(long)]
    pub timeout: Option<NonZeroU64>,
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
    /// Read a `[[join]]` of the mapping from FILE instead of the file the
    /// mapping names (relative to the current directory); repeatable.
    #[arg(long = "join", value_name = "NAME=FILE", value_parser = parse_join)]
    pub join: Vec<(String, PathBuf)>,
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
    /// The target: a base URL (https://tenant.mambu.com) or a target named
    /// in the project file (ferry.toml); or --sandbox.
    #[arg(long, conflicts_with = "sandbox")]
    pub target: Option<String>,
    /// Load into the embedded sandbox instead (state kept in --sandbox-state).
    #[arg(long)]
    pub sandbox: bool,
    /// The embedded sandbox's state file.
    #[arg(long, default_value = "ferry-sandbox.db")]
    pub sandbox_state: PathBuf,
    /// What to do with a client id that already exists at the target.
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
    /// Also write payloads.ndjson: the request body of every valid row, as
    /// sent (a full copy of every client's personal data).
    #[arg(long)]
    pub payloads: bool,
    /// Validation threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub output: FormatArg,
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
    /// Where the report, success.csv and failures.csv go.
    #[arg(long, default_value = "reports")]
    pub report_dir: PathBuf,
    /// Validation threads for checking the file again (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub output: FormatArg,
}

/// `ferry events [show EVENT]`.
#[derive(Debug, Args)]
pub struct EventsArgs {
    /// `show EVENT` for one event; without it, the list.
    #[command(subcommand)]
    pub show: Option<EventsCommand>,
    #[command(flatten)]
    pub ledger: LedgerArg,
    #[command(flatten)]
    pub output: FormatArg,
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
        /// Also write the event report as a self-contained HTML page to this
        /// file: status line, counts, failures, runs, fingerprints (0600).
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// Also write the event report's data as JSON to this file (0600).
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
    },
}

/// `ferry approve`.
#[derive(Debug, Args)]
pub struct DecideArgs {
    /// The event's key (a unique prefix will do).
    pub event: String,
    #[command(flatten)]
    pub ledger: LedgerArg,
    /// Where the event report (event.html, event.json) is written again.
    #[arg(long, default_value = "reports")]
    pub report_dir: PathBuf,
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
    /// Where success.csv, failures.csv and the event report (event.html,
    /// event.json) are written again afterwards.
    #[arg(long, default_value = "reports")]
    pub report_dir: PathBuf,
    #[command(flatten)]
    pub output: FormatArg,
}

/// `ferry validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The export to check (CSV, JSON array or NDJSON).
    pub input: PathBuf,
    /// The mapping file (TOML) that turns its columns into clients.
    #[arg(long)]
    pub mapping: PathBuf,
    /// Read a `[[join]]` of the mapping from FILE instead of the file the
    /// mapping names (relative to the current directory); repeatable.
    #[arg(long = "join", value_name = "NAME=FILE", value_parser = parse_join)]
    pub join: Vec<(String, PathBuf)>,
    /// The target tenant's schema (JSON). Without it, tenant rules are skipped.
    /// With --tenant-from-target it declares only what the API does not expose.
    #[arg(long)]
    pub tenant: Option<PathBuf>,
    /// Read the tenant from --target (as `ferry tenant pull` does; written
    /// to tenant.json in the report directory) and validate against it.
    #[arg(long, requires = "target")]
    pub tenant_from_target: bool,
    /// The target to read the tenant from (with --tenant-from-target): a
    /// base URL or a target named in the project file.
    #[arg(long, requires = "tenant_from_target")]
    pub target: Option<String>,
    /// A credentials file for --target (`apikey = …`, or `user = …` and
    /// `password = …`); otherwise MAMBU_API_KEY, or MAMBU_USER and MAMBU_PASSWORD.
    #[arg(long)]
    pub credentials_file: Option<PathBuf>,
    /// Where report.html, report.json, rejects.csv (and payloads.ndjson) go.
    #[arg(long, default_value = "reports")]
    pub report_dir: PathBuf,
    /// Also write payloads.ndjson: the exact request body of every valid
    /// row, one per line (a full copy of every client's personal data).
    #[arg(long)]
    pub payloads: bool,
    /// Validation threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Rows validated together in one parallel chunk. CSV read as UTF-8 is
    /// chunked by bytes: this many rows at the average row length so far.
    #[arg(long, default_value_t = crate::pipeline::check::DEFAULT_CHUNK_ROWS)]
    pub chunk_rows: usize,
    #[command(flatten)]
    pub output: FormatArg,
}

/// `NAME=FILE` of `--join`.
fn parse_join(s: &str) -> Result<(String, PathBuf), String> {
    match s.split_once('=') {
        Some((name, file)) if !name.trim().is_empty() && !file.is_empty() => {
            Ok((name.trim().to_string(), PathBuf::from(file)))
        }
        _ => Err(format!(
            "'{s}' is not NAME=FILE (e.g. addresses=export_addresses.csv)"
        )),
    }
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
