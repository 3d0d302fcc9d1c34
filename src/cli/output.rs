//! How a command's result reaches stdout: a table for people, a one-line
//! result under `-q`, or one JSON document under `--format json`.
//!
//! In: the three renderings of a result. Out: the one the flags ask for,
//! written to stdout. Fails never: a closed stdout is not an error worth
//! a second message.

use std::io::Write;

use super::args::OutputFormat;

/// A command's result in each of its forms.
pub(crate) struct Rendered {
    /// The table (text, ends with a newline).
    pub text: String,
    /// One line for `-q`.
    pub line: String,
    /// The document for `--format json`.
    pub json: serde_json::Value,
}

/// Prints the form the flags ask for.
pub(crate) fn print(format: OutputFormat, r: Rendered) {
    let out = match format {
        OutputFormat::Json => {
            serde_json::to_string_pretty(&r.json).unwrap_or_else(|_| "null".into()) + "\n"
        }
        OutputFormat::Text if super::quiet() => r.line + "\n",
        OutputFormat::Text => r.text,
    };
    let _ = std::io::stdout().write_all(out.as_bytes());
}

/// A note for people on stderr (warnings, hints); silent under `-q`.
pub(crate) fn note(text: &str) {
    if !super::quiet() {
        eprintln!("{text}");
    }
}
