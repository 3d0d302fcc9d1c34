//! `report.html`: the one page a person reads after a validation pass.
//!
//! In: the first N rejected rows and the first N rows with warnings only
//! (kept while rows stream by; N is `html_sample_rows`, 1,000 by default),
//! and, at the end, the tally and the warning groups. Out: one
//! self-contained page under `<main id="dry-run-report">` — totals, every
//! code and field in bar charts (each bar links to its rows), the repeated
//! warnings as groups, the listed rows with the offending source cells
//! highlighted (row number and id columns sticky, the table scrolling inside
//! its box, rows filterable by code and field), notes. A dry run's page says
//! nothing was sent; an import's validation pass says what it is and points
//! to `event.html`. One small inline script filters; the page reads whole
//! without it. No external resources; every piece of data is escaped.
//! Fails only on I/O.

use std::collections::HashSet;
use std::io::{self, Write};

use csv::StringRecord;

use super::html_template::{bar_chart, Bar, Esc, CSS, SCRIPT};
use super::summary::{ranked, thousands, Tally};
use super::warning_groups::{WarningGroups, GROUPS_SHOWN};
use super::{ReportKind, EVENT_PAGE, JSON_FILE, REJECTS_FILE};
use crate::field_error::{FieldError, Severity};
use crate::model::ReturnCode;

mod rows;

use rows::{filter, rows_table, Listing};

/// The page's root element id, for scripts and checks that open it.
pub const ROOT_ID: &str = "dry-run-report";
/// Rows of a warning group linked from the groups table.
const GROUP_ROWS_SHOWN: usize = 10;

/// A finding of a listed row, with its source column resolved.
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

/// The first rows of one kind (rejected, or warned only), kept for the page,
/// and how many there were in all.
pub(crate) struct HtmlSample {
    limit: usize,
    rows: Vec<SampleRow>,
    seen: u64,
}

impl HtmlSample {
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            rows: Vec::with_capacity(limit.min(1024)),
            seen: 0,
        }
    }

    /// How many rows are kept.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Counts a row, and keeps it while fewer than the limit are kept.
    pub fn add(
        &mut self,
        columns: &[String],
        row: u64,
        line: u64,
        fields: &StringRecord,
        findings: &[FieldError],
        origins: &[Option<String>],
    ) {
        self.seen += 1;
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

    /// Whether the list is full: rows added from now on are only counted.
    pub fn is_full(&self) -> bool {
        self.rows.len() >= self.limit
    }

    fn has_row(&self, row: u64) -> bool {
        self.rows.binary_search_by_key(&row, |r| r.row).is_ok()
    }

    /// The columns the table shows: the first one (usually an identifier)
    /// and every column a listed finding came from, in source order.
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

/// Everything the page shows besides the rows.
///
/// `generated_at` is shown as given, so it is formatted for people.
pub(crate) struct PageInfo<'a> {
    pub input: &'a str,
    pub mapping: &'a str,
    pub tenant: Option<&'a str>,
    pub generated_at: &'a str,
    pub elapsed: std::time::Duration,
    pub columns: &'a [String],
    /// The run's own notes.
    pub notes: &'a [String],
    /// Names of the sibling files, for the notes.
    pub files: &'a [&'a str],
    /// A dry run, or an import's validation pass.
    pub kind: ReportKind,
}

/// A field path as an id fragment: letters and digits kept, anything else
/// `_` and its hex, so distinct paths stay distinct.
fn field_id(field: &str) -> String {
    let mut s = String::with_capacity(field.len() + 8);
    for b in field.bytes() {
        if b.is_ascii_alphanumeric() {
            s.push(b as char);
        } else {
            s.push_str(&format!("_{b:02x}"));
        }
    }
    s
}

/// Writes the whole page.
pub(crate) fn render(
    out: &mut impl Write,
    page: &PageInfo,
    tally: &Tally,
    rejected: &HtmlSample,
    warned: &HtmlSample,
    groups: &WarningGroups,
) -> io::Result<()> {
    let title = match page.kind {
        ReportKind::DryRun => "Dry run",
        ReportKind::ImportValidation => "Import validation",
    };
    writeln!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} · {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n\
         <main id=\"{ROOT_ID}\" data-kind=\"{}\">",
        Esc(page.input),
        page.kind.as_str()
    )?;
    header(out, page)?;
    totals(out, tally)?;
    charts(out, tally)?;
    warnings(out, tally, groups, rejected, warned)?;
    filter(out, tally, rejected, warned)?;
    let mut anchors = HashSet::new();
    rows_table(out, page.columns, rejected, Listing::Rejected, &mut anchors)?;
    rows_table(out, page.columns, warned, Listing::Warned, &mut anchors)?;
    notes(out, page, tally)?;
    let footer = match page.kind {
        ReportKind::DryRun => "dry run: nothing was sent to the target.".to_string(),
        ReportKind::ImportValidation => format!(
            "the import's validation pass: what was sent, created and failed is in {EVENT_PAGE}."
        ),
    };
    writeln!(
        out,
        "<footer>Ferry {} · {}</footer>\n</main>\n<script>{SCRIPT}</script>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION"),
        Esc(&footer)
    )?;
    out.flush()
}

