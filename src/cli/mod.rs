//! The command line: parse flags, build each stage's options once, run,
//! and map the outcome to Ferry's exit code (`exit.rs`).

mod args;
mod decide_cmd;
mod events_cmd;
mod exit;
mod export_cmd;
mod gen_cmd;
mod import_cmd;
mod reconcile_cmd;
mod sandbox_cmd;
mod tenant_cmd;
mod validate_cmd;

use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;
pub use exit::Exit;

/// Runs Ferry with the process's arguments.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Exit::BadInput.into()
            } else {
                Exit::Done.into()
            };
        }
    };
    init_logging(&cli.log);
    let exit = match cli.command {
        args::Command::Validate(a) => validate_cmd::run(a),
        args::Command::Gen(a) => gen_cmd::run(a),
        args::Command::Sandbox(a) => sandbox_cmd::run(a),
        args::Command::Import(a) => import_cmd::run(a),
        args::Command::Resume(a) => import_cmd::resume(a),
        args::Command::Events(a) => events_cmd::run(a),
        args::Command::Approve(a) => decide_cmd::approve(a),
        args::Command::Revert(a) => decide_cmd::revert(a),
        args::Command::Tenant(a) => tenant_cmd::run(a),
        args::Command::Export(a) => export_cmd::run(a),
        args::Command::Reconcile(a) => reconcile_cmd::run(a),
    };
    exit.into()
}

fn init_logging(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

/// Prints an error for the user, in one consistent form.
pub(crate) fn report_error(err: &dyn std::fmt::Display) {
    eprintln!("ferry: error: {err}");
}
