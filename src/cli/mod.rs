//! The command line: parse flags, build each stage's options once, run,
//! and map the outcome to Ferry's exit code (`exit.rs`).

mod args;
mod decide_cmd;
mod events_cmd;
mod exit;
mod export_cmd;
mod gen_cmd;
mod import_cmd;
mod mapping_cmd;
mod output;
pub mod project_file;
mod reconcile_cmd;
mod sandbox_cmd;
mod tenant_cmd;
mod validate_cmd;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::OnceLock;

use clap::{CommandFactory, Parser};

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
    init_logging(cli.log.as_deref(), cli.verbose, cli.quiet);
    let _ = SETTINGS.set(Settings {
        quiet: cli.quiet,
        project: cli.project.clone(),
    });
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
        args::Command::Mapping(a) => mapping_cmd::run(a),
        args::Command::Completions(a) => completions(a),
        args::Command::Export(a) => export_cmd::run(a),
        args::Command::Reconcile(a) => reconcile_cmd::run(a),
    };
    exit.into()
}

/// The global flags every command reads.
#[derive(Debug, Default)]
struct Settings {
    quiet: bool,
    project: Option<PathBuf>,
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();

/// `-q`: no progress and no notes, only errors and the final one-line result.
pub(crate) fn quiet() -> bool {
    SETTINGS.get().is_some_and(|s| s.quiet)
}

/// The project file in use (`--project`, `FERRY_PROJECT`, or `ferry.toml`
/// here), loaded and checked; `Ok(None)` when there is none.
pub(crate) fn project() -> Result<Option<project_file::Project>, String> {
    project_file::Project::find(SETTINGS.get().and_then(|s| s.project.as_deref()))
}

/// The log filter: `-v` raises the default level (info, debug, trace),
/// `--log`/FERRY_LOG directives still apply after it, `-q` keeps errors only.
fn log_filter(log: Option<&str>, verbose: u8, quiet: bool) -> String {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    match log {
        Some(l) if verbose == 0 && !quiet => l.to_string(),
        Some(l) => format!("{level},{l}"),
        None => level.to_string(),
    }
}

fn completions(a: args::CompletionsArgs) -> Exit {
    use clap_complete::Shell;
    let shell = match a.shell {
        args::CompletionShell::Bash => Shell::Bash,
        args::CompletionShell::Zsh => Shell::Zsh,
        args::CompletionShell::Fish => Shell::Fish,
    };
    clap_complete::generate(shell, &mut Cli::command(), "ferry", &mut std::io::stdout());
    Exit::Done
}

fn init_logging(log: Option<&str>, verbose: u8, quiet: bool) {
    let filter = tracing_subscriber::EnvFilter::try_new(log_filter(log, verbose, quiet))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbosity_raises_the_level_and_keeps_log_directives() {
        assert_eq!(log_filter(None, 0, false), "warn");
        assert_eq!(log_filter(None, 1, false), "info");
        assert_eq!(log_filter(None, 2, false), "debug");
        assert_eq!(log_filter(None, 5, false), "trace");
        assert_eq!(log_filter(None, 0, true), "error");
        assert_eq!(
            log_filter(Some("ferry::push=debug"), 0, false),
            "ferry::push=debug"
        );
        assert_eq!(
            log_filter(Some("ferry::push=trace"), 1, false),
            "info,ferry::push=trace"
        );
    }

    #[test]
    fn every_flag_and_command_has_a_description() {
        fn walk(cmd: &clap::Command, path: &str, blank: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    blank.push(format!("{path} {id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.get_name() == "help" {
                    continue;
                }
                if sub.get_about().is_none() {
                    blank.push(format!("{path} {}", sub.get_name()));
                }
                walk(sub, &format!("{path} {}", sub.get_name()), blank);
            }
        }
        let mut blank = Vec::new();
        walk(&Cli::command(), "ferry", &mut blank);
        assert!(blank.is_empty(), "no description: {blank:?}");
    }
}
