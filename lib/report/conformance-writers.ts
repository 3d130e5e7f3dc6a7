/**
 * Writers of the conformance report: conformance.json (the model as data) and conformance.html (a
 * self-contained acceptance document: no script, no external asset, readable offline and printable).
 * Both pass everything through lib/redact.ts once more, so a writer can never leak a Guid or password.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { redact } from "../redact.ts";
import type {
  BaselineUse,
  CaseResult,
  ChoiceRow,
  ClauseNote,
  ClauseRow,
  ClauseVerdict,
  ConformanceReport,
  Exchange,
} from "./conformance.ts";
import { esc } from "./escape.ts";
import { curlOf } from "./reproducer.ts";
import { writeRunFile } from "./run-files.ts";
import { todoHtml } from "./todo-html.ts";

/** Writes conformance.json and conformance.html into `dir`; returns their paths. */
export async function writeConformance(
  dir: string,
  report: ConformanceReport,
  secrets: readonly string[] = [],
): Promise<{ json: string; html: string }> {
  const safe = redact(report, secrets);
  const json = join(dir, "conformance.json");
  const html = join(dir, "conformance.html");
  await writeRunFile("conformance.json", json, safe);
  await writeFile(html, renderConformanceHtml(safe));
  return { json, html };
}

const LABEL: Record<ClauseVerdict, string> = {
  pass: "pass",
  fail: "FAIL",
  "open-recorded": "open, recorded",
  "not-tested": "not tested",
  "not-testable": "not testable",
};

function badge(verdict: ClauseVerdict): string {
  return `<span class="v v-${verdict}">${esc(LABEL[verdict])}</span>`;
}

// Long strings (16 KB of callappdata) would drown the evidence: show the start and the length.
function shorten(value: unknown): unknown {
  if (typeof value === "string")
    return value.length > 160 ? `${value.slice(0, 120)}… (${value.length} characters)` : value;
  if (Array.isArray(value)) return value.map(shorten);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shorten(v)]));
  }
  return value;
}

function exchangeHtml(x: Exchange): string {
  const request = `${x.request.method} ${x.request.path}\n${Object.entries(x.request.headers ?? {})
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(
      "\n",
    )}${x.request.body === undefined ? "" : `\n\n${typeof x.request.body === "string" ? shorten(x.request.body) : JSON.stringify(shorten(x.request.body), null, 1)}`}`;
  const response = x.error
    ? `transport error: ${x.error}`
    : x.response
      ? `HTTP ${x.response.status}${x.ms !== undefined ? ` (${x.ms} ms)` : ""}\n${Object.entries(
          x.response.headers ?? {},
        )
          .map(([k, v]) => `${k}: ${String(v)}`)
          .join("\n")}\n\n${JSON.stringify(shorten(x.response.body), null, 1)}`
      : "(no response)";
  return `<div class="x"><div><h5>request${x.operation ? ` (${esc(x.operation)})` : ""}</h5><pre>${esc(request)}</pre></div><div><h5>response</h5><pre>${esc(response)}</pre></div></div>`;
}

/** A failed case's request as a curl command to copy (secrets as ${ENV} names). */
function replayHtml(r: CaseResult, baseUrl: string): string {
  const at = r.findings.find((f) => f.verdict === "fail" && f.exchange !== undefined)?.exchange;
  const exchange = at === undefined ? undefined : r.evidence[at];
  if (!exchange) return "";
  return `<div class="replay"><h5>replay the failing request (set CCGW_GUID, CCGW_AGENT_PASSWORD, CCGW_CA_FILE as needed)</h5><pre class="curl">${esc(curlOf(exchange, baseUrl))}</pre></div>`;
}

function caseHtml(r: CaseResult, baseUrl: string): string {
  const findings = r.findings
    .map((f) => `<li>${badge(f.verdict)} <code>${esc(f.clause)}</code> ${esc(f.message)}</li>`)
    .join("");
  const evidence = r.evidence.map(exchangeHtml).join("");
  const replay = r.verdict === "fail" ? replayHtml(r, baseUrl) : "";
  return `<details class="case" id="case-${esc(r.id)}"${r.verdict === "fail" ? " open" : ""}><summary>${badge(r.verdict)} ${esc(r.title)} <span class="ms">${r.durationMs} ms</span></summary>
${r.observed ? `<p class="obs">Observed: ${esc(r.observed)}</p>` : ""}<ul class="f">${findings}</ul>${replay}${evidence ? `<div class="ev">${evidence}</div>` : ""}</details>`;
}

