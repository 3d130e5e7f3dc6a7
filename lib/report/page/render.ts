/**
 * Renders the one report page of a run as a single self-contained HTML file: the uPlot charting library and its
 * stylesheet are inlined, so the page works offline and can be attached to a ticket as is.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { RETCODES } from "../../../contracts/index.ts";
import { type ClauseNote, type ClauseVerdict, clauseCounts } from "../conformance.ts";
import { esc } from "../escape.ts";
import { todoHtml } from "../todo-html.ts";
import { kpiTable } from "./kpi-table.ts";
import type { ReportModel } from "./model.ts";
import { PAGE_SCRIPT, PAGE_STYLE } from "./page-assets.ts";

const require = createRequire(import.meta.url);

/** uPlot's minified IIFE build and stylesheet, read from node_modules once. */
function uplotAssets(): { js: string; css: string } {
  const js = readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8");
  const css = readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8");
  return { js, css };
}

/** JSON for a <script type="application/json"> block: "<" is escaped so no "</script>" can close it early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

/** The verdict in words, naming only what this run judged (clauses, load thresholds, or both). */
function verdictText(model: ReportModel): string {
  if (model.verdict === "error") return "ERROR: the run could not be completed";
  const clauses = model.conformance !== undefined;
  const load = model.load !== undefined;
  if (model.verdict === "pass") {
    if (clauses && load) return "PASS: the gateway met every judged clause and threshold";
    if (load) return "PASS: every load threshold held (the functional suite was not part of this run)";
    if (clauses) return "PASS: the gateway met every judged clause (no load run was part of this run)";
    return "PASS: nothing failed, but nothing was judged";
  }
  const failedClause = model.conformance?.clauses.some((c) => c.verdict === "fail") ?? false;
  const brokeThreshold = model.load?.thresholds.some((t) => !t.ok) ?? false;
  if (failedClause && brokeThreshold) return "FAIL: a contract clause and a load threshold failed";
  if (failedClause) return "FAIL: a contract clause failed";
  if (brokeThreshold) return "FAIL: a load threshold failed";
  return "FAIL: a phase of the run failed";
}

function ms(value: number | undefined): string {
  if (value === undefined) return "n/a";
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 10 ? 1 : 0)} ms`;
}

function figure(label: string, value: string): string {
  return `<div class="figure"><div class="value">${esc(value)}</div><div class="label">${esc(label)}</div></div>`;
}

function verdictSection(model: ReportModel): string {
  const { run } = model;
  const target = run.target;
  const counts = { pass: 0, fail: 0 };
  for (const row of model.conformance?.clauses ?? []) {
    if (row.verdict === "pass") counts.pass += 1;
    if (row.verdict === "fail") counts.fail += 1;
  }
  const l = model.load;
  const figures = [
    figure("clauses passed", model.conformance ? String(counts.pass) : "not in this run"),
    figure("clauses failed", model.conformance ? String(counts.fail) : "not in this run"),
    figure("calls per second", l?.callsPerSecond === undefined ? "n/a" : l.callsPerSecond.toFixed(2)),
    figure(`p95 call setup${l?.setupMetric ? ` (${l.setupMetric})` : ""}`, ms(l?.p95SetupMs)),
    figure("failed calls", l ? String(Object.values(l.errorsByRetcode).reduce((a, b) => a + b, 0)) : "n/a"),
  ].join("");
  const failure = run.failure
    ? `<p class="failure"><code>${esc(run.failure.code)}</code> ${esc(run.failure.message)}</p>`
    : "";
  const notes = (run.notes ?? []).map((n) => `<p class="note">${esc(n)}</p>`).join("");
  const phases = run.phases
    .map(
      (p) =>
        `<tr><td>${esc(p.name)}</td><td><span class="badge ${esc(p.status)}">${esc(p.status)}</span></td>` +
        `<td>${p.durationMs === undefined ? "" : esc(`${(p.durationMs / 1000).toFixed(1)} s`)}</td>` +
        `<td>${p.exitCode === undefined ? "" : esc(p.exitCode)}</td><td>${esc(p.note ?? "")}</td></tr>`,
    )
    .join("");
  return `<section id="verdict" class="verdict ${model.verdict}">
