//! The documents of `ferry export`.
//!
//! A client whose details carry a `profilePictureKey` or
//! `profileSignatureKey` has its document read, one GET each (the API has
//! no bulk read of documents), through the same rate-limited `Target`, and
//! written to `<out>.documents/<client id>/PROFILE_PICTURE.<png|jpg|gif>`
//! (the extension by content; directories 0700, files 0600). The CSV's
//! `profilePicture` and `signature` columns, and NDJSON's `documentFiles`
//! object (`{"PROFILE_PICTURE": path, "SIGNATURE": path}`), hold the path
//! relative to the export file's directory: what a mapping's `[documents]`
//! column reads. A page's documents are written and fsynced before the
//! page's ledger commit; a resume redoing a page first clears the
//! directories of that page's clients, so no half-written file survives.
//!
//! Fails with `ExportError` when a document cannot be read from the target
//! or written to disk.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use serde_json::{Map, Value};

use super::page::encoded_key;
use super::{io_err, ExportError};
use crate::mapping::DocumentKind;
use crate::push::documents::content_of;
use crate::push::{Outcome, Target};
use crate::validate::documents::ImageType;

/// `<out>.documents`, beside the export file.
pub fn documents_dir(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".documents");
    out.with_file_name(name)
}

/// The directory name of a client's documents: its id when that is a
/// plain file name (letters, digits, `-`, `_`, `.`, not starting with a
/// dot), else its encoded key when that is one; else none, and the
/// client's documents are not written. The target's answer never names a
/// path outside `<out>.documents` (a directory there is cleared before a
/// page is written again).
fn client_dir_name(full: &Value) -> Option<String> {
    let plain = |s: &str| {
        !s.is_empty()
            && !s.starts_with('.')
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    let id = full["client"]["id"].as_str().unwrap_or_default();
    if plain(id) {
        return Some(id.to_string());
    }
    encoded_key(full).filter(|k| plain(k)).map(str::to_string)
}

pub(super) enum DocError {
    Io(ExportError),
    Target(String),
}

/// The document a client holds of `kind`, decoded; `None` when the target
/// has none (it was deleted after the page was read).
async fn fetch_document(
    target: &Target,
    who: &str,
    kind: DocumentKind,
) -> Result<Option<Vec<u8>>, String> {
    let what = kind.api_name();
    match target.get_document(who, what).await {
        Outcome::Ok { body, .. } => {
            let answer = match body {
                Value::String(s) => s,
                Value::Null => return Ok(None),
                other => other.to_string(),
            };
            base64::engine::general_purpose::STANDARD
                .decode(content_of(&answer).trim())
                .map(Some)
                .map_err(|e| format!("the {what} of client {who} is not base64: {e}"))
        }
        Outcome::Refused { status: 404, .. } | Outcome::NotFound => Ok(None),
        Outcome::Refused {
            status, name, body, ..
        } => Err(format!(
            "the target refused the {what} of client {who}: HTTP {status} {name} {body}"
        )),
        Outcome::Unknown {
            attempts,
            last_error,
        } => Err(format!(
            "no answer for the {what} of client {who} after {attempts} attempts: {last_error}"
        )),
    }
}

/// Reads a client's documents (one GET each) and writes them under
/// `<out>.documents/<client>/`, clearing what an earlier, uncommitted run
/// left there first. Out: the paths by API name, relative to the export
/// file's directory.
pub(super) async fn client_documents(
    target: &Target,
    out: &Path,
    full: &Value,
) -> Result<Map<String, Value>, DocError> {
    let mut files = Map::new();
    let held: Vec<DocumentKind> = [
        (DocumentKind::ProfilePicture, "profilePictureKey"),
        (DocumentKind::Signature, "profileSignatureKey"),
    ]
    .into_iter()
    .filter(|(_, k)| full["client"][*k].as_str().is_some_and(|v| !v.is_empty()))
    .map(|(kind, _)| kind)
    .collect();
    let (Some(dir_name), Some(who)) = (client_dir_name(full), encoded_key(full)) else {
        return Ok(files);
    };
    let root = documents_dir(out);
    let dir = root.join(&dir_name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| DocError::Io(io_err(&dir)(e)))?;
    }
    if held.is_empty() {
        return Ok(files);
    }
    let base = root
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string();
    for kind in held {
        let Some(bytes) = fetch_document(target, who, kind)
            .await
            .map_err(DocError::Target)?
        else {
            continue;
        };
        let ext = ImageType::sniff(&bytes).map_or("bin", ImageType::api_type);
        let name = format!("{}.{ext}", kind.api_name());
        crate::private_files::create_dir_all(&dir).map_err(|e| DocError::Io(io_err(&dir)(e)))?;
        let path = dir.join(&name);
        let write = || -> std::io::Result<()> {
            let mut f = crate::private_files::create_file(&path)?;
            f.write_all(&bytes)?;
            f.sync_all()
        };
        write().map_err(|e| DocError::Io(io_err(&path)(e)))?;
        files.insert(
            kind.api_name().to_string(),
            Value::String(format!("{base}/{dir_name}/{name}")),
        );
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn client(id: &str, key: &str) -> Value {
        json!({"client": {"id": id, "encodedKey": key}})
    }

    #[test]
    fn a_hostile_id_or_key_never_names_a_directory_outside_the_export() {
        assert_eq!(
            client_dir_name(&client("CL0000001", "8a1")).as_deref(),
            Some("CL0000001")
        );
        assert_eq!(
            client_dir_name(&client("../etc", "8a1")).as_deref(),
            Some("8a1")
        );
        assert_eq!(
            client_dir_name(&client("a/b", "8a1")).as_deref(),
            Some("8a1")
        );
        assert_eq!(
            client_dir_name(&client("..", "8a1")).as_deref(),
            Some("8a1")
        );
        assert_eq!(client_dir_name(&client("", "8a1")).as_deref(), Some("8a1"));
        assert_eq!(client_dir_name(&client("../etc", "../../home")), None);
        assert_eq!(client_dir_name(&client("x y", "/tmp")), None);
        assert_eq!(client_dir_name(&client(".hidden", ".")), None);
    }
}
