//! The fixed parts of `report.html`: the style sheet, HTML escaping and the
//! inline SVG bar chart. No data reaches the page except through [`Esc`].

use std::fmt;
use std::io::{self, Write};

use super::summary::thousands;

/// Writes `s` with `& < > " '` escaped: safe in element text and in
/// double- or single-quoted attribute values.
pub(crate) struct Esc<'a>(pub &'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(i) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..i])?;
            f.write_str(match rest.as_bytes()[i] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            })?;
            rest = &rest[i + 1..];
        }
        f.write_str(rest)
    }
}

/// One bar: its label, its count, and where it links (the rows it counts).
pub(crate) struct Bar<'a> {
    pub label: &'a str,
    pub count: u64,
    pub href: Option<String>,
}

/// Bars shown at once per chart; the rest are in a collapsed `<details>`
/// beneath, every one of them drawn.
pub(crate) const CHART_BARS: usize = 12;
const BAR_ROW: u32 = 40;

/// A horizontal bar chart as inline SVG: each label on its own line with its
/// count at the right, the bar beneath, so long code names never collide
/// with the bars. `bars` must already be sorted, largest first. The first
/// [`CHART_BARS`] are drawn open, the others inside a `<details>` that says
/// how many they are and what they add up to; a bar with an `href` is a
/// link. `noun` names the bars (`codes`, `fields`).
pub(crate) fn bar_chart(
    out: &mut impl Write,
    bars: &[Bar],
    class: &str,
    noun: &str,
) -> io::Result<()> {
    if bars.is_empty() {
        return writeln!(out, r#"<p class="empty-chart">None.</p>"#);
    }
    let max = bars.iter().map(|b| b.count).max().unwrap_or(1).max(1);
    let (shown, rest) = bars.split_at(bars.len().min(CHART_BARS));
    svg(out, shown, class, max)?;
    if !rest.is_empty() {
        let sum: u64 = rest.iter().map(|b| b.count).sum();
        writeln!(
            out,
            "<details class=\"more\"><summary>{} more {noun}, {} in all</summary>",
            rest.len(),
            thousands(sum)
        )?;
        svg(out, rest, class, max)?;
        writeln!(out, "</details>")?;
    }
    Ok(())
}

fn svg(out: &mut impl Write, bars: &[Bar], class: &str, max: u64) -> io::Result<()> {
    let height = bars.len() as u32 * BAR_ROW;
    writeln!(
        out,
        r#"<svg class="chart {class}" viewBox="0 0 500 {height}" width="100%" role="img" preserveAspectRatio="xMinYMin meet">"#
    )?;
    for (i, b) in bars.iter().enumerate() {
        let y = i as u32 * BAR_ROW;
        // Never let a bar vanish: the smallest count still gets a sliver.
        let w = ((b.count as f64 / max as f64) * 500.0).max(3.0);
        if let Some(h) = &b.href {
            write!(out, r#"<a href="{}">"#, Esc(h))?;
        }
        write!(
            out,
            r#"<g><title>{label}: {n}</title><text x="0" y="{ty}" class="lbl">{label}</text><text x="500" y="{ty}" class="num">{n}</text><rect x="0" y="{ry}" width="500" height="10" rx="5" class="track"/><rect x="0" y="{ry}" width="{w:.1}" height="10" rx="5" class="bar"/></g>"#,
            label = Esc(b.label),
            n = thousands(b.count),
            ty = y + 15,
            ry = y + 22,
        )?;
        writeln!(out, "{}", if b.href.is_some() { "</a>" } else { "" })?;
    }
    writeln!(out, "</svg>")
}

/// The page's one script: filters the listed rows by code and by field
/// (from the form, or from a chart's link `#code-711` / `#field-…`). The
/// page reads whole without it: the form stays hidden and the links jump to
/// the first listed row of their code or field.
pub(crate) const SCRIPT: &str = r#"
(function () {
  var form = document.getElementById('filter');
  if (!form) return;
  form.hidden = false;
  var code = form.elements['code'], field = form.elements['field'];
  var said = document.getElementById('filter-count');
  function apply() {
    var c = code.value, f = field.value, shown = 0, all = 0;
    document.querySelectorAll('table.rows tr.data').forEach(function (tr) {
      var ok = (!c || tr.getAttribute('data-codes').indexOf(' ' + c + ' ') >= 0) &&
               (!f || tr.getAttribute('data-fields').indexOf(' ' + f + ' ') >= 0);
      tr.hidden = !ok;
      var m = tr.nextElementSibling;
      if (m && m.classList.contains('msgs')) m.hidden = !ok;
      all++; if (ok) shown++;
    });
    said.textContent = (c || f) ? shown + ' of ' + all + ' listed rows match' : '';
  }
  function pick(select, value) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === value) { select.value = value; return true; }
    }
    return false;
  }
  function fromHash() {
    var h = decodeURIComponent(location.hash.slice(1));
    if (h.indexOf('code-') === 0 && pick(code, h.slice(5))) { field.value = ''; apply(); }
    else if (h.indexOf('field-') === 0 && pick(field, h.slice(6))) { code.value = ''; apply(); }
  }
  code.addEventListener('change', apply);
  field.addEventListener('change', apply);
  window.addEventListener('hashchange', fromHash);
  fromHash();
})();
"#;

