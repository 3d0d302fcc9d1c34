//! The spreadsheet guard Ferry puts on cells of the CSV files it writes
//! (`rejects.csv`, `success.csv`, `failures.csv`), and its exact inverse.
//!
//! In: a cell's value. Out: the value as written (`guard`) or as it was
//! before it was written (`unguard`). A cell a spreadsheet would run as a
//! formula (first character `=`, `+`, `-`, `@`, tab or CR; OWASP, CSV
//! injection) gets a leading `'`. So does a value that already starts with
//! `'`: otherwise reading the file back could not tell a guard from data.
//! `unguard(guard(v)) == v` for every `v`; `unguard` removes only a `'`
//! that `guard` would have added, so a hand-typed `'` elsewhere is data.
//! Never fails.

use std::borrow::Cow;

/// The character a guarded cell starts with.
pub const GUARD: char = '\'';

/// Whether a value needs the guard: a spreadsheet would read it as a
/// formula, or it starts with the guard character itself.
pub fn needs_guard(value: &str) -> bool {
    matches!(
        value.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\'')
    )
}

/// `value` as it may safely stand in a CSV cell a spreadsheet opens.
pub fn guard(value: &str) -> Cow<'_, str> {
    if needs_guard(value) {
        let mut s = String::with_capacity(value.len() + 1);
        s.push(GUARD);
        s.push_str(value);
        Cow::Owned(s)
    } else {
        Cow::Borrowed(value)
    }
}

/// The value `guard` was given, for a cell it wrote: a leading `'` is
/// removed only when what follows it needed the guard.
pub fn unguard(cell: &str) -> &str {
    match cell.strip_prefix(GUARD) {
        Some(rest) if needs_guard(rest) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values a spreadsheet or a round trip could get wrong.
    const HOSTILE: &[&str] = &[
        "=cmd|' /C calc'!A0",
        "=SUM(A1:A9)",
        "+48 12 345 67 89",
        "+",
        "-1",
        "-",
        "@x",
        "@SUM(1)",
        "'quoted",
        "'",
        "''",
        "'''x",
        "'+48 600",
        "''=1",
        "\tx",
        "\t",
        "\rx",
        "\r\n=1",
        "plain",
        "O'Brien",
        "a=b",
        "",
        " =1",
        "ünïcødé",
    ];

    #[test]
    fn unguard_undoes_guard_for_every_value() {
        for v in HOSTILE {
            assert_eq!(unguard(&guard(v)), *v, "{v:?}");
        }
    }

    #[test]
    fn guarded_values_never_start_like_a_formula() {
        for v in HOSTILE {
            let g = guard(v);
            let first = g.chars().next();
            assert!(
                !matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r')),
                "{v:?} written as {g:?}"
            );
            // Guarding is by one character exactly, and only when needed.
            if needs_guard(v) {
                assert_eq!(g, format!("'{v}"));
            } else {
                assert_eq!(g, *v);
            }
        }
    }

    #[test]
    fn only_a_guard_ferry_would_add_is_removed() {
        assert_eq!(unguard("'+48 600"), "+48 600");
        assert_eq!(unguard("'=cmd|' /C calc'!A0"), "=cmd|' /C calc'!A0");
        assert_eq!(unguard("''quoted"), "'quoted");
        assert_eq!(unguard("'\tx"), "\tx");
        // A `'` Ferry would not have added stays: it is data.
        assert_eq!(unguard("'quoted"), "'quoted");
        assert_eq!(unguard("'"), "'");
        assert_eq!(unguard("O'Brien"), "O'Brien");
        assert_eq!(unguard("+48 600"), "+48 600", "an unguarded value is kept");
        assert_eq!(unguard(""), "");
    }
}
