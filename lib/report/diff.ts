/**
 * Run-to-run diff: two run folders (a gateway's release N and N+1, or a clean run and a failing one) compared
 * clause by clause, open choice by open choice, threshold by threshold, and load figure by load figure. Load
 * percentiles come from each run's merged HDR histograms (result.json), never from averaged summaries.
 */
import { basename, dirname, join } from "node:path";
import hdr from "hdr-histogram-js";
import type { ConformanceReport, RunRecord, SegmentResult } from "../../contracts/index.ts";
import { listFiles, readRunDir } from "./page/index.ts";
import { readRunFile } from "./run-files.ts";

/** What identifies one side of the diff. */
export interface DiffSide {
  dir: string;
  runId: string;
  startedAt: string;
  target: string;
  edition?: string;
  authMode?: string;
}

export interface ClauseChange {
  id: string;
  title: string;
  /** The clause's verdict in each run; "absent" when that run has no row for it. */
  from: string;
  to: string;
  /** regression: passed, now fails; fixed: failed, now passes; changed: anything else. */
  change: "regression" | "fixed" | "changed";
}

export interface ChoiceChange {
  id: string;
  title: string;
  from: string[];
  to: string[];
}

export interface ThresholdChange {
  metric: string;
  expression: string;
  /** Held (true), broken (false), or not in that run (null). */
  from: boolean | null;
  to: boolean | null;
}

/** One statistic of one timing, in ms (count: samples), from each run's HDR histogram. */
export interface FigureChange {
  metric: string;
  stat: "count" | "p50" | "p95" | "p99" | "max";
  from: number | null;
  to: number | null;
  /** to / from, when both are there and from is not 0. */
  ratio: number | null;
  /** Moved: at least 10 % and (for times) 2 ms either way, or there in one run only. */
  moved: boolean;
}

/** One count of a tagged counter (callouts by retcode, outcomes), where the two runs differ. */
export interface CountChange {
  metric: string;
  tag: string;
  from: number;
  to: number;
}

export interface RunDiff {
  a: DiffSide;
  b: DiffSide;
  clauses: ClauseChange[];
  choices: ChoiceChange[];
  thresholds: ThresholdChange[];
  figures: FigureChange[];
  counts: CountChange[];
  /** Clauses that passed in A and fail in B: the diff's exit code is 1 when there is one. */
  regressions: number;
  /** What could not be compared, and why. */
  notes: string[];
}

/** What of one run the diff reads. */
interface RunParts {
  side: DiffSide;
  clauses: Map<string, { title: string; verdict: string }> | undefined;
  choices: Map<string, { title: string; options: string[] }> | undefined;
  thresholds: Map<string, boolean> | undefined;
  trends: Map<string, ReturnType<typeof hdr.decodeFromCompressedBase64>> | undefined;
  counters: Record<string, Record<string, number>> | undefined;
}

const TIMING_STATS = [
  ["p50", 50],
  ["p95", 95],
  ["p99", 99],
] as const;

/** The choices of the suite's report: each open choice with the options the gateway took. */
function choicesOf(report: ConformanceReport): NonNullable<RunParts["choices"]> {
  return new Map(
    report.choices.map((c) => [c.id, { title: c.title, options: c.observed.map((o) => o.option).sort() }]),
  );
}

/** The merged metrics of a load run (its result.json): HDR histograms and counters. */
function metricsOf(segment: SegmentResult): Pick<RunParts, "trends" | "counters"> {
  const { trends, counters } = segment.snapshot;
  const decoded = new Map(
    Object.entries(trends).map(([name, encoded]) => [name, hdr.decodeFromCompressedBase64(encoded)]),
  );
  return { trends: decoded, counters };
}

/** Who ran against what: run.json's record, or for a suite run on its own, what its report says. */
function sideOf(dir: string, run: RunRecord, conformance: ConformanceReport | undefined): DiffSide {
  const suite = run.target.baseUrl === "unknown" ? conformance : undefined;
  const edition = run.target.edition ?? suite?.edition;
  const authMode = run.target.authMode ?? suite?.authMode;
  return {
    dir,
    runId: suite?.runId ?? run.runId,
    startedAt: suite?.startedAt ?? run.startedAt,
    target: suite ? (suite.target.name ?? suite.target.baseUrl) : (run.target.name ?? run.target.baseUrl),
    ...(edition ? { edition } : {}),
    ...(authMode ? { authMode } : {}),
  };
}

