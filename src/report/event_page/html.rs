//! event.html: the [`EventPage`] as one self-contained page — inline CSS,
//! no script, no external resource — in the dry-run report's look.
//!
//! In: an [`EventPage`]. Out: the HTML text. Every value that comes from the
//! ledger (ids, names, messages, paths, the target) reaches the page only
//! through [`esc`] (text and attributes) or [`file_url`] then [`esc`]
//! (links). The root element is `<main id="event-report">` with the state
//! and verdict in `data-` attributes, for scripts that check the page
//! rendered. Nothing here fails.

use std::fmt::Write;

use super::{EventPage, FailureGroup, FileRef, RunView, Verdict};
use crate::ledger::RowStatus;
use crate::report::summary::thousands;

/// `s` with `& < > " '` escaped: safe in text and in quoted attributes.
pub(super) fn esc(s: &str) -> String {
    crate::report::Esc(s).to_string()
}

/// A `file://` URL for an absolute path, every byte outside the unreserved
/// set and `/` percent-encoded (so no path can end the attribute or add a
/// query); `None` for a relative path.
pub(super) fn file_url(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return None;
    }
    let mut url = String::from("file://");
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(char::from(b));
        } else {
            let _ = write!(url, "%{b:02X}");
        }
    }
    Some(url)
}

