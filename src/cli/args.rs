//! The command line as clap parses it. Nothing outside `cli` reads these
//! raw flags: each command turns them into its stage's options once.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Ferry: move client records from legacy exports into a Mambu Clients API.
#[derive(Debug, Parser)]
#[command(name = "ferry", version, about, long_about = None)]
pub struct Cli {
    /// Log verbosity for diagnostics on stderr (error, warn, info, debug).
    #[arg(long, global = true, default_value = "warn", env = "FERRY_LOG")]
    pub log: String,

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
    #[arg(long)]
    pub tenant: Option<PathBuf>,
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