/// The page's style sheet: system fonts, a muted palette, tabular figures.
pub(crate) const CSS: &str = r#"
:root {
  --bg: #f5f4f0; --card: #ffffff; --line: #e4e1d9; --ink: #23272e; --muted: #6b717a;
  --valid: #4f7f62; --bad: #b4553f; --warn: #b58a2e; --slate: #56708a;
  --bad-soft: #f7e4dd; --warn-soft: #f6edd6;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Inter, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1160px; margin: 0 auto; padding: 40px 32px 56px; }
header { margin-bottom: 28px; }
.eyebrow { text-transform: uppercase; letter-spacing: .12em; font-size: 12px; color: var(--muted); font-weight: 600; }
h1 { font-size: 30px; font-weight: 650; margin: 4px 0 6px; letter-spacing: -.01em; overflow-wrap: break-word; }
h2 { font-size: 15px; font-weight: 650; margin: 0 0 14px; }
h2 .sub { font-weight: 400; color: var(--muted); margin-left: 6px; }
.meta { color: var(--muted); font-size: 13.5px; }
.meta span + span::before { content: "·"; margin: 0 8px; color: #b9b5ab; }
code, .mono { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 20px 22px; }
section { margin-top: 20px; }
.totals { display: grid; grid-template-columns: repeat(4, 1fr); gap: 16px; margin-top: 0; }
.total { border-top: 4px solid var(--slate); }
.total.valid { border-top-color: var(--valid); }
.total.bad { border-top-color: var(--bad); }
.total.warn { border-top-color: var(--warn); }
.total .label { color: var(--muted); font-size: 13px; font-weight: 600; }
.total .fig { font-size: 36px; font-weight: 650; letter-spacing: -.02em; font-variant-numeric: tabular-nums; line-height: 1.15; margin-top: 4px; }
.total .pct { color: var(--muted); font-size: 13px; font-variant-numeric: tabular-nums; }
.split { display: flex; height: 8px; border-radius: 4px; overflow: hidden; background: var(--line); margin-top: 16px; }
.split .v { background: var(--valid); } .split .r { background: var(--bad); }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
svg.chart { display: block; overflow: visible; }
svg.chart text { font-size: 12.5px; fill: var(--ink); }
svg.chart .lbl { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: 11.5px; }
svg.chart .num { text-anchor: end; font-weight: 600; font-variant-numeric: tabular-nums; }
svg.chart .more { fill: var(--muted); }
svg.chart .track { fill: #f0eee8; }
svg.chart .bar { fill: var(--slate); }
svg.chart.codes .bar { fill: var(--bad); opacity: .85; }
.empty-chart, .none { color: var(--muted); margin: 0; }
.scroll { overflow-x: auto; padding-bottom: 4px; }
table { border-collapse: separate; border-spacing: 0; width: 100%; font-size: 13.5px; }
th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; border-bottom: 1px solid var(--line); padding: 6px 10px; white-space: nowrap; background: var(--card); }
td { padding: 7px 10px; vertical-align: top; max-width: 22em; white-space: pre-wrap; overflow-wrap: normal; word-break: normal; }
tr.data td { border-top: 1px solid var(--line); }
table.rows .rowno { position: sticky; left: 0; z-index: 2; width: 7.5em; min-width: 7.5em; max-width: 7.5em; background: var(--card); }
table.rows .idcol { position: sticky; left: 7.5em; z-index: 2; background: var(--card); box-shadow: inset -1px 0 0 var(--line); white-space: nowrap; }
table.rows td.idcol.bad { background: var(--bad-soft); } table.rows td.idcol.warn { background: var(--warn-soft); }
table.rows td[id] { scroll-margin-left: 20em; }
td.rowno { color: var(--muted); font-variant-numeric: tabular-nums; white-space: nowrap; }
td.rowno b { color: var(--ink); font-weight: 600; }
td.rowno .tag { display: inline-block; font-size: 11px; font-weight: 600; border-radius: 4px; padding: 0 5px; margin-left: 4px; }
tr.rejected td.rowno .tag { color: var(--bad); background: var(--bad-soft); }
tr.warned td.rowno .tag { color: var(--warn); background: var(--warn-soft); }
td.bad { background: var(--bad-soft); box-shadow: inset 3px 0 0 var(--bad); }
td.warn { background: var(--warn-soft); box-shadow: inset 3px 0 0 var(--warn); }
td .blank { color: #a8a49b; font-style: italic; }
td.nw, td .nw { white-space: nowrap; }
tr.msgs td { padding-top: 0; padding-bottom: 10px; white-space: normal; max-width: none; }
tr.msgs td.rowno { z-index: 1; }
ul.findings { position: sticky; left: 8.5em; max-width: min(900px, calc(100vw - 16em)); }
ul.findings a { color: inherit; }
.kind { border-left: 4px solid var(--slate); background: var(--card); padding: 10px 16px; border-radius: 6px; margin: 0 0 20px; }
details.more { margin-top: 8px; }
.half { max-width: 540px; }
details.more summary { cursor: pointer; color: var(--muted); font-size: 13px; }
svg.chart a:hover .bar, svg.chart a:focus .bar { opacity: 1; fill: var(--ink); }
form.filter { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; font-size: 13px; }
form.filter select { font: inherit; max-width: 28em; }
form.filter output { color: var(--muted); }
table.groups td { max-width: 30em; }
table.groups td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
ul.findings { list-style: none; margin: 0; padding: 0; font-size: 12.5px; }
ul.findings li { margin: 2px 0; color: var(--ink); }
ul.findings .code { display: inline-block; font-weight: 600; color: var(--bad); margin-right: 6px; }
ul.findings li.warning .code { color: var(--warn); }
ul.findings .field { color: var(--muted); margin-right: 6px; }
.notes ul { margin: 0; padding-left: 18px; }
.notes li { margin: 4px 0; }
footer { margin-top: 28px; color: var(--muted); font-size: 12.5px; }
@media (max-width: 820px) { .totals { grid-template-columns: 1fr 1fr; } .charts { grid-template-columns: 1fr; } }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            Esc(r#"<script>alert("x&y")</script> it's"#).to_string(),
            "&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt; it&#39;s"
        );
        assert_eq!(Esc("plain ünï").to_string(), "plain ünï");
        assert_eq!(Esc("").to_string(), "");
        assert_eq!(Esc("&amp;").to_string(), "&amp;amp;");
    }

    #[test]
    fn chart_scales_bars_and_sums_the_tail() {
        let labels: Vec<String> = (0..15).map(|i| format!("L{i}")).collect();
        let bars: Vec<Bar> = labels
            .iter()
            .enumerate()
            .map(|(i, l)| Bar {
                label: l,
                count: if i == 0 { 200 } else { 100 },
                href: Some(format!("#code-{i}")),
            })
            .collect();
        let mut out = Vec::new();
        bar_chart(&mut out, &bars, "codes", "codes").unwrap();
        let svg = String::from_utf8(out).unwrap();
        assert!(
            svg.contains(r#"width="500.0" height="10" rx="5" class="bar""#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"width="250.0" height="10" rx="5" class="bar""#),
            "{svg}"
        );
        // Every bar is drawn and links to its rows; those past the first
        // twelve are in a collapsed <details> that says what they add up to.
        for i in 0..15 {
            assert!(
                svg.contains(&format!(r##"<a href="#code-{i}"><g><title>L{i}: "##)),
                "bar {i}: {svg}"
            );
        }
        let (open, more) = svg.split_at(svg.find("<details").expect("a details"));
        assert!(open.contains(">L11<") && !open.contains(">L12<"));
        assert!(
            more.starts_with(
                r#"<details class="more"><summary>3 more codes, 300 in all</summary>"#
            ),
            "{more}"
        );
        assert!(more.contains(">L12<") && more.contains(">L14<"));
        assert!(!more.contains("<details open"), "collapsed");
    }

    #[test]
    fn chart_labels_are_escaped_and_empty_chart_says_none() {
        let mut out = Vec::new();
        bar_chart(
            &mut out,
            &[Bar {
                label: "<b>",
                count: 1,
                href: None,
            }],
            "fields",
            "fields",
        )
        .unwrap();
        let svg = String::from_utf8(out).unwrap();
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"), "{svg}");
        let mut out = Vec::new();
        bar_chart(&mut out, &[], "fields", "fields").unwrap();
        assert!(String::from_utf8(out).unwrap().contains("None."));
    }
}
