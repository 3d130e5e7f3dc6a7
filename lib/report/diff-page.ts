/** The run-to-run diff as a self-contained page (diff.html) and as JSON (diff.json), in the report page's style. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunDiff } from "./diff.ts";
import { esc } from "./escape.ts";
import { PAGE_STYLE } from "./page/index.ts";

const DIFF_STYLE = `
tr.regression td { background: #ffebe9; }
tr.fixed td { background: #dafbe1; }
tr.moved td { font-weight: 600; }
.arrow { color: var(--muted); padding: 0 4px; }
`;

function table(head: string[], rows: string[], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${esc(empty)}</p>`;
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.join("\n")}</tbody></table>`;
}

const fmt = (value: number | null) => (value === null ? "—" : String(value));
const held = (ok: boolean | null) => (ok === null ? "not in the run" : ok ? "held" : "broken");

function sideHtml(label: string, side: RunDiff["a"]): string {
  const edition = side.edition ? `, edition ${esc(side.edition)}` : "";
  const auth = side.authMode ? `, ${esc(side.authMode)} auth` : "";
  return `<dt>${label}</dt><dd><code>${esc(side.runId)}</code>: ${esc(side.target)}${edition}${auth}, started ${esc(side.startedAt)} (<code>${esc(side.dir)}</code>)</dd>`;
}

/** The diff page. */
export function renderDiffPage(diff: RunDiff): string {
  const verdict =
    diff.regressions > 0
      ? `<section class="verdict fail"><h1>${diff.regressions} clause(s) passed in A and fail in B</h1></section>`
      : `<section class="verdict pass"><h1>No clause that passed in A fails in B</h1></section>`;
  const clauses = table(
    ["Clause", "Statement", "A", "", "B", "Change"],
    diff.clauses.map(
      (c) =>
        `<tr class="${c.change}"><td><code>${esc(c.id)}</code></td><td>${esc(c.title)}</td><td>${esc(c.from)}</td><td class="arrow">→</td><td>${esc(c.to)}</td><td>${esc(c.change)}</td></tr>`,
    ),
    "No clause changed its verdict.",
  );
  const choices = table(
    ["Open choice", "A took", "B took"],
    diff.choices.map(
      (c) =>
        `<tr><td>${esc(c.title)} <code>${esc(c.id)}</code></td><td>${esc(c.from.join(" | "))}</td><td>${esc(c.to.join(" | "))}</td></tr>`,
    ),
    "No open choice changed (choices one run did not observe are not compared).",
  );
  const thresholds = table(
    ["Metric", "Threshold", "A", "B"],
    diff.thresholds.map(
      (t) =>
        `<tr class="${t.to === false ? "regression" : t.to === true && t.from === false ? "fixed" : ""}"><td><code>${esc(t.metric)}</code></td><td><code>${esc(t.expression)}</code></td><td>${held(t.from)}</td><td>${held(t.to)}</td></tr>`,
    ),
    "No threshold changed its verdict.",
  );
  const figures = table(
    ["Metric", "Statistic", "A", "B", "B / A"],
    diff.figures.map(
      (f) =>
        `<tr class="${f.moved ? "moved" : ""}"><td><code>${esc(f.metric)}</code></td><td>${esc(f.stat)}${f.stat === "count" ? "" : " (ms)"}</td><td class="num">${fmt(f.from)}</td><td class="num">${fmt(f.to)}</td><td class="num">${f.ratio === null ? "—" : f.ratio.toFixed(2)}</td></tr>`,
    ),
    "No load figures to compare (a run without a load phase, or without result.json).",
  );
  const counts = table(
    ["Counter", "Tag", "A", "B"],
    diff.counts.map(
      (c) =>
        `<tr><td><code>${esc(c.metric)}</code></td><td><code>${esc(c.tag || "(none)")}</code></td><td class="num">${c.from}</td><td class="num">${c.to}</td></tr>`,
    ),
    "No counter differs.",
  );
  const notes =
    diff.notes.length > 0 ? `<ul>${diff.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>` : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Diff ${esc(diff.a.runId)} → ${esc(diff.b.runId)}</title>
<style>${PAGE_STYLE}${DIFF_STYLE}</style></head><body><main>
${verdict}
<section><h2>Runs</h2><dl class="meta">${sideHtml("A", diff.a)}${sideHtml("B", diff.b)}</dl>${notes}</section>
<section><h2>Clauses whose verdict changed</h2>${clauses}</section>
<section><h2>Open choices whose option changed</h2>${choices}</section>
<section><h2>Thresholds whose verdict changed</h2>${thresholds}</section>
<section><h2>Load figures</h2><p>From each run's merged HDR histograms (result.json). Bold: moved by at least 10 % (and 2 ms for times).</p>${figures}</section>
<section><h2>Counts that differ</h2>${counts}</section>
</main></body></html>
`;
}

/** Writes diff.json and diff.html into `dir`; returns the page's path. */
export async function writeDiff(dir: string, diff: RunDiff): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "diff.json"), `${JSON.stringify(diff, null, 2)}\n`);
  const page = join(dir, "diff.html");
  await writeFile(page, renderDiffPage(diff));
  return page;
}
