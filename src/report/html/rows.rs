//! The listed rows of `report.html`: the filter form and the tables of
//! rejected rows and of rows with warnings only, each source cell written
//! whole (ids, dates and e-mails never broken) and the offending ones
//! highlighted, the row number and id columns kept in view.
//!
//! In: the sampled rows and the source's columns. Out: HTML on `out`.
//! Fails only on I/O.

use std::collections::{BTreeSet, HashSet};
use std::io::{self, Write};

use super::{field_id, HtmlSample, SampleRow};
use crate::field_error::Severity;
use crate::report::html_template::Esc;
use crate::report::summary::{thousands, Tally};
use crate::report::{JSON_FILE, REJECTS_FILE};

/// The filter form: hidden until the script shows it.
pub(super) fn filter(
    out: &mut impl Write,
    t: &Tally,
    rejected: &HtmlSample,
    warned: &HtmlSample,
) -> io::Result<()> {
    if rejected.rows.is_empty() && warned.rows.is_empty() {
        return Ok(());
    }
    let mut codes: BTreeSet<(u16, String)> = BTreeSet::new();
    for c in t.errors_by_code.keys().chain(t.warnings_by_code.keys()) {
        codes.insert((c.code(), c.to_string()));
    }
    let mut fields: BTreeSet<&str> = t.errors_by_field.keys().map(String::as_str).collect();
    for f in rejected
        .rows
        .iter()
        .chain(&warned.rows)
        .flat_map(|r| &r.findings)
    {
        fields.insert(&f.field);
    }
    writeln!(
        out,
        "<section class=\"card\"><form class=\"filter\" id=\"filter\" hidden>\
         <b>Show listed rows</b><label>with code <select name=\"code\"><option value=\"\">any</option>"
    )?;
    for (n, label) in &codes {
        write!(out, "<option value=\"{n}\">{}</option>", Esc(label))?;
    }
    write!(
        out,
        "</select></label><label>on field <select name=\"field\"><option value=\"\">any</option>"
    )?;
    for f in &fields {
        write!(
            out,
            "<option value=\"{}\">{}</option>",
            Esc(&field_id(f)),
            Esc(f)
        )?;
    }
    writeln!(
        out,
        "</select></label><output id=\"filter-count\"></output></form>\
         <noscript>Filtering by code and field needs JavaScript; every listed row is shown.</noscript></section>"
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Listing {
    Rejected,
    Warned,
}

pub(super) fn rows_table(
    out: &mut impl Write,
    columns: &[String],
    s: &HtmlSample,
    listing: Listing,
    anchors: &mut HashSet<String>,
) -> io::Result<()> {
    let (id, title, tag, none, rest) = match listing {
        Listing::Rejected => (
            "rejected",
            "Rejected rows",
            "rejected",
            "No row was rejected.",
            format!("all of them are in {REJECTS_FILE}"),
        ),
        Listing::Warned => (
            "warned",
            "Rows with warnings only",
            "warning",
            "No valid row has a warning.",
            format!("{JSON_FILE} counts them by code and groups them"),
        ),
    };
    write!(out, "<section class=\"card\" id=\"{id}\"><h2>{title}")?;
    if s.seen == 0 {
        // Nothing to qualify.
    } else if s.rows.len() as u64 == s.seen {
        write!(out, "<span class=\"sub\">all {}</span>", thousands(s.seen))?;
    } else {
        write!(
            out,
            "<span class=\"sub\">the first {} of {} · {} more not listed here · {}</span>",
            thousands(s.rows.len() as u64),
            thousands(s.seen),
            thousands(s.seen - s.rows.len() as u64),
            Esc(&rest)
        )?;
    }
    writeln!(out, "</h2>")?;
    if s.seen == 0 {
        return writeln!(out, "<p class=\"none\">{none}</p></section>");
    }
    if s.rows.is_empty() {
        return writeln!(
            out,
            "<p class=\"none\">Rows are not listed here; {}.</p></section>",
            Esc(&rest)
        );
    }
    let shown = s.shown_columns(columns);
    write!(
        out,
        "<div class=\"scroll\"><table class=\"rows\">\n<thead><tr><th class=\"rowno\">Row</th>"
    )?;
    for (i, &c) in shown.iter().enumerate() {
        let class = if i == 0 { " class=\"idcol\"" } else { "" };
        write!(out, "<th{class}>{}</th>", Esc(&columns[c]))?;
    }
    writeln!(out, "</tr></thead>\n<tbody>")?;
    for r in &s.rows {
        let codes: BTreeSet<u16> = r.findings.iter().map(|f| f.code.code()).collect();
        let fields: BTreeSet<String> = r.findings.iter().map(|f| field_id(&f.field)).collect();
        write!(
            out,
            "<tr class=\"data {id}\" id=\"r{}\" data-codes=\" ",
            r.row
        )?;
        for c in &codes {
            write!(out, "{c} ")?;
        }
        write!(out, "\" data-fields=\" ")?;
        for f in &fields {
            write!(out, "{} ", Esc(f))?;
        }
        write!(
            out,
            "\"><td class=\"rowno\"><b>{}</b><span class=\"tag\">{tag}</span><br>line {}",
            r.row, r.line
        )?;
        // The first listed row of each code and field is where a chart's
        // bar lands without the script.
        for c in &codes {
            let a = format!("code-{c}");
            if anchors.insert(a.clone()) {
                write!(out, "<span id=\"{a}\"></span>")?;
            }
        }
        for f in &fields {
            let a = format!("field-{f}");
            if anchors.insert(a.clone()) {
                write!(out, "<span id=\"{}\"></span>", Esc(&a))?;
            }
        }
        write!(out, "</td>")?;
        for (i, &c) in shown.iter().enumerate() {
            cell(out, r, c, i == 0)?;
        }
        write!(
            out,
            "</tr>\n<tr class=\"msgs\"><td class=\"rowno\"></td><td colspan=\"{}\"><ul class=\"findings\">",
            shown.len().max(1)
        )?;
        for f in &r.findings {
            write!(
                out,
                "<li class=\"{}\"><span class=\"code\">{}</span>",
                severity_class(f.severity),
                Esc(&f.code.to_string()),
            )?;
            match f.column.filter(|c| shown.contains(c)) {
                Some(c) => write!(
                    out,
                    "<a href=\"#c{}-{c}\"><code class=\"field\">{}</code></a>",
                    r.row,
                    Esc(&f.field)
                )?,
                None => write!(out, "<code class=\"field\">{}</code>", Esc(&f.field))?,
            }
            write!(out, "{}</li>", Esc(&f.message))?;
        }
        writeln!(out, "</ul></td></tr>")?;
    }
    writeln!(out, "</tbody></table></div></section>")
}

/// One source cell; highlighted (error over warning) with the findings that
/// came from it in its tooltip, and an id the findings link to.
fn cell(out: &mut impl Write, r: &SampleRow, c: usize, id_column: bool) -> io::Result<()> {
    let mut from_here = r.findings.iter().filter(|f| f.column == Some(c)).peekable();
    let value = r.fields.get(c).map(String::as_str).unwrap_or("");
    let idcol = if id_column { "idcol " } else { "" };
    if from_here.peek().is_none() {
        if id_column {
            write!(out, "<td class=\"idcol\">")?;
        } else {
            write!(out, "<td>")?;
        }
    } else {
        let class = if r
            .findings
            .iter()
            .any(|f| f.column == Some(c) && f.severity == Severity::Error)
        {
            "bad"
        } else {
            "warn"
        };
        write!(
            out,
            "<td class=\"{idcol}{class}\" id=\"c{}-{c}\" title=\"",
            r.row
        )?;
        for (i, f) in from_here.enumerate() {
            if i > 0 {
                write!(out, "&#10;")?;
            }
            write!(
                out,
                "{} {}: {}",
                f.code.code(),
                Esc(f.code.name()),
                Esc(&f.message)
            )?;
        }
        write!(out, "\">")?;
    }
    if value.is_empty() {
        write!(out, "<span class=\"blank\">empty</span></td>")
    } else {
        write!(out, "{}</td>", Unbroken(value))
    }
}

/// A cell's text that wraps between words only: each word with a character
/// a browser may break after (`-`, `/`, `.` in ids, dates, e-mails, phone
/// numbers) is kept whole in a `nowrap` span. Escaped like [`Esc`].
pub(super) struct Unbroken<'a>(&'a str);

impl std::fmt::Display for Unbroken<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, word) in self.0.split(' ').enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            if word.chars().all(char::is_alphanumeric) {
                write!(f, "{}", Esc(word))?;
            } else {
                write!(f, "<span class=\"nw\">{}</span>", Esc(word))?;
            }
        }
        Ok(())
    }
}

fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_wrap_between_them_never_inside() {
        assert_eq!(
            Unbroken("ul. Długa 5/7, 00-238 Warszawa").to_string(),
            "ul. Długa <span class=\"nw\">5/7,</span> <span class=\"nw\">00-238</span> Warszawa"
                .replace("ul. ", "<span class=\"nw\">ul.</span> ")
        );
        assert_eq!(
            Unbroken("a<b@x.io").to_string(),
            "<span class=\"nw\">a&lt;b@x.io</span>"
        );
        assert_eq!(Unbroken("Ana").to_string(), "Ana");
    }
}