fn header(out: &mut impl Write, page: &PageInfo) -> io::Result<()> {
    let eyebrow = match page.kind {
        ReportKind::DryRun => "Ferry · dry run report",
        ReportKind::ImportValidation => "Ferry · import · validation pass",
    };
    write!(
        out,
        "<header><div class=\"eyebrow\">{eyebrow}</div><h1>{}</h1><div class=\"meta\">\
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
    )?;
    match page.kind {
        ReportKind::DryRun => writeln!(
            out,
            "<p class=\"kind\">A <b>dry run</b>: every row was read, mapped and checked; nothing was sent to the target.</p>"
        ),
        ReportKind::ImportValidation => writeln!(
            out,
            "<p class=\"kind\">The <b>import's validation pass</b>: what was checked before sending. \
             Valid rows were sent; what was created, updated and failed is on the event's page, \
             <a href=\"{EVENT_PAGE}\">{EVENT_PAGE}</a>, beside this one.</p>"
        ),
    }
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

fn code_bars(codes: &std::collections::BTreeMap<ReturnCode, u64>) -> Vec<(String, u64, String)> {
    ranked(codes)
        .into_iter()
        .map(|(c, n)| (c.to_string(), *n, format!("#code-{}", c.code())))
        .collect()
}

fn bars(items: &[(String, u64, String)]) -> Vec<Bar<'_>> {
    items
        .iter()
        .map(|(l, n, h)| Bar {
            label: l,
            count: *n,
            href: Some(h.clone()),
        })
        .collect()
}

fn charts(out: &mut impl Write, t: &Tally) -> io::Result<()> {
    let codes = code_bars(&t.errors_by_code);
    let fields: Vec<(String, u64, String)> = ranked(&t.errors_by_field)
        .into_iter()
        .map(|(f, n)| (f.clone(), *n, format!("#field-{}", field_id(f))))
        .collect();
    let total: u64 = t.errors_by_code.values().sum();
    writeln!(out, "<section class=\"charts\">")?;
    writeln!(
        out,
        "<div class=\"card\"><h2>Errors by code<span class=\"sub\">{} errors · {} codes</span></h2>",
        thousands(total),
        thousands(codes.len() as u64)
    )?;
    bar_chart(out, &bars(&codes), "codes", "codes")?;
    writeln!(
        out,
        "</div>\n<div class=\"card\"><h2>Errors by field<span class=\"sub\">{} fields</span></h2>",
        thousands(fields.len() as u64)
    )?;
    bar_chart(out, &bars(&fields), "fields", "fields")?;
    writeln!(out, "</div>\n</section>")
}

/// Warnings by code, and the repeated ones as groups.
fn warnings(
    out: &mut impl Write,
    t: &Tally,
    g: &WarningGroups,
    rejected: &HtmlSample,
    warned: &HtmlSample,
) -> io::Result<()> {
    write!(out, "<section class=\"card\" id=\"warnings\"><h2>Warnings")?;
    writeln!(
        out,
        "<span class=\"sub\">{} findings on {} rows · rows with only warnings are still sent</span></h2>",
        thousands(g.findings),
        thousands(t.rows_with_warnings)
    )?;
    if g.findings == 0 {
        return writeln!(out, "<p class=\"none\">No warnings.</p></section>");
    }
    let codes = code_bars(&t.warnings_by_code);
    writeln!(out, "<div class=\"half\">")?;
    bar_chart(out, &bars(&codes), "warnings", "codes")?;
    writeln!(out, "</div>")?;
    write!(
        out,
        "<h2 style=\"margin-top:18px\">Repeated warnings<span class=\"sub\">"
    )?;
    if g.all_shown() {
        let n = g.groups.len();
        write!(
            out,
            "all {} group{}",
            thousands(n as u64),
            if n == 1 { "" } else { "s" }
        )?;
    } else {
        write!(
            out,
            "the first {} groups; {} more warnings are in later groups, counted above by code",
            thousands(g.groups.len() as u64),
            thousands(g.findings_not_in_groups_shown)
        )?;
    }
    writeln!(
        out,
        "</span></h2>\n<div class=\"scroll\"><table class=\"groups\">\n<thead><tr><th>Warning</th><th>Field</th>\
         <th>What the rows share</th><th>Rows</th><th>First rows</th></tr></thead>\n<tbody>"
    )?;
    for grp in &g.groups {
        write!(
            out,
            "<tr class=\"data\"><td><code>{} {}</code><br>{}</td><td><code>{}</code></td><td>{}</td><td class=\"num\">{}</td><td>",
            grp.code,
            Esc(grp.name),
            Esc(&grp.message),
            Esc(&grp.field),
            Esc(grp.key.as_deref().unwrap_or("")),
            thousands(grp.count)
        )?;
        for (i, row) in grp.rows.iter().take(GROUP_ROWS_SHOWN).enumerate() {
            if i > 0 {
                write!(out, ", ")?;
            }
            if rejected.has_row(*row) || warned.has_row(*row) {
                write!(out, "<a href=\"#r{row}\">{row}</a>")?;
            } else {
                write!(out, "{row}")?;
            }
        }
        if grp.count as usize > GROUP_ROWS_SHOWN {
            write!(out, " …")?;
        }
        writeln!(out, "</td></tr>")?;
    }
    writeln!(
        out,
        "</tbody></table></div><p class=\"none\">At most {GROUPS_SHOWN} groups are shown; <code>{JSON_FILE}</code> has the same groups with up to 1,000 rows each.</p></section>"
    )
}

