//! Owner-only creation of the report directory and its files.
//!
//! Reports hold client data (names, ID numbers, addresses), so the directory
//! is created 0700 and every file 0600, truncated if it already exists. Fails
//! with the underlying `io::Error`, naming the path.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Mode of every file a report writes.
pub const FILE_MODE: u32 = 0o600;
/// Mode of the report directory when Ferry creates it.
pub const DIR_MODE: u32 = 0o700;

/// Creates `dir` (and missing parents) with mode 0700; an existing directory
/// is left as it is, since it may be shared on purpose.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)
        .map_err(|e| with_path(e, dir))
}

/// Opens `path` for writing with mode 0600, truncating it. A file that
/// already existed with a wider mode is narrowed too: `mode()` only applies
/// when the file is new.
pub fn create_private_file(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(FILE_MODE)
        .open(path)
        .map_err(|e| with_path(e, path))?;
    file.set_permissions(fs::Permissions::from_mode(FILE_MODE))
        .map_err(|e| with_path(e, path))?;
    Ok(file)
}

fn with_path(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_dir_is_0700_and_files_are_0600() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b");
        create_private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        let f = dir.join("x.txt");
        drop(create_private_file(&f).unwrap());
        assert_eq!(mode(&f), 0o600);
    }

    #[test]
    fn existing_file_is_truncated_and_narrowed() {
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("x.txt");
        fs::write(&f, b"old content").unwrap();
        fs::set_permissions(&f, fs::Permissions::from_mode(0o644)).unwrap();
        drop(create_private_file(&f).unwrap());
        assert_eq!(mode(&f), 0o600);
        assert_eq!(fs::read(&f).unwrap(), b"");
    }

    #[test]
    fn failure_names_the_path() {
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("missing/x.txt");
        let err = create_private_file(&f).unwrap_err();
        assert!(err.to_string().contains("missing/x.txt"), "{err}");
    }
}
