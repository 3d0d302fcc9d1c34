//! Owner-only creation of the report directory and its files.
//!
//! Reports hold client data (names, ID numbers, addresses), so the directory
//! is 0700 — created so, or narrowed if it was there with a wider mode: it is
//! the report's own directory, named by `--report-dir` — and every file is
//! 0600, truncated if it already exists (see `crate::private_files`). Fails
//! with the underlying `io::Error`, naming the path.

use std::fs::File;
use std::io;
use std::path::Path;

use crate::private_files;

/// Creates `dir` (and missing parents) with mode 0700; an existing `dir`
/// with a wider mode is narrowed to 0700. Existing parents are left alone.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    private_files::private_dir(dir)
}

/// Opens `path` for writing with mode 0600, truncating it. A file that
/// already existed with a wider mode is narrowed too.
pub fn create_private_file(path: &Path) -> io::Result<File> {
    private_files::create_file(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

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
    fn existing_dir_and_file_are_narrowed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("reports");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        let f = dir.join("x.txt");
        fs::write(&f, b"old content").unwrap();
        fs::set_permissions(&f, fs::Permissions::from_mode(0o644)).unwrap();
        create_private_dir(&dir).unwrap();
        drop(create_private_file(&f).unwrap());
        assert_eq!(mode(&dir), 0o700);
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
