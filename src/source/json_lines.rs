//! Line-level reading of a JSON stream: where the text starts, and NDJSON
//! lines of bounded size.
//!
//! In: the buffered, decoded stream. Out: the first non-blank byte and its
//! line; then one line at a time in a reused buffer, never more than
//! `MAX_ELEMENT` bytes of it held. Only I/O errors are `Err`.

use std::io::BufRead;

use super::json_reader::Stream;
use super::json_scanner::MAX_ELEMENT;

/// Reads the next line into `buf` (cleared first), keeping at most
/// `MAX_ELEMENT` bytes of it: `Some(true)` when the line was longer and its
/// bytes were dropped, `None` at the end of the file.
pub(crate) fn read_line(input: &mut Stream, buf: &mut Vec<u8>) -> std::io::Result<Option<bool>> {
    buf.clear();
    let (mut any, mut oversized) = (false, false);
    loop {
        let avail = input.fill_buf()?;
        if avail.is_empty() {
            return Ok(any.then_some(oversized));
        }
        let (take, done) = match avail.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (avail.len(), false),
        };
        if !oversized && buf.len() + take <= MAX_ELEMENT {
            buf.extend_from_slice(&avail[..take]);
        } else {
            oversized = true;
            buf.clear();
        }
        input.consume(take);
        any = true;
        if done {
            return Ok(Some(oversized));
        }
    }
}

/// Skips leading whitespace. Returns the first other byte (not consumed)
/// and the line and column of the next unconsumed byte: whole blank lines
/// are consumed, the first line's own indent is kept where the buffer
/// allows, so columns stay right.
pub(crate) fn skip_blank_start(stream: &mut Stream) -> std::io::Result<(Option<u8>, u64, u64)> {
    let (mut line, mut column) = (1, 1);
    loop {
        let avail = stream.fill_buf()?;
        let found = avail.iter().position(|b| !b.is_ascii_whitespace());
        let first = found.map(|i| avail[i]);
        let blank = &avail[..found.unwrap_or(avail.len())];
        let cut = match found {
            Some(_) => blank
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |nl| nl + 1),
            // All blank: consume it all, or the next chunk cannot be seen.
            None => blank.len(),
        };
        for &b in &blank[..cut] {
            if b == b'\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
        }
        let end = avail.is_empty();
        stream.consume(cut);
        if found.is_some() || end {
            return Ok((first, line, column));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufReader, Cursor, Read};

    use super::*;

    fn stream(bytes: &[u8], capacity: usize) -> Stream {
        let reader: Box<dyn Read + Send> = Box::new(Cursor::new(bytes.to_vec()));
        BufReader::with_capacity(capacity, reader)
    }

    #[test]
    fn lines_come_one_at_a_time_across_refills() {
        let mut s = stream(b"ab\n\ncdefg\nh", 3);
        let mut buf = Vec::new();
        let mut lines = Vec::new();
        while let Some(oversized) = read_line(&mut s, &mut buf).unwrap() {
            assert!(!oversized);
            lines.push(String::from_utf8(buf.clone()).unwrap());
        }
        assert_eq!(lines, ["ab\n", "\n", "cdefg\n", "h"]);
    }

    #[test]
    fn blank_start_is_skipped_by_whole_lines() {
        // A 2-byte buffer holds only blanks, so the indent goes too.
        let mut s = stream(b" \n\t\n  {", 2);
        assert_eq!(skip_blank_start(&mut s).unwrap(), (Some(b'{'), 3, 3));
        let mut s = stream(b" \n\t\n  {", 64);
        assert_eq!(skip_blank_start(&mut s).unwrap(), (Some(b'{'), 3, 1));
        let mut rest = String::new();
        s.read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "  {", "the first line's own indent stays");
        let mut s = stream(b"\n\n", 8);
        assert_eq!(skip_blank_start(&mut s).unwrap(), (None, 3, 1));
    }
}
