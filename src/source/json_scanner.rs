//! Finds the elements of one big JSON array without parsing or holding it.
//!
//! In: a buffered UTF-8 stream positioned at (or before) the opening `[`.
//! Out: each top-level element's bytes, with the line and column it starts
//! on, ready for `serde_json::from_slice`. The scanner only tracks strings,
//! escapes and bracket nesting, so a malformed element still ends where its
//! brackets close and the next one is found. What it cannot place (the file
//! ends mid-element, data after the closing `]`, a missing `,`) comes back
//! flagged on the element, never dropped. Only I/O errors are `Err`.

use std::io::{self, BufRead};

/// Elements larger than this are reported instead of being held in memory.
pub(crate) const MAX_ELEMENT: usize = 32 * 1024 * 1024;

/// Where an element starts and what was wrong around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Element {
    pub line: u64,
    pub column: u64,
    /// The file ended before the element did.
    pub truncated: bool,
    /// No `,` separated it from the element before.
    pub missing_comma: bool,
    /// Longer than `MAX_ELEMENT`; its bytes were not kept.
    pub oversized: bool,
    /// Not an element at all: data after the array's closing `]`, or the
    /// file ended before that `]` (then the bytes are empty).
    pub outside_array: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    BeforeArray,
    NeedElement,
    AfterElement,
    AfterArray,
    Finished,
}

/// Streams the elements of a top-level JSON array.
pub(crate) struct ArrayScanner<R> {
    input: R,
    line: u64,
    column: u64,
    level: Level,
    /// Open brackets of the element being scanned.
    nesting: Vec<u8>,
}

impl<R: BufRead> ArrayScanner<R> {
    /// Scans `input`, whose next byte is at `line`:`column` (1-based).
    pub fn new(input: R, line: u64, column: u64) -> Self {
        Self {
            input,
            line,
            column,
            level: Level::BeforeArray,
            nesting: Vec::new(),
        }
    }

    /// Puts the next element's bytes in `buf` (cleared first). `None` at
    /// the end of the array.
    pub fn next_element(&mut self, buf: &mut Vec<u8>) -> io::Result<Option<Element>> {
        buf.clear();
        let Some(mut element) = self.find_start()? else {
            return Ok(None);
        };
        if element.outside_array {
            return Ok(Some(element));
        }
        self.scan_element(buf, &mut element)?;
        Ok(Some(element))
    }

    fn advance(&mut self, b: u8) {
        if b == b'\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
    }

    /// Moves past separators to the first byte of the next element.
    fn find_start(&mut self) -> io::Result<Option<Element>> {
        loop {
            if self.level == Level::Finished {
                return Ok(None);
            }
            let avail = self.input.fill_buf()?;
            let Some(&b) = avail.first() else {
                return Ok(self.at_end_of_file());
            };
            let here = Element {
                line: self.line,
                column: self.column,
                ..Element::default()
            };
            if b.is_ascii_whitespace() {
                self.input.consume(1);
                self.advance(b);
                continue;
            }
            match (self.level, b) {
                (Level::BeforeArray, b'[') => self.level = Level::NeedElement,
                // Empty slots (`[1,,2]`, `[1,]`) hold no data to lose.
                (Level::NeedElement, b',') => {}
                (Level::NeedElement | Level::AfterElement, b']') => self.level = Level::AfterArray,
                (Level::AfterElement, b',') => self.level = Level::NeedElement,
                (Level::NeedElement, _) => return Ok(Some(here)),
                (Level::AfterElement, _) => {
                    return Ok(Some(Element {
                        missing_comma: true,
                        ..here
                    }))
                }
                // Trailing data, or no array at all: reported once, and the
                // rest of the file is not read.
                (Level::AfterArray | Level::BeforeArray | Level::Finished, _) => {
                    self.level = Level::Finished;
                    return Ok(Some(Element {
                        outside_array: true,
                        ..here
                    }));
                }
            }
            self.input.consume(1);
            self.advance(b);
        }
    }

    fn at_end_of_file(&mut self) -> Option<Element> {
        let unclosed = matches!(self.level, Level::NeedElement | Level::AfterElement);
        self.level = Level::Finished;
        unclosed.then_some(Element {
            line: self.line,
            column: self.column,
            truncated: true,
            outside_array: true,
            ..Element::default()
        })
    }

    /// Copies the element's bytes into `buf` up to where it ends: its
    /// brackets close, or a `,` / `]` at its own level follows a scalar.
    fn scan_element(&mut self, buf: &mut Vec<u8>, element: &mut Element) -> io::Result<()> {
        self.nesting.clear();
        let (mut in_string, mut escaped) = (false, false);
        loop {
            let avail = self.input.fill_buf()?;
            if avail.is_empty() {
                element.truncated = in_string || !self.nesting.is_empty();
                // A truncated element is the one report of the cut; a
                // complete one may still be followed by a missing `]`.
                self.level = if element.truncated {
                    Level::Finished
                } else {
                    Level::AfterElement
                };
                return Ok(());
            }
            let mut used = 0;
            let mut done = false;
            for &b in avail {
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if b == b'\\' {
                        escaped = true;
                    } else if b == b'"' {
                        in_string = false;
                        done = self.nesting.is_empty();
                    }
                } else {
                    match b {
                        b'"' => in_string = true,
                        b'{' | b'[' => self.nesting.push(b),
                        b'}' | b']' if !self.nesting.is_empty() => {
                            close(&mut self.nesting, b);
                            done = self.nesting.is_empty();
                        }
                        // The array's own `]` or the next `,`: not ours.
                        b']' | b',' if self.nesting.is_empty() => break,
                        _ => {}
                    }
                }
                used += 1;
                if b == b'\n' {
                    self.line += 1;
                    self.column = 1;
                } else {
                    self.column += 1;
                }
                if done {
                    break;
                }
            }
            let taken = &avail[..used];
            if !element.oversized && buf.len() + taken.len() <= MAX_ELEMENT {
                buf.extend_from_slice(taken);
            } else {
                element.oversized = true;
                buf.clear();
            }
            let ended = done || used < avail.len();
            self.input.consume(used);
            if ended {
                self.level = Level::AfterElement;
                return Ok(());
            }
        }
    }
}

