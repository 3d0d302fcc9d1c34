//! `ferry mapping init`: guess a mapping from an export and write it to
//! stdout or, mode 0600, to `--out` (an existing file only with `--force`).
//! The tenant comes from `--tenant`, or is pulled from `--target` into a
//! private temporary directory that is removed afterwards.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::args::{MappingArgs, MappingCommand, MappingInitArgs};
use super::{report_error, Exit};
use crate::mapping::guess;
use crate::pipeline::target_session::TargetChoice;
use crate::private_files;
use crate::tenant::Tenant;

pub fn run(a: MappingArgs) -> Exit {
    match a.command {
        MappingCommand::Init(i) => init(i),
    }
}

fn init(a: MappingInitArgs) -> Exit {
    // Held until the end: the pulled tenant file lives in it.
    let mut _pulled_dir = None;
    let tenant_file: Option<(PathBuf, String)> = match (a.tenant_from_target, &a.target) {
        (true, Some(url)) => {
            let dir = match tempfile::tempdir() {
                Ok(d) => d,
                Err(e) => {
                    report_error(&format!("cannot make a temporary directory: {e}"));
                    return Exit::BadInput;
                }
            };
            let path = match pull(url, &a, dir.path()) {
                Ok(p) => p,
                Err(exit) => return exit,
            };
            _pulled_dir = Some(dir);
            Some((path, url.clone()))
        }
        _ => a
            .tenant
            .as_ref()
            .map(|p| (p.clone(), p.display().to_string())),
    };
    let tenant = match &tenant_file {
        Some((path, label)) => match Tenant::load(path) {
            Ok(t) => Some((t, label.as_str())),
            Err(e) => {
                report_error(&e);
                return Exit::BadInput;
            }
        },
        None => None,
    };
    let guessed = match guess::init(&a.export, tenant.as_ref().map(|(t, l)| (t, *l))) {
        Ok(g) => g,
        Err(e) => {
            report_error(&e);
            return Exit::BadInput;
        }
    };
    let summary = format!(
        "ferry: {} rows sampled; {} columns placed, {} not placed{}",
        guessed.rows,
        guessed.placed,
        guessed.unplaced.len(),
        if guessed.unplaced.is_empty() {
            String::new()
        } else {
            format!(" ({})", guessed.unplaced.join(", "))
        }
    );
    match &a.out {
        None => {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(guessed.text.as_bytes());
            let _ = stdout.flush();
            eprintln!("{summary}");
        }
        Some(out) => {
            if let Err(e) = write_out(out, &guessed.text, a.force) {
                report_error(&e);
                return Exit::BadInput;
            }
            eprintln!("{summary}");
            println!("mapping written to {}", out.display());
        }
    }
    Exit::Done
}

/// Writes the mapping with mode 0600; without `force` an existing file is
/// refused (and left as it was).
fn write_out(out: &Path, text: &str, force: bool) -> Result<(), String> {
    let file = if force {
        private_files::create_file(out).map_err(|e| e.to_string())?
    } else {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(private_files::FILE_MODE)
            .open(out)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => format!(
                    "{} already exists; give --force to overwrite it",
                    out.display()
                ),
                _ => format!("cannot create {}: {e}", out.display()),
            })?
    };
    let mut file = file;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", out.display()))
}

/// `--tenant-from-target`: the tenant pulled into `dir`, with `--tenant`
/// declaring what the API does not expose.
fn pull(url: &str, a: &MappingInitArgs, dir: &Path) -> Result<PathBuf, Exit> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| {
        report_error(&format!("cannot start the runtime: {e}"));
        Exit::BadInput
    })?;
    runtime
        .block_on(super::tenant_cmd::pull_from(
            TargetChoice::Url(url.to_string()),
            a.credentials_file.as_deref(),
            Duration::from_secs(30),
            a.tenant.as_deref(),
            dir.join("tenant.json"),
        ))
        .map_err(|e| {
            report_error(&e);
            e.exit()
        })
}