/** Reads what the diff needs of one run folder (the main job's, a suite run's or a load run's). */
export async function readRunParts(dir: string, notes: string[]): Promise<RunParts> {
  const model = await readRunDir(dir);
  const files = await listFiles(dir);
  const side = sideOf(dir, model.run, model.conformance);
  const clauses = model.conformance
    ? new Map(model.conformance.clauses.map((c) => [c.id, { title: c.title, verdict: c.verdict }]))
    : undefined;
  if (!clauses) notes.push(`${side.runId}: no clause verdicts (the suite was not part of the run)`);
  const thresholds = model.load
    ? new Map(model.load.thresholds.map((t) => [`${t.metric} ${t.expression}`, t.ok]))
    : undefined;
  const depth = (f: string) => f.split("/").length;
  const summary = files.filter((f) => basename(f) === "summary.json").sort((x, y) => depth(x) - depth(y))[0];
  const resultFile = summary ? join(dirname(summary), "result.json") : undefined;
  const segment =
    resultFile && files.includes(resultFile)
      ? await readRunFile("result.json", join(dir, resultFile)).catch((error: Error) => {
          notes.push(`${side.runId}: ${error.message}`);
          return undefined;
        })
      : undefined;
  const metrics = segment ? metricsOf(segment) : { trends: undefined, counters: undefined };
  if (model.load && !metrics.trends)
    notes.push(`${side.runId}: no result.json, so no load percentiles to compare`);
  const choices = model.conformance && choicesOf(model.conformance);
  return { side, clauses, choices, thresholds, ...metrics };
}

function clauseChanges(a: RunParts, b: RunParts): ClauseChange[] {
  if (!a.clauses || !b.clauses) return [];
  const changes: ClauseChange[] = [];
  for (const id of new Set([...a.clauses.keys(), ...b.clauses.keys()])) {
    const from = a.clauses.get(id)?.verdict ?? "absent";
    const to = b.clauses.get(id)?.verdict ?? "absent";
    if (from === to) continue;
    const change =
      from === "pass" && to === "fail"
        ? "regression"
        : from === "fail" && to === "pass"
          ? "fixed"
          : "changed";
    changes.push({ id, title: b.clauses.get(id)?.title ?? a.clauses.get(id)?.title ?? id, from, to, change });
  }
  const order = { regression: 0, changed: 1, fixed: 2 };
  return changes.sort((x, y) => order[x.change] - order[y.change] || x.id.localeCompare(y.id));
}

function choiceChanges(a: RunParts, b: RunParts): ChoiceChange[] {
  if (!a.choices || !b.choices) return [];
  const changes: ChoiceChange[] = [];
  for (const id of new Set([...a.choices.keys(), ...b.choices.keys()])) {
    const from = a.choices.get(id)?.options ?? [];
    const to = b.choices.get(id)?.options ?? [];
    // A choice one run did not observe says nothing about the other's.
    if (from.length === 0 || to.length === 0 || from.join("|") === to.join("|")) continue;
    changes.push({ id, title: b.choices.get(id)?.title ?? a.choices.get(id)?.title ?? id, from, to });
  }
  return changes;
}

function thresholdChanges(a: RunParts, b: RunParts): ThresholdChange[] {
  if (!a.thresholds || !b.thresholds) return [];
  const changes: ThresholdChange[] = [];
  for (const key of new Set([...a.thresholds.keys(), ...b.thresholds.keys()])) {
    const from = a.thresholds.get(key) ?? null;
    const to = b.thresholds.get(key) ?? null;
    if (from === to) continue;
    const [metric = key, ...rest] = key.split(" ");
    changes.push({ metric, expression: rest.join(" "), from, to });
  }
  return changes;
}

function moved(stat: FigureChange["stat"], from: number | null, to: number | null): boolean {
  if (from === null || to === null) return from !== to;
  const delta = Math.abs(to - from);
  if (stat === "count") return delta >= Math.max(1, 0.1 * from);
  return delta >= 2 && delta >= 0.1 * from;
}