<h1>${esc(verdictText(model))}</h1>
${failure}${notes}
<div class="figures">${figures}</div>
<dl class="meta">
<dt>Target</dt><dd>${esc(target.name ?? "")} <code>${esc(target.baseUrl)}</code>${target.embeddedMock ? " (embedded mock)" : ""}${target.insecure ? ' <span class="badge fail">TLS not verified</span>' : ""}</dd>
<dt>Edition</dt><dd>${esc(target.edition ?? "n/a")}, ${esc(target.authMode ?? "n/a")} auth</dd>
<dt>Run</dt><dd><code>${esc(run.runId)}</code>, started ${esc(run.startedAt)}${run.finishedAt ? `, finished ${esc(run.finishedAt)}` : ""}${run.seed === undefined ? "" : `, seed ${esc(run.seed)}`}${run.loadProfile ? `, load profile ${esc(run.loadProfile)}` : ""}</dd>
</dl>
${phases ? `<table class="phases"><thead><tr><th>Phase</th><th>Status</th><th>Time</th><th>Exit</th><th>Note</th></tr></thead><tbody>${phases}</tbody></table>` : ""}
</section>`;
}

const VERDICT_ORDER: Record<ClauseVerdict, number> = {
  fail: 0,
  pass: 1,
  "open-recorded": 2,
  "not-tested": 3,
  "not-testable": 4,
};

/** The kinds of a row's notes: label, singular and plural. */
const NOTE_KINDS: Record<ClauseNote["kind"], { one: string; many: string }> = {
  fail: { one: "failure", many: "failures" },
  known: { one: "known failure", many: "known failures" },
  open: { one: "open choice", many: "open choices" },
  "not-tested": { one: "not tested", many: "not tested" },
};

/** One kind of a row's notes, folded: only failures are red. */
function notesHtml(kind: ClauseNote["kind"], notes: readonly ClauseNote[]): string {
  const list = notes.filter((n) => n.kind === kind);
  if (list.length === 0) return "";
  const { one, many } = NOTE_KINDS[kind];
  const plural = list.length === 1 ? one : many;
  return `<details class="notes ${kind}"><summary>${list.length} ${esc(plural)}</summary><ul>${list
    .map((n) => `<li><code>${esc(n.text)}</code></li>`)
    .join("")}</ul></details>`;
}

function conformanceSection(model: ReportModel): string {
  const c = model.conformance;
  if (!c) {
    const ran = model.run.phases.some((p) => p.name === "contract");
    const why = ran
      ? "The functional suite did not finish or wrote no clause matrix."
      : "The functional suite was not part of this run.";
    return `<section id="conformance"><h2>Conformance by clause</h2><p class="empty">${why}</p></section>`;
  }
  const counts = clauseCounts(c.results);
  const rows = [...c.clauses]
    .sort((a, b) => VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict] || a.id.localeCompare(b.id))
    .map((row) => {
      const notes = (Object.keys(NOTE_KINDS) as ClauseNote["kind"][])
        .map((k) => notesHtml(k, row.notes))
        .join("");
      const n = counts.get(row.id) ?? { passed: 0, failed: 0, notTested: 0 };
      return `<tr class="${row.verdict}"><td><code>${esc(row.id)}</code></td><td>${esc(row.title)}${notes}</td><td>${esc(row.kind)}</td><td><span class="badge ${row.verdict}">${row.verdict}</span></td><td class="num">${n.passed}</td><td class="num">${n.failed}</td><td class="num">${n.notTested}</td></tr>`;
    })
    .join("\n");
  const t = c.totals;
  const k = c.cases;
  const cases = `cases: ${k.total} (${k.pass} passed${k.known ? `, ${k.known} of them with known failures only` : ""}, ${k.fail} failed, ${k.open} open, ${k.notTested} not tested)`;
  return `<section id="conformance"><h2>Conformance by clause (edition ${esc(c.edition)})</h2>
<p>${c.clauses.length} clauses: ${t.pass} passed, ${t.fail} failed, ${t["open-recorded"]} open, ${t["not-tested"]} not tested, ${t["not-testable"]} not testable; ${cases}. Failed clauses first.</p>
<table class="matrix"><thead><tr><th>Clause</th><th>Statement</th><th>Kind</th><th>Verdict</th><th title="checks of this clause that held">Passed</th><th title="checks of this clause that failed">Failed</th><th title="cases of this clause not tested against this target">Not tested</th></tr></thead><tbody>
${rows}
</tbody></table>${todoHtml(c.todo)}</section>`;
}

function loadSection(model: ReportModel): string {
  const l = model.load;
  if (!l) {
    const ran = model.run.phases.some((p) => p.name === "load" && p.status !== "skipped");
    const why = ran
      ? "The load phase did not finish or wrote no summary."
      : "The load phase was not part of this run.";
    return `<section id="load"><h2>Load</h2><p class="empty">${why}</p></section>`;
  }
  const thresholds = l.thresholds
    .map(
      (t) =>
        `<tr><td><code>${esc(t.metric)}</code></td><td><code>${esc(t.expression)}</code></td><td><span class="badge ${t.ok ? "pass" : "fail"}">${t.ok ? "held" : "breached"}</span></td></tr>`,
    )
    .join("");
  const charts = [
    model.series
      ? `<div class="chart"><h3>Callout latency over time (${esc(model.series.metric)}, p50 and p95 per ${model.series.intervalSeconds} s)</h3><div id="chart-latency"></div></div>
