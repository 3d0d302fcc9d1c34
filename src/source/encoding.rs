//! Text encoding: which one a file is in, and a reader that yields UTF-8.
//!
//! In: an open file and the declared `TextEncoding`. Out: a `Decoded` byte
//! stream with any BOM removed. UTF-8 input is passed through untouched (a
//! bad byte is the row's problem, found later); every other encoding is
//! transcoded by `encoding_rs`, so the stream is always valid UTF-8. Fails
//! only on I/O errors while reading the first 64 KiB.

use std::io::{self, Cursor, Read};

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};
use encoding_rs_io::DecodeReaderBytesBuilder;

use super::TextEncoding;

/// How much of the file is looked at to tell UTF-8 from Windows-1252.
pub(crate) const SNIFF_LEN: usize = 64 * 1024;

/// A file's byte stream, decoded to UTF-8 (or passed through as UTF-8).
pub(crate) struct Decoded {
    /// The text, BOM removed.
    pub reader: Box<dyn Read + Send>,
    /// The encoding the file was read as. `UTF_8` means the bytes pass
    /// through unchecked: a field may hold bytes that are not UTF-8.
    pub encoding: &'static Encoding,
    /// Whether the file holds nothing after its BOM.
    pub empty: bool,
}

/// Reads the start of `file`, decides its encoding and returns a stream
/// of UTF-8 text that begins after the BOM.
pub(crate) fn decode<R: Read + Send + 'static>(
    mut file: R,
    declared: TextEncoding,
) -> io::Result<Decoded> {
    let prefix = read_prefix(&mut file)?;
    let (encoding, bom_len) = detect(&prefix, declared);
    let empty = prefix.len() == bom_len;
    let mut head = Cursor::new(prefix);
    head.set_position(bom_len as u64);
    let stream = head.chain(file);
    let passthrough = encoding == encoding_rs::UTF_8;
    let reader: Box<dyn Read + Send> = if passthrough {
        Box::new(stream)
    } else {
        // The BOM is already gone; sniffing again would let a stray
        // BOM-like sequence in the text switch encodings mid-file.
        Box::new(
            DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding))
                .bom_sniffing(false)
                .build(stream),
        )
    };
    Ok(Decoded {
        reader,
        encoding,
        empty,
    })
}

/// Up to `SNIFF_LEN` bytes from the start (fewer only at the end of file).
fn read_prefix<R: Read>(file: &mut R) -> io::Result<Vec<u8>> {
    let mut prefix = Vec::with_capacity(SNIFF_LEN);
    file.by_ref()
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut prefix)?;
    Ok(prefix)
}

/// The encoding to read `prefix` as, and the length of its BOM.
///
/// A BOM wins over the declared encoding (as in the WHATWG decode
/// algorithm): a file that says what it is in its first bytes is believed.
pub(crate) fn detect(prefix: &[u8], declared: TextEncoding) -> (&'static Encoding, usize) {
    if let Some((encoding, bom_len)) = Encoding::for_bom(prefix) {
        return (encoding, bom_len);
    }
    let encoding = match declared {
        TextEncoding::Auto => sniff(prefix),
        TextEncoding::Utf8 => encoding_rs::UTF_8,
        // WHATWG maps the ISO-8859-1 label to windows-1252, a superset of
        // its printable range.
        TextEncoding::Windows1252 | TextEncoding::Iso88591 => WINDOWS_1252,
        TextEncoding::Utf16le => UTF_16LE,
        TextEncoding::Utf16be => UTF_16BE,
    };
    (encoding, 0)
}

/// Guesses the encoding of BOM-less text.
fn sniff(prefix: &[u8]) -> &'static Encoding {
    if let Some(utf16) = sniff_utf16(prefix) {
        return utf16;
    }
    match std::str::from_utf8(prefix) {
        Ok(_) => encoding_rs::UTF_8,
        // Cut off mid-character at the end of the prefix (or of a truncated
        // file): everything before it was UTF-8, so the file is too.
        Err(e) if e.error_len().is_none() => encoding_rs::UTF_8,
        Err(_) => WINDOWS_1252,
    }
}

