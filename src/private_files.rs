//! Owner-only files: everything Ferry writes that holds personal data (the
//! ledger's before-images, the sandbox's clients, reports) is mode 0600 in
//! a directory of mode 0700, also when the file was there before with a
//! looser mode.
//!
//! In: a path. Out: the file or directory, created or tightened. Fails with
//! the `io::Error`, naming the path.
//!
//! A directory Ferry creates is 0700 (every missing component). A directory
//! that was already there is tightened only where the caller owns it by
//! name (the report directory); the parent of a ledger or sandbox state file
//! is often the working directory, which belongs to the user, not to Ferry,
//! and is left alone.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Mode of every file holding personal data.
pub const FILE_MODE: u32 = 0o600;
/// Mode of a directory Ferry creates for such files.
pub const DIR_MODE: u32 = 0o700;

/// Creates `dir` and its missing parents with mode 0700. Components that
/// already exist are left as they are.
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)
        .map_err(|e| with_path(e, dir))
}

/// `create_dir_all`, then narrows `dir` itself to 0700 if it already
/// existed with a wider mode: for a directory that is Ferry's by name.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    create_dir_all(dir)?;
    narrow(dir, DIR_MODE)
}

/// Opens `path` for writing with mode 0600, truncating it; an existing file
/// with a wider mode is narrowed (`mode()` only applies to a new file).
pub fn create_file(path: &Path) -> io::Result<File> {
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

/// Before SQLite opens `db`: creates it empty with mode 0600 if it does not
/// exist, and narrows it and any `-wal`, `-shm` or `-journal` file beside it
/// to 0600. SQLite gives the files it creates the database's mode, but
/// leaves files it finds as they are.
pub fn prepare_sqlite(db: &Path) -> io::Result<()> {
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .open(db)
    {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(with_path(e, db)),
    }
    narrow_sqlite(db)
}

/// Narrows `db` and its `-wal`, `-shm` and `-journal` files that exist to 0600.
pub fn narrow_sqlite(db: &Path) -> io::Result<()> {
    for p in sqlite_files(db) {
        match narrow(&p, FILE_MODE) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            other => other?,
        }
    }
    Ok(())
}

/// The database file and the files SQLite keeps beside it.
fn sqlite_files(db: &Path) -> [PathBuf; 4] {
    let beside = |suffix: &str| {
        let mut s = db.as_os_str().to_owned();
        s.push(suffix);
        PathBuf::from(s)
    };
    [
        db.to_path_buf(),
        beside("-wal"),
        beside("-shm"),
        beside("-journal"),
    ]
}

/// Sets `mode` on `path` when group or others have any access to it.
fn narrow(path: &Path, mode: u32) -> io::Result<()> {
    let meta = fs::metadata(path).map_err(|e| with_path(e, path))?;
    if meta.permissions().mode() & 0o077 != 0 {
        fs::set_permissions(path, fs::Permissions::from_mode(mode))
            .map_err(|e| with_path(e, path))?;
    }
    Ok(())
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

    fn loose_file(p: &Path) {
        fs::write(p, b"old").unwrap();
        fs::set_permissions(p, fs::Permissions::from_mode(0o644)).unwrap();
    }

    #[test]
    fn created_directories_are_0700_and_existing_parents_are_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let dir = tmp.path().join("a/b");
        create_dir_all(&dir).unwrap();
        assert_eq!(mode(&tmp.path().join("a")), 0o700);
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(tmp.path()), 0o755, "not Ferry's to change");
    }

    #[test]
    fn a_private_dir_that_existed_is_narrowed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("reports");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
    }

    #[test]
    fn an_existing_file_is_truncated_and_narrowed() {
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("x.txt");
        loose_file(&f);
        drop(create_file(&f).unwrap());
        assert_eq!(mode(&f), 0o600);
        assert_eq!(fs::read(&f).unwrap(), b"");
    }

    #[test]
    fn sqlite_files_are_created_or_narrowed_but_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("s.db");
        prepare_sqlite(&db).unwrap();
        assert_eq!(mode(&db), 0o600);
        for name in ["s.db", "s.db-wal", "s.db-shm"] {
            loose_file(&tmp.path().join(name));
        }
        prepare_sqlite(&db).unwrap();
        for name in ["s.db", "s.db-wal", "s.db-shm"] {
            let p = tmp.path().join(name);
            assert_eq!(mode(&p), 0o600, "{name}");
            assert_eq!(fs::read(&p).unwrap(), b"old", "{name} kept");
        }
        assert!(!tmp.path().join("s.db-journal").exists());
    }

    #[test]
    fn failures_name_the_path() {
        let tmp = tempfile::tempdir().unwrap();
        let err = create_file(&tmp.path().join("missing/x.txt")).unwrap_err();
        assert!(err.to_string().contains("missing/x.txt"), "{err}");
        let err = prepare_sqlite(&tmp.path().join("missing/s.db")).unwrap_err();
        assert!(err.to_string().contains("missing/s.db"), "{err}");
    }
}
