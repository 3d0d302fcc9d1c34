//! Fingerprints of the files an import was made from, so that `ferry resume`
//! can tell whether the source or mapping changed underneath it.
//!
//! In: a file path or any reader. Out: xxh3-128 of the bytes as 32 lower-case
//! hex digits, computed in fixed-size chunks (the file is never loaded whole).
//! Fails with the reader's I/O error.

use std::io::Read;
use std::path::Path;

use xxhash_rust::xxh3::Xxh3;

/// The chunk read at a time; large enough that hashing, not syscalls, dominates.
const CHUNK: usize = 64 * 1024;

/// Fingerprints everything `reader` yields.
pub fn fingerprint_reader<R: Read>(mut reader: R) -> std::io::Result<String> {
    let mut hasher = Xxh3::new();
    let mut buf = vec![0u8; CHUNK];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(format!("{:032x}", hasher.digest128()))
}

/// Fingerprints the file at `path`.
pub fn fingerprint_file(path: &Path) -> std::io::Result<String> {
    fingerprint_reader(std::fs::File::open(path)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streaming_equals_one_shot_hash() {
        // Spans several chunks and ends mid-chunk.
        let data: Vec<u8> = (0..CHUNK * 3 + 17).map(|i| (i % 251) as u8).collect();
        let expected = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&data));
        assert_eq!(fingerprint_reader(&data[..]).unwrap(), expected);
        assert_eq!(expected.len(), 32);
    }

    #[test]
    fn file_fingerprint_changes_with_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        std::fs::write(&path, "id,name\n1,Ann\n").unwrap();
        let a = fingerprint_file(&path).unwrap();
        std::fs::write(&path, "id,name\n1,Anne\n").unwrap();
        let b = fingerprint_file(&path).unwrap();
        assert_ne!(a, b);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert!(fingerprint_file(&dir.path().join("missing")).is_err());
    }
}