/// UTF-16 without a BOM: mostly-ASCII text has a zero in every other byte.
/// Real 8-bit text with that many NULs in one parity is not plausible.
fn sniff_utf16(prefix: &[u8]) -> Option<&'static Encoding> {
    let pairs = prefix.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in prefix.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    if odd * 10 >= pairs * 9 && even == 0 {
        Some(UTF_16LE)
    } else if even * 10 >= pairs * 9 && odd == 0 {
        Some(UTF_16BE)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded_text(bytes: &[u8], declared: TextEncoding) -> (String, &'static str, bool) {
        let d = decode(Cursor::new(bytes.to_vec()), declared).unwrap();
        let (name, passthrough) = (d.encoding.name(), d.encoding == encoding_rs::UTF_8);
        let mut out = Vec::new();
        let mut reader = d.reader;
        reader.read_to_end(&mut out).unwrap();
        (
            String::from_utf8_lossy(&out).into_owned(),
            name,
            passthrough,
        )
    }

    #[test]
    fn utf8_bom_is_stripped_and_bytes_pass_through() {
        let (text, name, passthrough) = decoded_text(b"\xEF\xBB\xBFa,b\n", TextEncoding::Auto);
        assert_eq!((text.as_str(), name, passthrough), ("a,b\n", "UTF-8", true));
    }

    #[test]
    fn utf16_boms_are_decoded() {
        let le: Vec<u8> = [0xFF, 0xFE, b'h', 0, b'i', 0, 0xFC, 0].to_vec();
        assert_eq!(decoded_text(&le, TextEncoding::Auto).0, "hiü");
        let be: Vec<u8> = [0xFE, 0xFF, 0, b'h', 0, b'i'].to_vec();
        assert_eq!(
            decoded_text(&be, TextEncoding::Auto),
            ("hi".into(), "UTF-16BE", false)
        );
    }

    #[test]
    fn bom_wins_over_the_declared_encoding() {
        let (text, name, _) = decoded_text(b"\xEF\xBB\xBF\xC3\xBC", TextEncoding::Windows1252);
        assert_eq!((text.as_str(), name), ("ü", "UTF-8"));
    }

    #[test]
    fn invalid_utf8_without_bom_is_read_as_windows_1252() {
        let (text, name, passthrough) = decoded_text(b"M\xFCller \x80", TextEncoding::Auto);
        assert_eq!(
            (text.as_str(), name, passthrough),
            ("Müller €", "windows-1252", false)
        );
    }

    #[test]
    fn valid_utf8_cut_at_the_prefix_end_is_still_utf8() {
        let mut bytes = vec![b'a'; SNIFF_LEN - 1];
        bytes.extend_from_slice("ü".as_bytes());
        assert_eq!(
            detect(&bytes[..SNIFF_LEN], TextEncoding::Auto).0.name(),
            "UTF-8"
        );
    }

    #[test]
    fn declared_encodings_are_used_without_a_bom() {
        assert_eq!(decoded_text(b"\xE9", TextEncoding::Iso88591).0, "é");
        assert_eq!(decoded_text(b"\xE9", TextEncoding::Windows1252).0, "é");
        assert_eq!(decoded_text(b"a\0", TextEncoding::Utf16le).0, "a");
        assert_eq!(decoded_text(b"\0a", TextEncoding::Utf16be).0, "a");
        // Declared UTF-8 is trusted even when it is not: rows report it.
        assert!(decoded_text(b"\xE9", TextEncoding::Utf8).2);
    }

    #[test]
    fn utf16_without_bom_is_recognised_by_its_zero_bytes() {
        let le: Vec<u8> = "id,name\n".bytes().flat_map(|b| [b, 0]).collect();
        assert_eq!(decoded_text(&le, TextEncoding::Auto).0, "id,name\n");
        let be: Vec<u8> = "id,name\n".bytes().flat_map(|b| [0, b]).collect();
        assert_eq!(decoded_text(&be, TextEncoding::Auto).1, "UTF-16BE");
        // A few NUL bytes in 8-bit text are just data.
        assert_eq!(detect(b"a\0b,c\0\n", TextEncoding::Auto).0.name(), "UTF-8");
    }

    #[test]
    fn empty_means_nothing_after_the_bom() {
        assert!(
            decode(Cursor::new(Vec::new()), TextEncoding::Auto)
                .unwrap()
                .empty
        );
        assert!(
            decode(Cursor::new(b"\xEF\xBB\xBF".to_vec()), TextEncoding::Auto)
                .unwrap()
                .empty
        );
        assert!(
            !decode(Cursor::new(b"\n".to_vec()), TextEncoding::Auto)
                .unwrap()
                .empty
        );
    }

    #[test]
    fn text_beyond_the_prefix_is_kept() {
        let mut bytes = vec![b'x'; SNIFF_LEN + 10];
        bytes.push(b'!');
        let (text, _, _) = decoded_text(&bytes, TextEncoding::Auto);
        assert_eq!(text.len(), SNIFF_LEN + 11);
        assert!(text.ends_with("x!"));
    }
}