/// Closes the innermost bracket; a mismatched closer also closes the
/// brackets opened inside its partner, so `{"a": [1}` still ends.
fn close(nesting: &mut Vec<u8>, closer: u8) {
    let opener = if closer == b'}' { b'{' } else { b'[' };
    if !nesting.contains(&opener) {
        nesting.pop();
        return;
    }
    while let Some(open) = nesting.pop() {
        if open == opener {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::BufReader;

    use super::*;

    /// (text, line, column, flags) of every element; a 3-byte buffer makes
    /// elements straddle refills.
    fn scan(json: &str) -> Vec<(String, u64, u64, Element)> {
        let mut s = ArrayScanner::new(BufReader::with_capacity(3, json.as_bytes()), 1, 1);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while let Some(e) = s.next_element(&mut buf).unwrap() {
            out.push((String::from_utf8(buf.clone()).unwrap(), e.line, e.column, e));
        }
        out
    }

    fn texts(json: &str) -> Vec<String> {
        scan(json).into_iter().map(|e| e.0).collect()
    }

    #[test]
    fn splits_top_level_elements() {
        let json = "[\n {\"a\": [1, {\"b\": \"x,]}\"}]},\n  {\"c\": \"q\\\"}\"} , 42, \"s\", [1,2], true\n]";
        assert_eq!(
            texts(json),
            [
                "{\"a\": [1, {\"b\": \"x,]}\"}]}",
                "{\"c\": \"q\\\"}\"}",
                "42",
                "\"s\"",
                "[1,2]",
                "true\n"
            ]
        );
        let positions: Vec<(u64, u64)> = scan(json).iter().map(|e| (e.1, e.2)).collect();
        assert_eq!(
            positions,
            [(2, 2), (3, 3), (3, 19), (3, 23), (3, 28), (3, 35)]
        );
        assert!(scan(json).iter().all(|e| e.3
            == Element {
                line: e.1,
                column: e.2,
                ..Element::default()
            }));
    }

    #[test]
    fn empty_arrays_and_empty_slots_have_no_elements() {
        assert!(scan("[]").is_empty());
        assert!(scan("  [ \n ] \n").is_empty());
        assert_eq!(texts("[1,,2,]"), ["1", "2"]);
    }

    #[test]
    fn mid_object_end_of_file_is_a_truncated_element() {
        let e = scan("[{\"a\":1},\n{\"b\": {\"c\"");
        assert_eq!(e.len(), 2);
        assert_eq!(e[1].0, "{\"b\": {\"c\"");
        assert!(e[1].3.truncated && !e[1].3.outside_array);
        assert_eq!((e[1].1, e[1].2), (2, 1));
        assert!(scan("[\"abc").last().unwrap().3.truncated);
    }

    #[test]
    fn a_missing_closing_bracket_is_reported_after_the_last_element() {
        let e = scan("[{\"a\":1}\n");
        assert_eq!(e.len(), 2);
        assert!(!e[0].3.truncated);
        assert!(e[1].3.truncated && e[1].3.outside_array && e[1].0.is_empty());
        assert!(scan("[").last().unwrap().3.outside_array);
    }

    #[test]
    fn mismatched_brackets_still_end_the_element() {
        assert_eq!(
            texts("[{\"a\": [1}, {\"b\": 2}]"),
            ["{\"a\": [1}", "{\"b\": 2}"]
        );
        assert_eq!(texts("[[1}, 2]"), ["[1}", "2"]);
    }

    #[test]
    fn a_missing_comma_is_flagged_on_the_next_element() {
        let e = scan("[{\"a\":1} {\"b\":2}]");
        assert_eq!(e.len(), 2);
        assert!(!e[0].3.missing_comma && e[1].3.missing_comma);
        assert_eq!(e[1].0, "{\"b\":2}");
    }

    #[test]
    fn data_after_the_array_is_reported_once() {
        let e = scan("[1]\n  x y z");
        assert_eq!(e.len(), 2);
        assert!(e[1].3.outside_array && !e[1].3.truncated);
        assert_eq!((e[1].1, e[1].2), (2, 3));
        assert!(scan("{}").first().unwrap().3.outside_array, "not an array");
    }

    #[test]
    fn oversized_elements_are_flagged_not_kept() {
        let big = format!("[\"{}\", 1]", "x".repeat(MAX_ELEMENT));
        let mut s = ArrayScanner::new(BufReader::new(big.as_bytes()), 1, 1);
        let mut buf = Vec::new();
        let first = s.next_element(&mut buf).unwrap().unwrap();
        assert!(first.oversized && buf.len() <= MAX_ELEMENT);
        let second = s.next_element(&mut buf).unwrap().unwrap();
        assert!(!second.oversized);
        assert_eq!(buf, b"1");
    }
}
