/**
 * Known findings: a baseline file (contracts/schemas/harness/baseline) lists failures accepted for a time, each by
 * clause and case, with a reason and the last day it holds. A listed failure is reported as known and does not
 * fail the run; a failure not listed, or listed under an expired entry, does. Read, applied to a case's findings,
 * summed up for the report, and written again from a run.
 */
import { readFile, writeFile } from "node:fs/promises";
import type { Baseline, BaselineEntry } from "../contracts/index.ts";
import { contractsFor, DEFAULT_EDITION } from "../contracts/index.ts";
import { HarnessError } from "./errors.ts";
import { type BaselineUse, type CaseResult, caseVerdict, type Finding } from "./report/conformance.ts";

export type { Baseline, BaselineEntry };

/** The day (UTC, YYYY-MM-DD) a run judges expiry dates by: the day it started. */
export function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** An entry holds through its `expires` day and no longer. */
export function isExpired(entry: BaselineEntry, day: string): boolean {
  return entry.expires < day;
}

/** Validates a parsed baseline; `source` names the file in messages. */
export function parseBaseline(raw: unknown, source = "baseline"): Baseline {
  const violations = contractsFor(DEFAULT_EDITION).validate("harness/baseline", raw);
  if (violations.length > 0) {
    const lines = violations.map(
      (v) =>
        `${v.path || "(root)"}: ${v.message.replace(/^harness\/baseline: \S+ /, "").replace(/ \[[^\]]*\]$/, "")}`,
    );
    throw new HarnessError("CCGW_BASELINE_INVALID", `${source} is invalid:\n  ${lines.join("\n  ")}`);
  }
  return raw as Baseline;
}

/** Reads and validates a baseline file; a missing file is an empty baseline only when `missingIsEmpty`. */
export async function loadBaseline(
  path: string,
  options: { missingIsEmpty?: boolean } = {},
): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (options.missingIsEmpty && (error as NodeJS.ErrnoException).code === "ENOENT") return { entries: [] };
    throw new HarnessError(
      "CCGW_BASELINE_INVALID",
      `cannot read baseline ${path}: ${(error as Error).message}`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new HarnessError(
      "CCGW_BASELINE_INVALID",
      `baseline ${path} is not JSON: ${(error as Error).message}`,
    );
  }
  return parseBaseline(raw, `baseline ${path}`);
}

function entryFor(
  entries: readonly BaselineEntry[],
  caseId: string,
  clause: string,
): BaselineEntry | undefined {
  return entries.find((e) => e.case === caseId && e.clause === clause);
}

/**
 * A case's result with the baseline applied: a failure its entry still accepts is marked known (and no longer
 * fails the case); a failure under an expired entry stays a failure and says since when.
 */
export function applyBaseline(
  result: CaseResult,
  entries: readonly BaselineEntry[],
  day: string,
): CaseResult {
  if (entries.length === 0 || !result.findings.some((f) => f.verdict === "fail")) return result;
  const findings: Finding[] = result.findings.map((f) => {
    if (f.verdict !== "fail") return f;
    const entry = entryFor(entries, result.id, f.clause);
    if (!entry) return f;
    if (isExpired(entry, day)) {
      return {
        ...f,
        message: `${f.message} (its baseline entry expired after ${entry.expires}: ${entry.reason})`,
      };
    }
    return { ...f, known: { reason: entry.reason, expires: entry.expires } };
  });
  return { ...result, findings, verdict: caseVerdict(findings) };
}

const entryName = (e: BaselineEntry) => `${e.clause} / ${e.case}`;

/** How a run used its baseline `file` (results already applied with applyBaseline). */
export function baselineUse(
  results: readonly CaseResult[],
  baseline: Baseline,
  day: string,
  file: string,
): BaselineUse {
  const failed = new Set<string>();
  let known = 0;
  for (const r of results) {
    for (const f of r.findings) {
      if (f.verdict !== "fail") continue;
      failed.add(`${f.clause} / ${r.id}`);
      if (f.known) known += 1;
    }
  }
  return {
    file,
    entries: baseline.entries.length,
    known,
    expired: baseline.entries.filter((e) => isExpired(e, day) && failed.has(entryName(e))).map(entryName),
    unused: baseline.entries.filter((e) => !failed.has(entryName(e))).map(entryName),
  };
}

/**
 * The baseline a run implies: one entry per failure it saw. An entry that already listed the failure keeps its
 * reason and date (an expired one stays expired: renewing is a person's decision); a new one gets `reason` and
 * `expires`. Entries whose failure did not recur are dropped.
 */
export function baselineFromRun(
  results: readonly CaseResult[],
  previous: Baseline,
  fresh: { reason: string; expires: string },
): Baseline {
  const entries: BaselineEntry[] = [];
  const seen = new Set<string>();
  for (const r of results) {
    for (const f of r.findings) {
      if (f.verdict !== "fail") continue;
      const key = `${f.clause} / ${r.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const old = entryFor(previous.entries, r.id, f.clause);
      entries.push({
        clause: f.clause,
        case: r.id,
        reason: old?.reason ?? fresh.reason,
        expires: old?.expires ?? fresh.expires,
        finding: f.message.slice(0, 300),
      });
    }
  }
  entries.sort((a, b) => a.clause.localeCompare(b.clause) || a.case.localeCompare(b.case));
  return { entries };
}

/** Writes a baseline file, pretty-printed, after checking it against its own schema. */
export async function writeBaseline(path: string, baseline: Baseline): Promise<void> {
  parseBaseline(baseline, "the baseline about to be written");
  await writeFile(path, `${JSON.stringify(baseline, null, 2)}\n`);
}
