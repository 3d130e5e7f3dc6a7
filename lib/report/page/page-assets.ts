/**
 * The report page's own stylesheet and the browser script that draws its charts with uPlot from the JSON block
 * embedded in the page. Kept as strings so the page stays one file; the script is plain ES2017 for any browser.
 */

/** Page stylesheet. */
export const PAGE_STYLE = `
:root { --pass: #1a7f37; --fail: #cf222e; --error: #9a6700; --muted: #57606a; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
nav { position: sticky; top: 0; background: #24292f; padding: 8px 16px; z-index: 10; }
nav a { color: #fff; margin-right: 18px; text-decoration: none; font-weight: 600; }
main { max-width: 1200px; margin: 0 auto; padding: 16px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin-bottom: 16px; }
h1 { margin: 0 0 8px; font-size: 24px; }
h2 { margin: 0 0 12px; font-size: 19px; }
h3 { margin: 16px 0 6px; font-size: 15px; }
section.verdict { border-left: 10px solid var(--muted); }
section.verdict.pass { border-left-color: var(--pass); }
section.verdict.pass h1 { color: var(--pass); }
section.verdict.fail { border-left-color: var(--fail); }
section.verdict.fail h1 { color: var(--fail); }
section.verdict.error { border-left-color: var(--error); }
section.verdict.error h1 { color: var(--error); }
.failure { font-size: 16px; background: #fff8c5; padding: 8px 12px; border-radius: 6px; white-space: pre-line; }
.note { color: var(--error); }
.figures { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.figure { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 150px; }
.figure .value { font-size: 22px; font-weight: 700; }
.figure .label { color: var(--muted); font-size: 12px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.kpis td.num { white-space: nowrap; }
td code { overflow-wrap: anywhere; }
tr.fail td { background: #ffebe9; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; background: var(--muted); }
.badge.pass { background: var(--pass); }
.badge.fail { background: var(--fail); }
.badge.error { background: var(--error); }
.badge.open-recorded { background: #8250df; }
details summary { cursor: pointer; color: var(--muted); }
details.notes.fail summary { color: var(--fail); font-weight: 600; }
details.notes.open summary { color: #8250df; }
details.notes.known summary { color: var(--error); }
.empty, .missing { color: var(--muted); }
.chart { margin: 12px 0 20px; }
footer { text-align: center; color: var(--muted); padding: 16px; }
code { font-size: 12.5px; }
/* Printed as an acceptance document: no navigation, sections flow, rows and charts never cut across pages,
   table headers repeat, folded notes open (the script opens them and fits the charts to the page). */
@media print {
  body { background: #fff; font-size: 10.5pt; }
  nav, footer { display: none; }
  main { max-width: none; padding: 0; }
  section { border: none; border-radius: 0; padding: 0; margin: 0 0 14pt; }
  section.verdict { border-left: 6pt solid var(--muted); padding-left: 8pt; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  thead { display: table-header-group; }
  th, td { padding: 3px 5px; overflow-wrap: anywhere; }
  table.matrix { table-layout: fixed; font-size: 9.5pt; }
  table.matrix th:nth-child(1) { width: 25%; }
  table.matrix th:nth-child(2) { width: 34%; }
  table.matrix th:nth-child(3), table.matrix th:nth-child(4) { width: 11.5%; }
  table.matrix th { font-size: 8.5pt; }
  .badge { padding: 0 4px; }
  tr, .figure, .chart, dl.meta { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
`;

