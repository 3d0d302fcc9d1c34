//! Finding a mapping's columns among a file's columns, once, at compile
//! time, so that rows are read by index.
//!
//! In: the file's column names and one name the mapping uses. Out: its
//! index, or a message that lists the columns the file does have (and a
//! near miss such as a different case) or says the name is ambiguous.

use super::problem::Problem;

/// How many column names a message lists before it says "and N more".
const LISTED: usize = 40;

/// The index of `name` among `columns`; `file` names the file in messages
/// ("the file", "addresses.csv").
pub fn find(columns: &[String], name: &str, file: &str) -> Result<usize, Problem> {
    let mut found = columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.as_str() == name)
        .map(|(i, _)| i);
    match (found.next(), found.next()) {
        (Some(i), None) => Ok(i),
        (Some(a), Some(b)) => Err(Problem::AmbiguousColumn {
            name: name.to_string(),
            file: file.to_string(),
            first: a + 1,
            second: b + 1,
        }),
        (None, _) => {
            let near = columns
                .iter()
                .find(|c| c.trim().eq_ignore_ascii_case(name.trim()))
                .map(|c| format!(" (did you mean '{c}'?)"))
                .unwrap_or_default();
            Err(Problem::MissingColumn {
                name: name.to_string(),
                file: file.to_string(),
                near,
                columns: list(columns),
            })
        }
    }
}

/// The column names, comma separated, cut off after `LISTED`.
pub fn list(columns: &[String]) -> String {
    if columns.is_empty() {
        return "none".into();
    }
    let shown: Vec<&str> = columns.iter().take(LISTED).map(String::as_str).collect();
    let mut s = shown.join(", ");
    if columns.len() > LISTED {
        s.push_str(&format!(", and {} more", columns.len() - LISTED));
    }
    s
}

/// Names that appear more than once among `columns`, each once, in order.
pub fn duplicates(columns: &[String]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for (i, c) in columns.iter().enumerate() {
        if columns[..i].contains(c) && !out.contains(&c.as_str()) {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn finds_by_exact_name() {
        let c = cols(&["ID", "DOB", "NAME"]);
        assert_eq!(find(&c, "DOB", "the file"), Ok(1));
    }

    #[test]
    fn missing_lists_columns_and_near_misses() {
        let c = cols(&["ID", "Dob"]);
        let e = find(&c, "DOB", "the file").unwrap_err();
        assert!(matches!(e, Problem::MissingColumn { .. }));
        assert_eq!(
            e.to_string(),
            "column 'DOB' is not in the file (did you mean 'Dob'?) (columns: ID, Dob)"
        );
        let many: Vec<String> = (0..45).map(|i| format!("C{i}")).collect();
        assert!(find(&many, "X", "a.csv")
            .unwrap_err()
            .to_string()
            .ends_with("C39, and 5 more)"));
    }

    #[test]
    fn twice_is_ambiguous() {
        let c = cols(&["ID", "PHONE", "PHONE"]);
        let e = find(&c, "PHONE", "the file").unwrap_err();
        assert_eq!(
            e,
            Problem::AmbiguousColumn {
                name: "PHONE".into(),
                file: "the file".into(),
                first: 2,
                second: 3
            }
        );
        assert_eq!(
            e.to_string(),
            "column 'PHONE' is ambiguous: the file has it twice (columns 2 and 3)"
        );
        assert_eq!(
            duplicates(&cols(&["A", "B", "A", "A", "B", "C"])),
            vec!["A", "B"]
        );
    }
}