fn notes(out: &mut impl Write, page: &PageInfo, t: &Tally) -> io::Result<()> {
    writeln!(out, "<section class=\"card notes\"><h2>Notes</h2><ul>")?;
    for w in page.notes {
        writeln!(out, "<li>{}</li>", Esc(w))?;
    }
    if t.rows_invalid > 0 {
        writeln!(
            out,
            "<li><code>{REJECTS_FILE}</code> has every rejected row ({}), with its original fields and findings.</li>",
            thousands(t.rows_invalid)
        )?;
    }
    write!(out, "<li>Files beside this page:")?;
    for f in page.files {
        write!(out, " <code>{}</code>", Esc(f))?;
    }
    if page.kind == ReportKind::ImportValidation {
        write!(
            out,
            " <a href=\"{EVENT_PAGE}\"><code>{EVENT_PAGE}</code></a>"
        )?;
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

    fn page<'a>(columns: &'a [String], notes: &'a [String], kind: ReportKind) -> PageInfo<'a> {
        PageInfo {
            input: "clients<1>.csv",
            mapping: "m.toml",
            tenant: Some("tenant.json"),
            generated_at: "2025-01-01T00:00:00Z",
            elapsed: std::time::Duration::from_millis(1500),
            columns,
            notes,
            files: &["report.json", "rejects.csv"],
            kind,
        }
    }

    fn render_as(kind: ReportKind, limit: usize, rows: &[TestRow]) -> String {
        let columns = cols();
        let mut tally = Tally::default();
        let mut rejected = HtmlSample::new(limit);
        let mut warned = HtmlSample::new(limit);
        let mut groups = WarningGroups::default();
        for (i, (fields, findings, origins)) in rows.iter().enumerate() {
            let (row, line) = (i as u64 + 1, i as u64 + 2);
            let rec = StringRecord::from(fields.clone());
            groups.add(
                row,
                findings,
                |i| origins.get(i).cloned().flatten(),
                |_| None,
            );
            if tally.add(findings) {
                rejected.add(&columns, row, line, &rec, findings, origins);
            } else if !findings.is_empty() {
                warned.add(&columns, row, line, &rec, findings, origins);
            }
        }
        let notes = vec!["mapping: column <FAX> unused".to_string()];
        let mut out = Vec::new();
        render(
            &mut out,
            &page(&columns, &notes, kind),
            &tally,
            &rejected,
            &warned,
            &groups,
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    fn render_rows(limit: usize, rows: &[TestRow]) -> String {
        render_as(ReportKind::DryRun, limit, rows)
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
            "<td class=\"bad\" id=\"c2-2\" title=\"711 EMAIL_ADDRESS_FORMAT_IS_INVALID: &quot;x&quot; has no @\"><span class=\"nw\">&lt;script&gt;alert(1)&lt;/script&gt;</span></td>"
        ), "{html}");
        assert!(
            html.contains(">711 EMAIL_ADDRESS_FORMAT_IS_INVALID</text>"),
            "chart label"
        );
        assert!(html.contains("mapping: column &lt;FAX&gt; unused"));
        assert!(!html.contains("<script>alert"), "no unescaped data");
        assert_eq!(html.matches("<script>").count(), 1, "the one filter script");
        // Only the identifying column and the one involved are shown.
        assert!(
            html.contains(
                "<th class=\"rowno\">Row</th><th class=\"idcol\">ID</th><th>EMAIL</th></tr>"
            ),
            "{html}"
        );
        assert!(html.contains(&format!("<main id=\"{ROOT_ID}\" data-kind=\"dry_run\">")));
        // The bar links to the row; the row is the anchor, filterable.
        assert!(html.contains("<a href=\"#code-711\">"));
        assert!(html.contains("<a href=\"#field-client_2eemailAddress\">"));
        assert!(html.contains(
            "<tr class=\"data rejected\" id=\"r2\" data-codes=\" 711 \" data-fields=\" client_2eemailAddress \">"
        ), "{html}");
        assert!(html.contains(
            "<span id=\"code-711\"></span><span id=\"field-client_2eemailAddress\"></span>"
        ));
        assert!(
            html.contains("<a href=\"#c2-2\"><code class=\"field\">client.emailAddress</code></a>")
        );
        assert!(html.contains("<form class=\"filter\" id=\"filter\" hidden>"));
        assert!(html.contains("<option value=\"711\">711 EMAIL_ADDRESS_FORMAT_IS_INVALID</option>"));
        assert!(html.contains("nothing was sent to the target"));
        assert!(!html.contains("event.html"));
        assert!(!html.contains("overflow-wrap: anywhere") && !html.contains("break-all"));
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
        assert_eq!(html.matches("<tr class=\"data rejected\"").count(), 3);
        assert!(
            html.contains(
                "the first 3 of 5 · 2 more not listed here · all of them are in rejects.csv"
            ),
            "{html}"
        );
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
                "<td class=\"warn\" id=\"c1-1\" title=\"310 DUPLICATE_CLIENT: same as row 1\">Bo</td>"
            ),
            "{html}"
        );
        assert!(html.contains("<li class=\"warning\">"));
    }

    #[test]
    fn rows_with_only_warnings_are_listed_apart_and_grouped() {
        let dup = |first: u64| {
            FieldError::warning(
                "client.lastName",
                ReturnCode::DuplicateClient,
                format!("same first and last name as row {first}"),
            )
        };
        let mut rows: Vec<TestRow> = vec![(vec!["1", "Ann", "a@b.c", "X"], vec![], vec![])];
        for _ in 0..4 {
            rows.push((
                vec!["2", "Ann", "a@b.c", "X"],
                vec![dup(1)],
                vec![Some("NAME".into())],
            ));
        }
        rows.push((
            vec!["9", "Bo", "x", "Y"],
            vec![bad_email(), dup(1)],
            vec![Some("EMAIL".into()), Some("NAME".into())],
        ));
        let html = render_rows(3, &rows);
        let warned = &html[html.find("id=\"warned\"").expect("a warned section")..];
        assert!(warned.starts_with("id=\"warned\"><h2>Rows with warnings only<span class=\"sub\">the first 3 of 4 · 1 more not listed here"), "{warned}");
        assert_eq!(html.matches("<tr class=\"data warned\"").count(), 3);
        assert_eq!(html.matches("<tr class=\"data rejected\"").count(), 1);
        assert!(html.contains("<span class=\"tag\">warning</span>"));
        // One group of five, its first rows linked where they are listed.
        assert!(html.contains("all 1 group<"), "{html}");
        assert!(html.contains(
            "<td><code>310 DUPLICATE_CLIENT</code><br>same first and last name as row 1</td><td><code>client.lastName</code></td><td></td><td class=\"num\">5</td><td><a href=\"#r2\">2</a>, <a href=\"#r3\">3</a>, <a href=\"#r4\">4</a>, 5, <a href=\"#r6\">6</a></td>"
        ), "{html}");
    }

    #[test]
    fn the_imports_validation_pass_never_claims_nothing_was_sent() {
        let html = render_as(
            ReportKind::ImportValidation,
            10,
            &[(
                vec!["2", "Bo", "x", "Lyon"],
                vec![bad_email()],
                vec![Some("EMAIL".into())],
            )],
        );
        assert!(!html.to_lowercase().contains("nothing was sent"), "{html}");
        assert!(!html.to_lowercase().contains("dry run"), "{html}");
        assert!(
            html.contains("import&#39;s validation pass")
                || html.contains("import's validation pass")
        );
        assert!(html.contains("<a href=\"event.html\">event.html</a>"));
        assert!(html.contains("data-kind=\"import_validation\""));
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
        assert!(html.contains("all of them are in rejects.csv"), "{html}");
        assert!(!html.contains("<table class=\"rows\">"));
    }
}