const CSS: &str = r#"
:root {
  --bg: #f5f4f0; --card: #ffffff; --line: #e4e1d9; --ink: #23272e; --muted: #6b717a;
  --valid: #4f7f62; --bad: #b4553f; --warn: #b58a2e; --slate: #56708a;
  --bad-soft: #f7e4dd; --warn-soft: #f6edd6; --valid-soft: #e3efe6; --slate-soft: #e3e9ef;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Inter, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1160px; margin: 0 auto; padding: 40px 32px 56px; }
header { margin-bottom: 20px; }
.eyebrow { text-transform: uppercase; letter-spacing: .12em; font-size: 12px; color: var(--muted); font-weight: 600; }
h1 { font-size: 26px; font-weight: 650; margin: 4px 0 6px; font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; }
h2 { font-size: 15px; font-weight: 650; margin: 0 0 14px; }
h2 .sub { font-weight: 400; color: var(--muted); margin-left: 6px; }
h3 { font-size: 13.5px; font-weight: 650; margin: 0 0 10px; color: var(--muted); }
.meta { color: var(--muted); font-size: 13.5px; }
.meta span + span::before { content: "·"; margin: 0 8px; color: #b9b5ab; }
code, .mono { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 20px 22px; }
section { margin-top: 20px; }
.status { border-left: 6px solid var(--slate); }
.status p { margin: 0; }
.status .verdict { font-size: 17px; }
.status .next { margin-top: 8px; color: var(--muted); font-size: 13.5px; }
.status.v-complete, .status.v-approved { border-left-color: var(--valid); background: var(--valid-soft); }
.status.v-unfinished, .status.v-revert_unfinished { border-left-color: var(--bad); background: var(--bad-soft); }
.status.v-running { border-left-color: var(--warn); background: var(--warn-soft); }
.status.v-reverted { border-left-color: var(--slate); background: var(--slate-soft); }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 12px; }
.tile { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; border-top: 4px solid var(--slate); }
.tile.good { border-top-color: var(--valid); } .tile.bad { border-top-color: var(--bad); } .tile.warn { border-top-color: var(--warn); }
.tile .label { color: var(--muted); font-size: 12.5px; font-weight: 600; }
.tile .fig { font-size: 26px; font-weight: 650; font-variant-numeric: tabular-nums; line-height: 1.2; }
.tile .sub { color: var(--muted); font-size: 12px; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 20px; margin-bottom: 20px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; border-bottom: 1px solid var(--line); padding: 6px 10px; white-space: nowrap; }
td { padding: 7px 10px; vertical-align: top; border-top: 1px solid var(--line); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.when { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.msg { min-width: 22em; }
td.msg .code { font-weight: 600; color: var(--bad); }
td.id { white-space: nowrap; }
.bar { height: 6px; border-radius: 3px; background: var(--bad); opacity: .8; margin-top: 4px; min-width: 2px; }
.badge { display: inline-block; padding: 0 8px; border-radius: 9px; font-size: 12px; font-weight: 600; background: var(--slate-soft); }
.badge.completed { background: var(--valid-soft); color: var(--valid); }
.badge.interrupted, .badge.running { background: var(--warn-soft); color: var(--warn); }
.badge.crashed { background: var(--bad-soft); color: var(--bad); }
.none { color: var(--muted); margin: 0; }
dl.files { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; font-size: 13.5px; }
dl.files dt { color: var(--muted); font-weight: 600; }
dl.files dd { margin: 0; overflow-wrap: anywhere; }
footer { margin-top: 28px; color: var(--muted); font-size: 12.5px; }
@media (max-width: 820px) { .pair { grid-template-columns: 1fr; } }
"#;

fn n(v: u64) -> String {
    thousands(v)
}

fn opt(s: Option<&str>) -> String {
    s.map(esc).unwrap_or_else(|| "—".to_string())
}

/// "525 created · 75 rejected", in a fixed order, non-zero only.
fn did(r: &RunView) -> String {
    let named = [
        (RowStatus::Created, "created"),
        (RowStatus::Updated, "updated"),
        (RowStatus::Failed, "failed"),
        (RowStatus::Rejected, "rejected"),
        (RowStatus::Skipped, "skipped"),
        (RowStatus::Deleted, "deleted"),
        (RowStatus::Restored, "restored"),
        (RowStatus::Kept, "kept"),
        (RowStatus::RevertFailed, "could not be reverted"),
    ];
    let parts: Vec<String> = named
        .iter()
        .filter(|(s, _)| r.moved(*s) > 0)
        .map(|(s, word)| format!("{} {word}", n(r.moved(*s))))
        .collect();
    if parts.is_empty() {
        "nothing".to_string()
    } else {
        parts.join(" · ")
    }
}

fn duration(seconds: Option<i64>) -> String {
    match seconds {
        None => "—".into(),
        Some(s) if s < 60 => format!("{s} s"),
        Some(s) if s < 3600 => format!("{} min {} s", s / 60, s % 60),
        Some(s) => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

fn tile(out: &mut String, class: &str, label: &str, value: u64, sub: &str) {
    let _ = write!(
        out,
        r#"<div class="tile {class}"><div class="label">{label}</div><div class="fig">{}</div><div class="sub">{sub}</div></div>"#,
        n(value)
    );
}

fn groups(out: &mut String, title: &str, rows: &[FailureGroup], by_code: bool) {
    let _ = write!(out, "<div><h3>{title}</h3>");
    if rows.is_empty() {
        out.push_str(r#"<p class="none">None.</p></div>"#);
        return;
    }
    let max = rows.iter().map(|g| g.rows).max().unwrap_or(1).max(1);
    out.push_str(r#"<div class="scroll"><table><thead><tr><th>Stage</th>"#);
    out.push_str(if by_code {
        "<th>Code</th><th>Name</th>"
    } else {
        "<th>Field</th>"
    });
    out.push_str(r#"<th class="num">Rows</th></tr></thead><tbody>"#);
    for g in rows {
        let pct = (g.rows as f64 / max as f64 * 100.0).max(1.0);
        let _ = write!(out, "<tr><td>{}</td>", esc(g.stage));
        if by_code {
            let _ = write!(
                out,
                "<td><code>{}</code></td><td><code>{}</code></td>",
                esc(&g.key),
                esc(&g.name)
            );
        } else {
            let _ = write!(out, "<td><code>{}</code></td>", esc(&g.key));
        }
        let _ = write!(
            out,
            r#"<td class="num">{}<div class="bar" style="width:{pct:.0}%"></div></td></tr>"#,
            n(g.rows)
        );
    }
    out.push_str("</tbody></table></div></div>");
}

fn file_row(out: &mut String, label: &str, f: &FileRef) {
    let path = if f.path.is_empty() {
        "none".to_string()
    } else {
        esc(&f.path)
    };
    let _ = write!(
        out,
        "<dt>{label}</dt><dd><code>{path}</code><br><span class=\"mono\">fingerprint {}</span></dd>",
        opt(f.fingerprint.as_deref())
    );
}

/// The whole page.
pub(super) fn render(p: &EventPage) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let verdict = p.status.verdict.as_str();
    let verdict_class = match p.status.verdict {
        Verdict::Running => "running",
        Verdict::RevertUnfinished => "revert_unfinished",
        Verdict::Unfinished => "unfinished",
        Verdict::Complete => "complete",
        Verdict::Approved => "approved",
        Verdict::Reverted => "reverted",
    };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Migration event {key} · {verdict}</title>\n<style>{CSS}</style>\n</head>\n<body>\n\
         <main id=\"event-report\" data-state=\"{state}\" data-verdict=\"{verdict}\">\n",
        key = esc(&p.event),
        state = esc(&p.state),
        verdict = esc(verdict),
    );

    // Header.
    let _ = write!(
        out,
        "<header><div class=\"eyebrow\">Migration event · import · {mode}</div><h1>{key}</h1>\
         <div class=\"meta\"><span>state <b>{state}</b></span><span>target <code>{target}</code></span>\
         <span>opened {created}</span>",
        mode = esc(p.mode),
        key = esc(&p.event),
        state = esc(&p.state),
        target = esc(&p.target),
        created = esc(&p.created_at),
    );
    if let Some(at) = &p.approved_at {
        let _ = write!(out, "<span>approved {}</span>", esc(at));
    }
    if let Some(at) = &p.reverted_at {
        let _ = write!(out, "<span>reverted {}</span>", esc(at));
    }
    out.push_str("</div></header>\n");

    // Status line.
    let rest = p
        .status
        .line
        .strip_prefix(verdict)
        .unwrap_or(&p.status.line);
    let _ = write!(
        out,
        "<section id=\"status\" class=\"card status v-{verdict_class}\"><p class=\"verdict\"><strong>{}</strong>{}</p>",
        esc(verdict),
        esc(rest)
    );
    if let Some(next) = &p.status.next {
        let _ = write!(
            out,
            "<p class=\"next\">Next: <code>{}</code></p>",
            esc(next)
        );
    }
    out.push_str("</section>\n");

    // Counts.
    let c = &p.rows;
    out.push_str("<section id=\"counts\" class=\"tiles\">");
    tile(
        &mut out,
        "good",
        "Created",
        c.created,
        "clients on the target",
    );
    tile(
        &mut out,
        "good",
        "Updated",
        c.updated,
        "existing clients (upsert)",
    );
    tile(
        &mut out,
        if c.failed > 0 { "bad" } else { "" },
        "Failed",
        c.failed,
        "refused by the target",
    );
    tile(
        &mut out,
        if c.rejected > 0 { "warn" } else { "" },
        "Rejected",
        c.rejected,
        "in validation, never sent",
    );
    tile(
        &mut out,
        if c.unsettled > 0 { "bad" } else { "" },
        "Unsettled",
        c.unsettled,
        &format!("{} pending · {} sent, no answer", n(c.pending), n(c.sent)),
    );
    tile(&mut out, "", "Deleted", c.deleted, "by a revert");
    tile(&mut out, "", "Restored", c.restored, "by a revert");
    tile(
        &mut out,
        if c.kept > 0 { "warn" } else { "" },
        "Kept",
        c.kept,
        "changed since the import",
    );
    tile(
        &mut out,
        if c.revert_failed > 0 { "bad" } else { "" },
        "Revert failed",
        c.revert_failed,
        "could not be undone",
    );
    tile(
        &mut out,
        "",
        "Rows",
        c.total,
        &format!("{} skipped", n(c.skipped)),
    );
    out.push_str("</section>\n");

    // Runs.
    out.push_str("<section id=\"runs\" class=\"card\"><h2>Runs<span class=\"sub\">every import, resume and revert of this event</span></h2>");
    if p.runs.is_empty() {
        out.push_str("<p class=\"none\">No runs recorded: this event was imported before the ledger kept them.</p>");
    } else {
        out.push_str(
            "<div class=\"scroll\"><table><thead><tr><th class=\"num\">#</th><th>Run</th><th>Started</th>\
             <th>Ended</th><th class=\"num\">Took</th><th>Outcome</th><th class=\"num\">Sent</th>\
             <th class=\"num\">Requests</th><th>What it did</th></tr></thead><tbody>",
        );
        for (i, r) in p.runs.iter().enumerate() {
            let _ = write!(
                out,
                "<tr class=\"run\"><td class=\"num\">{}</td><td>{}</td><td class=\"when\">{}</td><td class=\"when\">{}</td>\
                 <td class=\"num\">{}</td><td><span class=\"badge {o}\">{o}</span></td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td><td>{}</td></tr>",
                i + 1,
                esc(r.verb),
                esc(&r.started_at),
                opt(r.ended_at.as_deref()),
                duration(r.seconds),
                r.sent.map(n).unwrap_or_else(|| "—".into()),
                r.requests.map(n).unwrap_or_else(|| "—".into()),
                esc(&did(r)),
                o = esc(r.outcome),
            );
        }
        out.push_str("</tbody></table></div>");
    }
    out.push_str("</section>\n");

    // Failures.
    out.push_str("<section id=\"failures\" class=\"card\"><h2>Failures</h2><div class=\"pair\">");
    groups(&mut out, "By code", &p.failures_by_code, true);
    groups(
        &mut out,
        "By field (validation)",
        &p.failures_by_field,
        false,
    );
    out.push_str("</div>");
    let _ = write!(
        out,
        "<h3>First failed rows<span class=\"sub\"> (up to {}, in row order; all of them in failures.csv and rejects.csv)</span></h3>",
        super::FIRST_FAILED_ROWS
    );
    if p.first_failed_rows.is_empty() {
        out.push_str("<p class=\"none\">None.</p>");
    } else {
        let href = file_url(&p.source.path);
        out.push_str(
            "<div class=\"scroll\"><table><thead><tr><th class=\"num\">Row</th><th>Source line</th><th>Client id</th>\
             <th>Status</th><th>Field</th><th>Code, name and message</th></tr></thead><tbody>",
        );
        for r in &p.first_failed_rows {
            let line = match &href {
                Some(h) => format!(
                    "<a href=\"{}\" title=\"{}\"><code>{}</code></a>",
                    esc(h),
                    esc(&p.source.path),
                    esc(&r.source_ref)
                ),
                None => format!("<code>{}</code>", esc(&r.source_ref)),
            };
            let _ = write!(
                out,
                "<tr class=\"failed\"><td class=\"num\">{}</td><td class=\"id\">{line}</td><td class=\"id\"><code>{}</code></td>\
                 <td>{}</td><td><code>{}</code></td><td class=\"msg\"><code class=\"code\">{} {}</code><br>{}</td></tr>",
                r.row,
                opt(r.client_id.as_deref()),
                esc(r.status),
                opt(r.field.as_deref()),
                r.code.map(|c| c.to_string()).unwrap_or_else(|| "—".into()),
                opt(r.name.as_deref()),
                opt(r.message.as_deref()),
            );
        }
        out.push_str("</tbody></table></div>");
    }
    out.push_str("</section>\n");

    // Files.
    out.push_str(
        "<section id=\"files\" class=\"card\"><h2>Files and fingerprints</h2><dl class=\"files\">",
    );
    file_row(&mut out, "Source", &p.source);
    file_row(&mut out, "Mapping", &p.mapping);
    file_row(&mut out, "Tenant", &p.tenant);
    let _ = writeln!(
        out,
        "<dt>Target</dt><dd><code>{}</code> ({} mode)</dd></dl></section>",
        esc(&p.target),
        esc(p.mode)
    );

    let _ = write!(
        out,
        "<footer>Written by Ferry from the migration ledger at {}. event.json beside this page holds the same data.</footer>\n</main>\n</body>\n</html>\n",
        esc(&p.written_at)
    );
    out
}