/** Draws the charts; reads #chart-data; does nothing for a chart whose data is absent. */
export const PAGE_SCRIPT = `
(function () {
  "use strict";
  // A4 width less the browser's print margins, in CSS pixels.
  var PRINT_WIDTH = 680;
  var data = JSON.parse(document.getElementById("chart-data").textContent || "{}");
  var width = function (el) { return Math.max(320, Math.min(1120, el.parentElement.clientWidth - 8)); };
  var nullable = function (list) { return list.map(function (v) { return v === null ? undefined : v; }); };
  var plots = [];
  var plot = function (options, values, el) {
    plots.push({ chart: new uPlot(options, values, el), width: options.width, height: options.height });
  };
  // Printing: every folded note open, every chart as wide as the page (a wider canvas would be cut).
  window.addEventListener("beforeprint", function () {
    // A second beforeprint (the browser's own after the page's) keeps the state the first one saw.
    document.querySelectorAll("details:not([data-print-open])").forEach(function (d) { d.setAttribute("data-print-open", d.open ? "1" : "0"); d.open = true; });
    plots.forEach(function (p) { p.chart.setSize({ width: Math.min(p.width, PRINT_WIDTH), height: p.height }); });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details[data-print-open]").forEach(function (d) { d.open = d.getAttribute("data-print-open") === "1"; d.removeAttribute("data-print-open"); });
    plots.forEach(function (p) { p.chart.setSize({ width: p.width, height: p.height }); });
  });
  var s = data.series;
  if (s) {
    var el = document.getElementById("chart-latency");
    if (el) plot({
      width: width(el), height: 260,
      scales: { x: { time: false } },
      axes: [{ label: "seconds since start" }, { label: "ms" }],
      series: [{ label: "t (s)" },
        { label: "p50 (ms)", stroke: "#0969da", width: 2, spanGaps: true },
        { label: "p95 (ms)", stroke: "#cf222e", width: 2, spanGaps: true }]
    }, [s.t, nullable(s.p50Ms), nullable(s.p95Ms)], el);
    var su = document.getElementById("chart-setup");
    if (su && s.setup) plot({
      width: width(su), height: 240,
      scales: { x: { time: false } },
      axes: [{ label: "seconds since start" }, { label: "ms" }],
      series: [{ label: "t (s)" },
        { label: "setup p50 (ms)", stroke: "#0969da", width: 2, spanGaps: true },
        { label: "setup p95 (ms)", stroke: "#cf222e", width: 2, spanGaps: true }]
    }, [s.t, nullable(s.setup.p50Ms), nullable(s.setup.p95Ms)], su);
    var tp = document.getElementById("chart-throughput");
    if (tp) plot({
      width: width(tp), height: 240,
      scales: { x: { time: false } },
      axes: [{ label: "seconds since start" }, { label: "per second" }],
      series: [{ label: "t (s)" },
        { label: "calls/s", stroke: "#1a7f37", width: 2, fill: "rgba(26,127,55,0.12)" },
        { label: "failed/s", stroke: "#cf222e", width: 2 }]
    }, [s.t, s.callsPerSecond, s.errorsPerSecond], tp);
  }
  var h = data.histogram;
  var hist = document.getElementById("chart-histogram");
  if (h && hist) {
    var xs = h.counts.map(function (_, i) { return Math.max(0.1, h.edgesMs[i]); });
    plot({
      width: width(hist), height: 240,
      scales: { x: { time: false, distr: 3 } },
      axes: [{ label: "latency (ms, bucket lower edge)" }, { label: "calls" }],
      series: [{ label: "ms" },
        { label: "calls", stroke: "#8250df", fill: "rgba(130,80,223,0.35)", paths: uPlot.paths.bars({ size: [0.9, 40] }), points: { show: false } }]
    }, [xs, h.counts], hist);
  }
  var c = data.capacity;
  var cap = document.getElementById("chart-capacity");
  if (c && cap) {
    var rates = c.map(function (p) { return p.rate; });
    plot({
      width: width(cap), height: 260,
      scales: { x: { time: false }, pct: { range: [0, 100] } },
      axes: [{ label: "offered calls/s" }, { label: "achieved calls/s  /  p95 ms" }, { side: 1, scale: "pct", label: "errors %", grid: { show: false } }],
      series: [{ label: "offered" },
        { label: "achieved calls/s", stroke: "#1a7f37", width: 2, spanGaps: true },
        { label: "setup p95 (ms)", stroke: "#0969da", width: 2, spanGaps: true },
        { label: "errors %", stroke: "#cf222e", width: 2, scale: "pct", spanGaps: true }]
    }, [rates,
        c.map(function (p) { return p.achieved; }),
        c.map(function (p) { return p.setupP95Ms === undefined ? p.calloutP95Ms : p.setupP95Ms; }),
        c.map(function (p) { return p.errorRate === undefined ? undefined : 100 * p.errorRate; })], cap);
  }
})();
`;