function figureChanges(a: RunParts, b: RunParts): FigureChange[] {
  if (!a.trends || !b.trends) return [];
  const figures: FigureChange[] = [];
  for (const metric of [...new Set([...a.trends.keys(), ...b.trends.keys()])].sort()) {
    const ha = a.trends.get(metric);
    const hb = b.trends.get(metric);
    const value = (h: typeof ha, pick: (h: NonNullable<typeof ha>) => number) =>
      h && h.totalCount > 0 ? pick(h) : null;
    const stats: [FigureChange["stat"], number | null, number | null][] = [
      ["count", ha ? ha.totalCount : null, hb ? hb.totalCount : null],
      ...TIMING_STATS.map(
        ([stat, p]) =>
          [
            stat,
            value(ha, (h) => h.getValueAtPercentile(p)),
            value(hb, (h) => h.getValueAtPercentile(p)),
          ] as [FigureChange["stat"], number | null, number | null],
      ),
      ["max", value(ha, (h) => h.maxValue), value(hb, (h) => h.maxValue)],
    ];
    for (const [stat, from, to] of stats) {
      const ratio = from !== null && to !== null && from !== 0 ? to / from : null;
      figures.push({ metric, stat, from, to, ratio, moved: moved(stat, from, to) });
    }
  }
  return figures;
}

function countChanges(a: RunParts, b: RunParts): CountChange[] {
  if (!a.counters || !b.counters) return [];
  const changes: CountChange[] = [];
  for (const metric of [...new Set([...Object.keys(a.counters), ...Object.keys(b.counters)])].sort()) {
    const ca = a.counters[metric] ?? {};
    const cb = b.counters[metric] ?? {};
    for (const tag of [...new Set([...Object.keys(ca), ...Object.keys(cb)])].sort()) {
      const from = ca[tag] ?? 0;
      const to = cb[tag] ?? 0;
      if (from !== to) changes.push({ metric, tag, from, to });
    }
  }
  return changes;
}

/** Compares run folder `b` with run folder `a`. */
export async function diffRuns(aDir: string, bDir: string): Promise<RunDiff> {
  const notes: string[] = [];
  const a = await readRunParts(aDir, notes);
  const b = await readRunParts(bDir, notes);
  if (a.side.edition && b.side.edition && a.side.edition !== b.side.edition)
    notes.push(
      `the runs judged different editions (${a.side.edition}, ${b.side.edition}): clause rows differ by edition`,
    );
  const clauses = clauseChanges(a, b);
  return {
    a: a.side,
    b: b.side,
    clauses,
    choices: choiceChanges(a, b),
    thresholds: thresholdChanges(a, b),
    figures: figureChanges(a, b),
    counts: countChanges(a, b),
    regressions: clauses.filter((c) => c.change === "regression").length,
    notes,
  };
}

/** The diff in a few lines for the terminal. */
export function formatDiff(diff: RunDiff, page: string): string {
  const lines = [`diff: ${diff.a.runId} -> ${diff.b.runId}`];
  const byChange = (change: ClauseChange["change"]) => diff.clauses.filter((c) => c.change === change);
  for (const change of ["regression", "fixed", "changed"] as const) {
    const list = byChange(change);
    if (list.length > 0)
      lines.push(`${change.padEnd(10)} ${list.map((c) => `${c.id} (${c.from} -> ${c.to})`).join(", ")}`);
  }
  if (diff.clauses.length === 0) lines.push("clauses:   no verdict changed");
  if (diff.choices.length > 0) lines.push(`choices:   ${diff.choices.map((c) => c.id).join(", ")}`);
  const broken = diff.thresholds.filter((t) => t.to === false);
  if (broken.length > 0)
    lines.push(`thresholds now broken: ${broken.map((t) => `${t.metric} ${t.expression}`).join(", ")}`);
  // The terminal names the p95s that moved; the page has every statistic.
  const movedP95 = diff.figures.filter((f) => f.moved && f.stat === "p95");
  if (movedP95.length > 0) {
    const shown = movedP95.slice(0, 5).map((f) => `${f.metric} ${f.from ?? "-"} -> ${f.to ?? "-"} ms`);
    const more = movedP95.length > 5 ? `, ${movedP95.length - 5} more` : "";
    lines.push(`p95 moved: ${shown.join(", ")}${more}`);
  }
  for (const note of diff.notes) lines.push(`note:      ${note}`);
  lines.push(`diff page: ${page}`);
  return lines.join("\n");
}