function choiceHtml(c: ChoiceRow): string {
  const seen =
    c.observed.length === 0
      ? `<span class="v v-not-tested">not observed</span>`
      : c.observed
          .map(
            (o) =>
              `<b>${esc(o.option)}</b> <span class="more">(${o.cases.length} case(s); ${esc(o.example)})</span>`,
          )
          .join("<br>");
  return `<tr><td>${esc(c.title)}</td><td><code>${esc(c.clause)}</code></td><td>${esc(c.options.join(" | "))}</td><td>${seen}</td></tr>`;
}

/** The baseline's part in the run, in one line. */
export function baselineLine(b: BaselineUse): string {
  const parts = [
    `${b.known} known failure(s) accepted from ${b.entries} entr${b.entries === 1 ? "y" : "ies"} of ${b.file}`,
  ];
  if (b.expired.length > 0) parts.push(`expired, failing again: ${b.expired.join(", ")}`);
  if (b.unused.length > 0) parts.push(`matched nothing (remove?): ${b.unused.join(", ")}`);
  return parts.join("; ");
}

/** What each kind of note is called: only a failure is one. */
const NOTE_LABEL: Record<ClauseNote["kind"], string> = {
  fail: "failure",
  known: "known failure",
  open: "open choice",
  "not-tested": "not tested",
};

function rowHtml(row: ClauseRow): string {
  const first = row.notes[0];
  const note = first
    ? `<span class="k k-${first.kind}">${NOTE_LABEL[first.kind]}:</span> ${esc(first.text)}`
    : "";
  const more = row.notes.length > 1 ? ` <span class="more">(+${row.notes.length - 1} more)</span>` : "";
  return `<tr class="r-${row.verdict}"><td><a href="#clause-${esc(row.id)}"><code>${esc(row.id)}</code></a></td><td>${esc(row.kind)}</td><td>${esc(row.title)}</td><td>${badge(row.verdict)}</td><td class="n">${row.cases.length}</td><td class="note">${note}${more}</td></tr>`;
}