${model.series.setup ? `<div class="chart"><h3>Call setup over time (${esc(model.series.setup.metric)}, p50 and p95 per ${model.series.intervalSeconds} s)</h3><div id="chart-setup"></div></div>` : ""}
<div class="chart"><h3>Throughput over time (calls and failed calls per second)</h3><div id="chart-throughput"></div></div>`
      : `<p class="empty">No series.json from a load run in this folder, so there are no charts over time.</p>`,
    model.histogram
      ? `<div class="chart"><h3>Latency distribution (${esc(model.histogram.metric)}, calls per bucket, log scale)</h3><div id="chart-histogram"></div></div>`
      : "",
    model.capacity
      ? `<div class="chart"><h3>Capacity curve (offered rate against achieved rate, p95 and error rate)</h3>${`<p>Maximum sustainable attempt rate: <strong>${esc(model.capacity.sustainable)} calls/s</strong>${model.capacity.firstFailing !== undefined ? `; first failing: ${esc(model.capacity.firstFailing)} calls/s` : ""}.</p>`}${
          model.capacity.method
            ? `<p>Method: ${esc(model.capacity.method.standard)}, ${esc(model.capacity.method.trialS)} s each. Loss criterion: ${esc(model.capacity.method.criterion)}.</p>`
            : ""
        }<div id="chart-capacity"></div></div>`
      : "",
  ].join("\n");
  return `<section id="load"><h2>Load</h2>
<div class="figures">${figure("calls", l.calls === undefined ? "n/a" : String(l.calls))}${figure("calls per second", l.callsPerSecond === undefined ? "n/a" : l.callsPerSecond.toFixed(2))}${figure("p95 callout", ms(l.p95CalloutMs))}${figure(`p95 setup${l.setupMetric ? ` (${l.setupMetric})` : ""}`, ms(l.p95SetupMs))}${figure("duration", l.durationSeconds === undefined ? "n/a" : `${l.durationSeconds.toFixed(1)} s`)}</div>
${kpiTable(l.kpis)}
${thresholds ? `<table class="thresholds"><thead><tr><th>Metric</th><th>Threshold</th><th>Result</th></tr></thead><tbody>${thresholds}</tbody></table>` : '<p class="empty">No thresholds in the load summary.</p>'}
${charts}
</section>`;
}

function errorsSection(model: ReportModel): string {
  const errors = Object.entries(model.load?.errorsByRetcode ?? {}).sort((a, b) => b[1] - a[1]);
  if (!model.load) return "";
  if (errors.length === 0)
    return `<section id="errors"><h2>Errors by retcode</h2><p>No failed callouts.</p></section>`;
  const total = errors.reduce((sum, [, n]) => sum + n, 0);
  const meaning = new Map(RETCODES.map((r) => [r.code, r.meaning]));
  const rows = errors
    .map(
      ([code, n]) =>
        `<tr><td><code>${esc(code)}</code></td><td>${esc(meaning.get(code) ?? "")}</td><td class="num">${n}</td><td class="num">${((100 * n) / total).toFixed(1)}%</td></tr>`,
    )
    .join("");
  return `<section id="errors"><h2>Errors by retcode</h2><table><thead><tr><th>Retcode</th><th>Meaning</th><th>Calls</th><th>Share</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function linksSection(model: ReportModel): string {
  const groups: [string, string][] = [
    ["junit", "JUnit XML"],
    ["html", "HTML reports (run pages, suite report)"],
    ["json", "Raw JSON"],
  ];
  const body = groups
    .map(([kind, title]) => {
      const links = model.links.filter((l) => l.kind === kind);
      if (links.length === 0) return `<h3>${esc(title)}</h3><p class="empty">none</p>`;
      return `<h3>${esc(title)}</h3><ul>${links.map((l) => `<li><a href="${esc(l.href)}">${esc(l.href)}</a></li>`).join("")}</ul>`;
    })
    .join("\n");
  const missing =
    model.missing.length === 0
      ? ""
      : `<h3>Not available in this run</h3><ul class="missing">${model.missing.map((m) => `<li>${esc(m)}</li>`).join("")}</ul>`;
  return `<section id="files"><h2>Files of this run</h2>${body}${missing}</section>`;
}

/** The page as one HTML string. */
export function renderPage(model: ReportModel): string {
  const assets = uplotAssets();
  const chartData = {
    series: model.series ?? null,
    histogram: model.histogram ?? null,
    capacity: model.capacity ? [...model.capacity.curve].sort((a, b) => a.rate - b.rate) : null,
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ccgw ${esc(model.verdict.toUpperCase())}: ${esc(model.run.target.name ?? model.run.target.baseUrl)} (${esc(model.run.runId)})</title>
<style>${assets.css}</style>
<style>${PAGE_STYLE}</style>
</head>
<body>
<nav><a href="#verdict">Verdict</a><a href="#conformance">Conformance</a><a href="#load">Load</a><a href="#errors">Errors</a><a href="#files">Files</a></nav>
<main>
${verdictSection(model)}
${conformanceSection(model)}
${loadSection(model)}
${errorsSection(model)}
${linksSection(model)}
</main>
<footer>Written by ccgw report. Self-contained: charts drawn by uPlot, inlined; no network access needed.</footer>
<script type="application/json" id="chart-data">${scriptJson(chartData)}</script>
<script>${assets.js.replace(/<\/script/gi, "<\\/script")}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
