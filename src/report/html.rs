//! `report.html`: the one page a person reads after a dry run.
//!
//! In: the first N rejected rows (kept while rows stream by; N is bounded by
//! `html_sample_rows`) and, at the end, the tally. Out: one self-contained
//! page — totals, bar charts by code and by field, the sampled rows with the
//! offending source cells highlighted, notes. No scripts, no external
//! resources; every piece of data is escaped. Fails only on I/O.

use std::io::{self, Write};

use csv::StringRecord;

use super::html_template::{bar_chart, Bar, Esc, CSS};
use super::summary::{ranked, thousands, Tally};
use crate::field_error::{FieldError, Severity};
use crate::model::ReturnCode;

/// A finding of a sampled row, with its source column resolved.
struct SampleFinding {
    field: String,
    code: ReturnCode,
    message: String,
    severity: Severity,
    /// Index into the source columns, when the finding's origin is one.
    column: Option<usize>,
}

struct SampleRow {
    row: u64,
    line: u64,
    fields: Vec<String>,
    findings: Vec<SampleFinding>,
}

/// The first rejected rows, kept for the page.
pub(crate) struct HtmlSample {
    limit: usize,
    rows: Vec<SampleRow>,
}

impl HtmlSample {
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            rows: Vec::with_capacity(limit.min(1024)),
        }
    }

    /// How many rows are kept.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Keeps a rejected row while fewer than the limit are kept.
    pub fn add(
        &mut self,
        columns: &[String],
        row: u64,
        line: u64,
        fields: &StringRecord,
        findings: &[FieldError],
        origins: &[Option<String>],
    ) {
        if self.rows.len() >= self.limit {
            return;
        }
        let findings = findings
            .iter()
            .enumerate()
            .map(|(i, f)| SampleFinding {
                field: f.field.clone(),
                code: f.code,
                message: f.message.clone(),
                severity: f.severity,
                column: origins
                    .get(i)
                    .and_then(|o| o.as_deref())
                    .and_then(|o| columns.iter().position(|c| c == o)),
            })
            .collect();
        self.rows.push(SampleRow {
            row,
            line,
            fields: fields.iter().map(str::to_owned).collect(),
            findings,
        });
    }

    /// The columns the table shows: the first one (usually an identifier)
    /// and every column a sampled finding came from, in source order.
    fn shown_columns(&self, columns: &[String]) -> Vec<usize> {
        let mut used = vec![false; columns.len()];
        if let Some(first) = used.first_mut() {
            *first = true;
        }
        for f in self.rows.iter().flat_map(|r| &r.findings) {
            if let Some(c) = f.column {
                used[c] = true;
            }
        }
        (0..columns.len()).filter(|&i| used[i]).collect()
    }
}

/// Everything the page shows besides the sample.
///
/// `generated_at` is shown as given, so it is formatted for people.
pub(crate) struct PageInfo<'a> {
    pub input: &'a str,
    pub mapping: &'a str,
    pub tenant: Option<&'a str>,
    pub generated_at: &'a str,
    pub elapsed: std::time::Duration,
    pub columns: &'a [String],
    pub warnings: &'a [String],
    /// Names of the sibling files, for the notes.
    pub files: &'a [&'a str],
}

/// Writes the whole page.
pub(crate) fn render(
    out: &mut impl Write,
    page: &PageInfo,
    tally: &Tally,
    sample: &HtmlSample,
) -> io::Result<()> {
    writeln!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Dry run · {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>",
        Esc(page.input)
    )?;
    header(out, page)?;
    totals(out, tally)?;
    charts(out, tally)?;
    rejected_rows(out, page.columns, tally, sample)?;
    notes(out, page, tally, sample)?;
    writeln!(
        out,
        "<footer>Ferry {} · dry run: nothing was sent to the target.</footer>\n</main>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION")
    )?;
    out.flush()
}

