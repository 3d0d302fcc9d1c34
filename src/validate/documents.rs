//! A client's document files: each must exist, be readable, be an image the
//! API takes, and be under the mapping's size limit.
//!
//! In: the row's `DocumentFiles` (absolute paths by kind) and the limit in
//! bytes. Out: a `FieldError` per bad file on `documents.PROFILE_PICTURE` or
//! `documents.SIGNATURE`, its message naming the path: 9008 missing or
//! unreadable, 9009 not an image of an accepted type, 9010 over the limit.
//! The type is decided by the file's first bytes, never its extension:
//! JPEG, PNG and GIF — the seed's sample upload is a `"type": "jpg"`, and a
//! GET answers the format first so a browser can show it; these are the
//! formats every browser shows. Only the first bytes are read here; the
//! import reads the whole file again when it sends it.

use std::io::Read;
use std::path::Path;

use crate::field_error::FieldError;
use crate::mapping::documents::document_field;
use crate::mapping::DocumentFiles;
use crate::model::ReturnCode;

/// An image type the API takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageType {
    /// `FF D8 FF`.
    Jpeg,
    /// `89 50 4E 47 0D 0A 1A 0A`.
    Png,
    /// `GIF87a` or `GIF89a`.
    Gif,
}

impl ImageType {
    /// The type its first bytes show, if it is one the API takes.
    pub fn sniff(head: &[u8]) -> Option<ImageType> {
        if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
            Some(Self::Gif)
        } else {
            None
        }
    }

    /// The `document.type` an upload names (the seed's `"jpg"`).
    pub fn api_type(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Gif => "gif",
        }
    }
}

/// Why a document file cannot be uploaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    /// 9008, 9009 or 9010.
    pub code: ReturnCode,
    /// What is wrong, naming the path.
    pub message: String,
}

/// Checks one file: its type and size, or what is wrong with it.
pub fn check_file(path: &Path, max_bytes: u64) -> Result<(ImageType, u64), FileProblem> {
    let shown = path.display();
    let unreadable = |why: String| FileProblem {
        code: ReturnCode::DocumentFileUnreadable,
        message: why,
    };
    let mut file = std::fs::File::open(path).map_err(|e| {
        unreadable(if e.kind() == std::io::ErrorKind::NotFound {
            format!("{shown}: no such file")
        } else {
            format!("{shown}: cannot be read: {e}")
        })
    })?;
    let meta = file
        .metadata()
        .map_err(|e| unreadable(format!("{shown}: cannot be read: {e}")))?;
    if !meta.is_file() {
        return Err(unreadable(format!("{shown}: not a file")));
    }
    let size = meta.len();
    let mut head = [0u8; 8];
    let mut got = 0;
    while got < head.len() {
        match file.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) => return Err(unreadable(format!("{shown}: cannot be read: {e}"))),
        }
    }
    let Some(kind) = ImageType::sniff(&head[..got]) else {
        return Err(FileProblem {
            code: ReturnCode::DocumentNotAnImage,
            message: format!(
                "{shown}: not a JPEG, PNG or GIF image (judged by its content, not its name)"
            ),
        });
    };
    if size > max_bytes {
        return Err(FileProblem {
            code: ReturnCode::DocumentTooLarge,
            message: format!("{shown}: {size} bytes, over the limit of {max_bytes}"),
        });
    }
    Ok((kind, size))
}

/// Checks a row's document files, appending a finding for each bad one.
pub fn check(files: &DocumentFiles, max_bytes: u64, out: &mut Vec<FieldError>) {
    for (kind, path) in &files.0 {
        if let Err(p) = check_file(path, max_bytes) {
            out.push(FieldError::error(document_field(*kind), p.code, p.message));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::DocumentKind;

    #[test]
    fn the_type_is_the_content_s() {
        assert_eq!(
            ImageType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(ImageType::Jpeg)
        );
        assert_eq!(
            ImageType::sniff(b"\x89PNG\r\n\x1a\nrest"),
            Some(ImageType::Png)
        );
        assert_eq!(ImageType::sniff(b"GIF89a.."), Some(ImageType::Gif));
        assert_eq!(ImageType::sniff(b"GIF90a.."), None);
        assert_eq!(ImageType::sniff(b"BM6\0\0\0"), None, "BMP is not taken");
        assert_eq!(ImageType::sniff(b""), None);
        assert_eq!(ImageType::sniff(&[0xFF, 0xD8]), None);
    }

    #[test]
    fn each_problem_has_its_code_and_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("a.jpg");
        std::fs::write(&png, b"\x89PNG\r\n\x1a\n0123456789").unwrap();
        let text = dir.path().join("b.jpg");
        std::fs::write(&text, b"hello, not a picture").unwrap();
        let empty = dir.path().join("c.png");
        std::fs::write(&empty, b"").unwrap();
        let gone = dir.path().join("d.png");

        assert_eq!(check_file(&png, 18), Ok((ImageType::Png, 18)));
        let p = check_file(&png, 17).unwrap_err();
        assert_eq!(p.code, ReturnCode::DocumentTooLarge);
        assert!(
            p.message.contains("18 bytes, over the limit of 17"),
            "{}",
            p.message
        );

        let files = DocumentFiles(vec![
            (DocumentKind::ProfilePicture, text.clone()),
            (DocumentKind::Signature, gone.clone()),
            (DocumentKind::Signature, empty.clone()),
            (DocumentKind::ProfilePicture, dir.path().to_path_buf()),
            (DocumentKind::ProfilePicture, png.clone()),
        ]);
        let mut out = Vec::new();
        check(&files, 1024, &mut out);
        let got: Vec<(&str, u16, bool)> = out
            .iter()
            .map(|f| (f.field.as_str(), f.code.code(), f.is_error()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("documents.PROFILE_PICTURE", 9009, true),
                ("documents.SIGNATURE", 9008, true),
                ("documents.SIGNATURE", 9009, true),
                ("documents.PROFILE_PICTURE", 9008, true),
            ]
        );
        assert!(out[0].message.contains(&text.display().to_string()));
        assert!(out[1].message.contains("no such file"));
        assert!(out[3].message.contains("not a file"), "{}", out[3].message);
    }
}
