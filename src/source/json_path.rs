//! Paths into a JSON object: `name.first`, `documents[0].number`, `a.b[2].c`.
//!
//! In: the path text, compiled once when the source opens. Out: the value
//! at that path in each row's object, if there is one. A name may hold any
//! character but `.`, `[` and `]`; a name that does, goes in quotes:
//! `["first.name"]`. Fails with `JsonPathError` on an empty name, an
//! unclosed bracket or an index that is not a number.

use serde_json::Value;

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// A compiled path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath {
    steps: Vec<Step>,
}

/// Why a path does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("JSON path `{path}`: {reason}")]
pub struct JsonPathError {
    /// The path as written in the mapping.
    pub path: String,
    /// What about it does not parse.
    pub reason: String,
}

impl JsonPath {
    /// Compiles `text`.
    pub fn parse(text: &str) -> Result<Self, JsonPathError> {
        let fail = |reason: &str| JsonPathError {
            path: text.to_string(),
            reason: reason.to_string(),
        };
        let mut steps = Vec::new();
        let mut rest = text;
        let mut expect_name = true;
        while !rest.is_empty() || expect_name {
            if let Some(inner) = rest.strip_prefix('[') {
                let (step, after) = parse_bracket(inner).map_err(fail)?;
                steps.push(step);
                rest = after;
                expect_name = false;
            } else if expect_name {
                let end = rest.find(['.', '[', ']']).unwrap_or(rest.len());
                if end == 0 {
                    return Err(fail("empty name"));
                }
                steps.push(Step::Key(rest[..end].to_string()));
                rest = &rest[end..];
                expect_name = false;
            } else if let Some(after) = rest.strip_prefix('.') {
                rest = after;
                expect_name = true;
            } else {
                return Err(fail("expected `.` or `[` after a name"));
            }
        }
        Ok(Self { steps })
    }

    /// The value at this path in `root`, if every step exists.
    pub fn get<'v>(&self, root: &'v Value) -> Option<&'v Value> {
        self.steps.iter().try_fold(root, |value, step| match step {
            Step::Key(key) => value.as_object()?.get(key),
            Step::Index(i) => value.as_array()?.get(*i),
        })
    }
}

/// `0]` or `"name"]`: the step and what follows the `]`.
fn parse_bracket(inner: &str) -> Result<(Step, &str), &'static str> {
    if let Some(quoted) = inner.strip_prefix('"') {
        let mut key = String::new();
        let mut chars = quoted.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, escaped)) => key.push(escaped),
                    None => break,
                },
                '"' => {
                    let after = quoted[i + 1..]
                        .strip_prefix(']')
                        .ok_or("expected `]` after a quoted name")?;
                    return Ok((Step::Key(key), after));
                }
                _ => key.push(c),
            }
        }
        return Err("unclosed quote");
    }
    let close = inner.find(']').ok_or("unclosed `[`")?;
    let digits = &inner[..close];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("an index must be a number");
    }
    let index = digits.parse().map_err(|_| "index too large")?;
    Ok((Step::Index(index), &inner[close + 1..]))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn get(path: &str, value: &Value) -> Option<Value> {
        JsonPath::parse(path).unwrap().get(value).cloned()
    }

    #[test]
    fn walks_names_and_indexes() {
        let v = json!({
            "id": 7,
            "name": {"first": "Ann"},
            "documents": [{"number": "P1"}, {"number": "P2"}],
            "a": {"b": [0, 1, {"c": true}]},
            "first.name": "dotted",
            "m": [[1, 2], [3]]
        });
        assert_eq!(get("id", &v), Some(json!(7)));
        assert_eq!(get("name.first", &v), Some(json!("Ann")));
        assert_eq!(get("documents[1].number", &v), Some(json!("P2")));
        assert_eq!(get("a.b[2].c", &v), Some(json!(true)));
        assert_eq!(get("[\"first.name\"]", &v), Some(json!("dotted")));
        assert_eq!(get("m[0][1]", &v), Some(json!(2)));
    }

    #[test]
    fn missing_steps_and_wrong_shapes_are_none() {
        let v = json!({"a": {"b": [1]}, "s": "text"});
        assert_eq!(get("a.c", &v), None);
        assert_eq!(get("a.b[3]", &v), None);
        assert_eq!(get("a[0]", &v), None, "an object has no index");
        assert_eq!(get("a.b.x", &v), None, "an array has no names");
        assert_eq!(get("s.x", &v), None);
    }

    #[test]
    fn bad_paths_are_rejected_with_a_reason() {
        let reason = |p: &str| JsonPath::parse(p).unwrap_err().reason;
        assert_eq!(reason(""), "empty name");
        assert_eq!(reason("a..b"), "empty name");
        assert_eq!(reason("a."), "empty name");
        assert_eq!(reason(".a"), "empty name");
        assert_eq!(reason("a[1"), "unclosed `[`");
        assert_eq!(reason("a[x]"), "an index must be a number");
        assert_eq!(reason("a[]"), "an index must be a number");
        assert_eq!(reason("a[0]b"), "expected `.` or `[` after a name");
        assert_eq!(reason("a]"), "expected `.` or `[` after a name");
        assert_eq!(reason("[\"a"), "unclosed quote");
        assert_eq!(reason("[\"a\"x"), "expected `]` after a quoted name");
        assert_eq!(
            JsonPath::parse("a..b").unwrap_err().to_string(),
            "JSON path `a..b`: empty name"
        );
    }

    #[test]
    fn quoted_names_unescape() {
        let v = json!({"say \"hi\"": 1});
        assert_eq!(get(r#"["say \"hi\""]"#, &v), Some(json!(1)));
    }
}