/** The acceptance document: summary, clause matrix, then each clause with its cases and evidence. */
export function renderConformanceHtml(report: ConformanceReport): string {
  const byId = new Map(report.results.map((r) => [r.id, r]));
  const overall = report.totals.fail > 0 ? "fail" : "pass";
  const sections = report.clauses
    .filter((row) => row.cases.length > 0)
    .map((row) => {
      const cases = row.cases
        .map((id) => byId.get(id))
        .filter((r): r is CaseResult => r !== undefined)
        .map((r) => caseHtml(r, report.target.baseUrl))
        .join("\n");
      return `<section id="clause-${esc(row.id)}"><h3>${badge(row.verdict)} <code>${esc(row.id)}</code>: ${esc(row.title)}</h3>${row.source ? `<p class="src">Source: ${esc(row.source)}</p>` : ""}${cases}</section>`;
    })
    .join("\n");
  const totals = (Object.keys(LABEL) as ClauseVerdict[])
    .map((v) => `<td>${badge(v)} ${report.totals[v]}</td>`)
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Conformance: ${esc(report.target.name ?? report.target.baseUrl)} (${esc(report.edition)})</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#1d232a}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:2px solid #ddd}h3{font-size:1.05em;margin:1.4em 0 .4em}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e3e3e3;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f4f5f7}td.n{text-align:right}td.note{font-size:12px;color:#444;max-width:420px}
.v{display:inline-block;min-width:5.5em;text-align:center;border-radius:3px;padding:0 4px;font-size:12px;font-weight:600}
.v-pass{background:#d8f3dc;color:#1b4332}.v-fail{background:#ffccd5;color:#800f2f}.v-open-recorded{background:#fff3bf;color:#5c4400}
.v-not-tested{background:#e9ecef;color:#495057}.v-not-testable{background:#edf2fb;color:#33415c}
.verdict{font-size:1.3em;padding:.4em .8em;border-radius:4px;display:inline-block}.verdict.pass{background:#d8f3dc}.verdict.fail{background:#ffccd5}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 14px}dt{font-weight:600}
details.case{border:1px solid #e3e3e3;border-radius:4px;margin:4px 0;padding:2px 8px}summary{cursor:pointer}
.ms{color:#888;font-size:12px}.src,.obs{font-size:12px;color:#555}ul.f{margin:.3em 0;padding-left:1.2em}
.x{display:grid;grid-template-columns:1fr 1fr;gap:8px;margin:6px 0}pre{background:#f8f9fa;border:1px solid #eee;padding:6px;font-size:11.5px;white-space:pre-wrap;word-break:break-all;margin:0}
h5{margin:2px 0;font-size:11px;text-transform:uppercase;color:#666}
.k{font-weight:600}.k-fail{color:#800f2f}.k-known{color:#8a4b00}.k-open{color:#5c4400}.k-not-tested{color:#495057}
@media print{body{margin:0;max-width:none;font-size:10.5pt}thead{display:table-header-group}tr,details.case,dl{break-inside:avoid}h2,h3{break-after:avoid}details::details-content{content-visibility:visible;display:block}}
</style></head><body>
<h1>Conformance of a CC-Gateway to "Making a Common Outbound Call"</h1>
<p>${esc(report.interface)}, edition <b>${esc(report.edition)}</b> of the interface page.</p>
<p class="verdict ${overall}">Overall: ${overall === "pass" ? "conforms (no clause failed)" : `does not conform: ${report.totals.fail} clause(s) failed`}</p>
<h2>Run</h2>
<dl>
<dt>Target</dt><dd>${esc(report.target.name ?? "")} <code>${esc(report.target.baseUrl)}</code></dd>
<dt>Edition</dt><dd>${esc(report.edition)}</dd><dt>Authentication</dt><dd>${esc(report.authMode)}</dd>
<dt>Run id</dt><dd>${esc(report.runId)}</dd><dt>Seed</dt><dd>${esc(report.seed)} (CCGW_SEED=${esc(report.seed)} replays the same data)</dd>
<dt>Started</dt><dd>${esc(report.startedAt)}</dd><dt>Duration</dt><dd>${(report.durationMs / 1000).toFixed(1)} s</dd>
<dt>Cases</dt><dd>${report.cases.total} run: ${report.cases.pass} passed${report.cases.known ? ` (${report.cases.known} with known failures only)` : ""}, ${report.cases.fail} failed, ${report.cases.open} open (recorded), ${report.cases.notTested} not tested</dd>
${report.baseline ? `<dt>Baseline</dt><dd>${esc(baselineLine(report.baseline))}</dd>` : ""}
${report.defects && report.defects.length > 0 ? `<dt>Mock defects</dt><dd>${esc(report.defects.join(", "))}</dd>` : ""}
</dl>
<h2>Clauses</h2>
<p>Each clause of the interface page (and of the interfaces the call cycle needs) with its verdict. <i>Open, recorded</i>: the page does not pin the gateway's reaction; what came back is recorded and never fails the run. <i>Not testable</i>: no request can observe it (platform settings, log names).</p>
<table><thead><tr>${totals.replace(/<td>/g, "<th>").replace(/<\/td>/g, "</th>")}</tr></thead></table>
<table><thead><tr><th>Clause</th><th>Kind</th><th>What the page says</th><th>Verdict</th><th>Cases</th><th>First note</th></tr></thead><tbody>
${report.clauses.map(rowHtml).join("\n")}
</tbody></table>
${todoHtml(report.todo)}
<h2>Open choices</h2>
<p>Where the vendor's pages leave a behaviour open, what this gateway chose. Never a failure.</p>
<table><thead><tr><th>Choice</th><th>Clause</th><th>Documented options</th><th>This gateway</th></tr></thead><tbody>
${(report.choices ?? []).map(choiceHtml).join("\n")}
</tbody></table>
<h2>Evidence by clause</h2>
<p>Every case with the requests sent and the answers received. Passwords and Guids are redacted.</p>
${sections}
</body></html>
`;
}