fn header(out: &mut impl Write, page: &PageInfo) -> io::Result<()> {
    write!(
        out,
        "<header><div class=\"eyebrow\">Ferry · dry run report</div><h1>{}</h1><div class=\"meta\">\
         <span>mapping <code>{}</code></span>",
        Esc(page.input),
        Esc(page.mapping)
    )?;
    match page.tenant {
        Some(t) => write!(out, "<span>tenant <code>{}</code></span>", Esc(t))?,
        None => write!(out, "<span>no tenant schema</span>")?,
    }
    writeln!(
        out,
        "<span>{}</span><span>{:.1} s</span></div></header>",
        Esc(page.generated_at),
        page.elapsed.as_secs_f64()
    )
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

fn totals(out: &mut impl Write, t: &Tally) -> io::Result<()> {
    let cards = [
        ("", "Rows read", t.rows_read, "from the input".to_string()),
        (
            "valid",
            "Valid",
            t.rows_valid,
            format!("{:.1}% ready to import", percent(t.rows_valid, t.rows_read)),
        ),
        (
            "bad",
            "Rejected",
            t.rows_invalid,
            format!("{:.1}% need fixing", percent(t.rows_invalid, t.rows_read)),
        ),
        (
            "warn",
            "With warnings",
            t.rows_with_warnings,
            "worth a look".to_string(),
        ),
    ];
    writeln!(out, "<section class=\"totals\">")?;
    for (class, label, n, note) in cards {
        writeln!(
            out,
            "<div class=\"card total {class}\"><div class=\"label\">{label}</div>\
             <div class=\"fig\">{}</div><div class=\"pct\">{}</div></div>",
            thousands(n),
            Esc(&note)
        )?;
    }
    writeln!(out, "</section>")?;
    if t.rows_read > 0 {
        writeln!(
            out,
            "<div class=\"split\" title=\"valid {v:.1}% · rejected {r:.1}%\">\
             <div class=\"v\" style=\"width:{v:.3}%\"></div><div class=\"r\" style=\"width:{r:.3}%\"></div></div>",
            v = percent(t.rows_valid, t.rows_read),
            r = percent(t.rows_invalid, t.rows_read),
        )?;
    }
    Ok(())
}

fn charts(out: &mut impl Write, t: &Tally) -> io::Result<()> {
    let code_labels: Vec<(String, u64)> = ranked(&t.errors_by_code)
        .into_iter()
        .map(|(c, n)| (c.to_string(), *n))
        .collect();
    let code_bars: Vec<Bar> = code_labels
        .iter()
        .map(|(l, n)| Bar {
            label: l,
            count: *n,
        })
        .collect();
    let field_bars: Vec<Bar> = ranked(&t.errors_by_field)
        .into_iter()
        .map(|(f, n)| Bar {
            label: f,
            count: *n,
        })
        .collect();
    let total: u64 = t.errors_by_code.values().sum();
    writeln!(out, "<section class=\"charts\">")?;
    writeln!(
        out,
        "<div class=\"card\"><h2>Errors by code<span class=\"sub\">{} errors</span></h2>",
        thousands(total)
    )?;
    bar_chart(out, &code_bars, "codes")?;
    writeln!(
        out,
        "</div>\n<div class=\"card\"><h2>Errors by field<span class=\"sub\">{} fields</span></h2>",
        thousands(field_bars.len() as u64)
    )?;
    bar_chart(out, &field_bars, "fields")?;
    writeln!(out, "</div>\n</section>")
}

fn rejected_rows(
    out: &mut impl Write,
    columns: &[String],
    t: &Tally,
    s: &HtmlSample,
) -> io::Result<()> {
    write!(out, "<section class=\"card\"><h2>Rejected rows")?;
    if t.rows_invalid == 0 {
        // Nothing to qualify.
    } else if s.rows.len() as u64 == t.rows_invalid {
        write!(
            out,
            "<span class=\"sub\">all {}</span>",
            thousands(t.rows_invalid)
        )?;
    } else {
        write!(
            out,
            "<span class=\"sub\">first {} of {} · all of them are in rejects.csv</span>",
            thousands(s.rows.len() as u64),
            thousands(t.rows_invalid)
        )?;
    }
    writeln!(out, "</h2>")?;
    if t.rows_invalid == 0 {
        return writeln!(out, "<p class=\"none\">No row was rejected.</p></section>");
    }
    if s.rows.is_empty() {
        return writeln!(
            out,
            "<p class=\"none\">Rows are not shown here; <code>rejects.csv</code> lists them all.</p></section>"
        );
    }
    let shown = s.shown_columns(columns);
    writeln!(
        out,
        "<div class=\"scroll\"><table>\n<thead><tr><th>Row</th>"
    )?;
    for &c in &shown {
        write!(out, "<th>{}</th>", Esc(&columns[c]))?;
    }
    writeln!(out, "</tr></thead>\n<tbody>")?;
    for r in &s.rows {
        write!(
            out,
            "<tr class=\"data\"><td class=\"rowno\"><b>{}</b><br>line {}</td>",
            r.row, r.line
        )?;
        for &c in &shown {
            cell(out, r, c)?;
        }
        write!(
            out,
            "</tr>\n<tr class=\"msgs\"><td></td><td colspan=\"{}\"><ul class=\"findings\">",
            shown.len().max(1)
        )?;
        for f in &r.findings {
            write!(
                out,
                "<li class=\"{}\"><span class=\"code\">{}</span><code class=\"field\">{}</code>{}</li>",
                severity_class(f.severity),
                Esc(&f.code.to_string()),
                Esc(&f.field),
                Esc(&f.message)
            )?;
        }
        writeln!(out, "</ul></td></tr>")?;
    }
    writeln!(out, "</tbody></table></div></section>")
}

/// One source cell; highlighted (error over warning) with the findings that
/// came from it in its tooltip.
fn cell(out: &mut impl Write, r: &SampleRow, c: usize) -> io::Result<()> {
    let mut from_here = r.findings.iter().filter(|f| f.column == Some(c)).peekable();
    let value = r.fields.get(c).map(String::as_str).unwrap_or("");
    if from_here.peek().is_none() {
        write!(out, "<td>")?;
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
        write!(out, "<td class=\"{class}\" title=\"")?;
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
        write!(out, "{}</td>", Esc(value))
    }
}

fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn notes(out: &mut impl Write, page: &PageInfo, t: &Tally, s: &HtmlSample) -> io::Result<()> {
    writeln!(out, "<section class=\"card notes\"><h2>Notes</h2><ul>")?;
    for w in page.warnings {
        writeln!(out, "<li>{}</li>", Esc(w))?;
    }
    for (code, n) in ranked(&t.warnings_by_code) {
        writeln!(
            out,
            "<li>Warning <code>{}</code> on {} finding{} (rows still valid unless they have errors).</li>",
            Esc(&code.to_string()),
            thousands(*n),
            if *n == 1 { "" } else { "s" }
        )?;
    }
    if (s.rows.len() as u64) < t.rows_invalid {
        writeln!(
            out,
            "<li>This page shows the first {} rejected rows; <code>rejects.csv</code> has all {}, with their original fields.</li>",
            thousands(s.rows.len() as u64),
            thousands(t.rows_invalid)
        )?;
    }
    write!(out, "<li>Files beside this page:")?;
    for f in page.files {
        write!(out, " <code>{}</code>", Esc(f))?;
    }
    writeln!(out, ".</li>\n</ul></section>")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fields, findings, origins.
    type TestRow<'a> = (Vec<&'a str>, Vec<FieldError>, Vec<Option<String>>);

    fn cols() -> Vec<String> {
        ["ID", "NAME", "EMAIL", "CITY"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    fn page<'a>(columns: &'a [String], warnings: &'a [String]) -> PageInfo<'a> {
        PageInfo {
            input: "clients<1>.csv",
            mapping: "m.toml",
            tenant: Some("tenant.json"),
            generated_at: "2025-01-01T00:00:00Z",
            elapsed: std::time::Duration::from_millis(1500),
            columns,
            warnings,
            files: &["report.json", "rejects.csv"],
        }
    }

    fn render_rows(limit: usize, rows: &[TestRow]) -> String {
        let columns = cols();
        let mut tally = Tally::default();
        let mut sample = HtmlSample::new(limit);
        for (i, (fields, findings, origins)) in rows.iter().enumerate() {
            if tally.add(findings) {
                let rec = StringRecord::from(fields.clone());
                sample.add(
                    &columns,
                    i as u64 + 1,
                    i as u64 + 2,
                    &rec,
                    findings,
                    origins,
                );
            }
        }
        let warnings = vec!["mapping: column <FAX> unused".to_string()];
        let mut out = Vec::new();
        render(&mut out, &page(&columns, &warnings), &tally, &sample).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn bad_email() -> FieldError {
        FieldError::error(
            "client.emailAddress",
            ReturnCode::EmailAddressFormatIsInvalid,
            "\"x\" has no @",
        )
    }

    #[test]
    fn page_shows_totals_and_highlights_the_offending_cell() {
        let html = render_rows(
            200,
            &[
                (vec!["1", "Ana", "ana@example.com", "Porto"], vec![], vec![]),
                (
                    vec!["2", "Bo", "<script>alert(1)</script>", "Lyon"],
                    vec![bad_email()],
                    vec![Some("EMAIL".into())],
                ),
            ],
        );
        assert!(
            html.contains("<div class=\"label\">Rows read</div><div class=\"fig\">2</div>"),
            "{html}"
        );
        assert!(html.contains("<div class=\"label\">Rejected</div><div class=\"fig\">1</div>"));
        assert!(html.contains("<h1>clients&lt;1&gt;.csv</h1>"));
        assert!(html.contains(
            "<td class=\"bad\" title=\"711 EMAIL_ADDRESS_FORMAT_IS_INVALID: &quot;x&quot; has no @\">&lt;script&gt;alert(1)&lt;/script&gt;</td>"
        ), "{html}");
        assert!(
            html.contains(">711 EMAIL_ADDRESS_FORMAT_IS_INVALID</text>"),
            "chart label"
        );
        assert!(html.contains("mapping: column &lt;FAX&gt; unused"));
        assert!(!html.contains("<script>"), "no unescaped data");
        // Only the identifying column and the one involved are shown.
        assert!(html.contains("<th>ID</th><th>EMAIL</th></tr>"), "{html}");
        assert!(
            !html.contains("http") && !html.contains("src="),
            "self-contained"
        );
    }

    #[test]
    fn sample_is_bounded_and_says_so() {
        let rows: Vec<_> = (0..5)
            .map(|_| {
                (
                    vec!["1", "", "", ""],
                    vec![bad_email()],
                    vec![Some("EMAIL".into())],
                )
            })
            .collect();
        let html = render_rows(3, &rows);
        assert_eq!(html.matches("<tr class=\"data\">").count(), 3);
        assert!(html.contains("first 3 of 5"), "{html}");
        assert!(html.contains("<span class=\"blank\">empty</span>"));
    }

    #[test]
    fn warning_only_cells_are_marked_as_warnings() {
        let findings = vec![
            bad_email(),
            FieldError::warning(
                "client.lastName",
                ReturnCode::DuplicateClient,
                "same as row 1",
            ),
        ];
        let html = render_rows(
            10,
            &[(
                vec!["1", "Bo", "x", "Lyon"],
                findings,
                vec![Some("EMAIL".into()), Some("NAME".into())],
            )],
        );
        assert!(
            html.contains(
                "<td class=\"warn\" title=\"310 DUPLICATE_CLIENT: same as row 1\">Bo</td>"
            ),
            "{html}"
        );
        assert!(html.contains("<li class=\"warning\">"));
        assert!(html.contains("Warning <code>310 DUPLICATE_CLIENT</code> on 1 finding"));
    }

    #[test]
    fn no_rejections_reads_cleanly() {
        let html = render_rows(10, &[(vec!["1", "Ana", "a@b.c", "Porto"], vec![], vec![])]);
        assert!(html.contains("No row was rejected."));
        assert!(html.contains("<p class=\"empty-chart\">None.</p>"));
    }

    #[test]
    fn a_zero_sample_does_not_claim_there_were_no_rejections() {
        let html = render_rows(0, &[(vec!["1", "", "", ""], vec![bad_email()], vec![None])]);
        assert!(!html.contains("No row was rejected."), "{html}");
        assert!(html.contains("lists them all"));
        assert!(!html.contains("<table>"));
    }
}
