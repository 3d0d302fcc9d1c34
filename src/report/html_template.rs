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

/// One bar: its label, its count.
pub(crate) struct Bar<'a> {
    pub label: &'a str,
    pub count: u64,
}

/// Bars shown per chart; the rest are summed into one line.
const CHART_BARS: usize = 12;
const BAR_ROW: u32 = 40;

/// A horizontal bar chart as inline SVG: each label on its own line with its
/// count at the right, the bar beneath, so long code names never collide
/// with the bars. `bars` must already be sorted, largest first.
pub(crate) fn bar_chart(out: &mut impl Write, bars: &[Bar], class: &str) -> io::Result<()> {
    if bars.is_empty() {
        return writeln!(out, r#"<p class="empty-chart">None.</p>"#);
    }
    let shown = &bars[..bars.len().min(CHART_BARS)];
    let rest: u64 = bars[shown.len()..].iter().map(|b| b.count).sum();
    let max = shown.iter().map(|b| b.count).max().unwrap_or(1).max(1);
    let rows = shown.len() as u32 + u32::from(rest > 0);
    let height = rows * BAR_ROW;
    writeln!(
        out,
        r#"<svg class="chart {class}" viewBox="0 0 500 {height}" width="100%" role="img" preserveAspectRatio="xMinYMin meet">"#
    )?;
    for (i, b) in shown.iter().enumerate() {
        let y = i as u32 * BAR_ROW;
        // Never let a bar vanish: the smallest count still gets a sliver.
        let w = ((b.count as f64 / max as f64) * 500.0).max(3.0);
        writeln!(
            out,
            r#"<g><title>{label}: {n}</title><text x="0" y="{ty}" class="lbl">{label}</text><text x="500" y="{ty}" class="num">{n}</text><rect x="0" y="{ry}" width="500" height="10" rx="5" class="track"/><rect x="0" y="{ry}" width="{w:.1}" height="10" rx="5" class="bar"/></g>"#,
            label = Esc(b.label),
            n = thousands(b.count),
            ty = y + 15,
            ry = y + 22,
        )?;
    }
    if rest > 0 {
        let y = shown.len() as u32 * BAR_ROW;
        writeln!(
            out,
            r#"<text x="0" y="{}" class="more">+ {} more, {} in all</text>"#,
            y + 15,
            bars.len() - shown.len(),
            thousands(rest)
        )?;
    }
    writeln!(out, "</svg>")
}

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
h1 { font-size: 30px; font-weight: 650; margin: 4px 0 6px; letter-spacing: -.01em; word-break: break-all; }
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
.scroll { overflow-x: auto; margin: 0 -22px; padding: 0 22px; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; border-bottom: 1px solid var(--line); padding: 6px 10px; white-space: nowrap; }
td { padding: 7px 10px; vertical-align: top; max-width: 22em; overflow-wrap: anywhere; white-space: pre-wrap; }
tr.data td { border-top: 1px solid var(--line); }
td.rowno { color: var(--muted); font-variant-numeric: tabular-nums; white-space: nowrap; }
td.rowno b { color: var(--ink); font-weight: 600; }
td.bad { background: var(--bad-soft); box-shadow: inset 3px 0 0 var(--bad); }
td.warn { background: var(--warn-soft); box-shadow: inset 3px 0 0 var(--warn); }
td .blank { color: #a8a49b; font-style: italic; }
tr.msgs td { padding-top: 0; padding-bottom: 10px; white-space: normal; max-width: none; }
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
            })
            .collect();
        let mut out = Vec::new();
        bar_chart(&mut out, &bars, "codes").unwrap();
        let svg = String::from_utf8(out).unwrap();
        assert!(
            svg.contains(r#"width="500.0" height="10" rx="5" class="bar""#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"width="250.0" height="10" rx="5" class="bar""#),
            "{svg}"
        );
        assert!(svg.contains("+ 3 more, 300 in all"), "{svg}");
        assert!(!svg.contains(">L12<"), "only {CHART_BARS} bars drawn");
    }

    #[test]
    fn chart_labels_are_escaped_and_empty_chart_says_none() {
        let mut out = Vec::new();
        bar_chart(
            &mut out,
            &[Bar {
                label: "<b>",
                count: 1,
            }],
            "fields",
        )
        .unwrap();
        let svg = String::from_utf8(out).unwrap();
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"), "{svg}");
        let mut out = Vec::new();
        bar_chart(&mut out, &[], "fields").unwrap();
        assert!(String::from_utf8(out).unwrap().contains("None."));
    }
}
