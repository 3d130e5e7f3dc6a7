/**
 * The conformance result model: what each functional case found (per clause, with evidence) and the clause
 * matrix built from it, one row per clause of the edition. The JSON and HTML writers render this model only.
 */

import type {
  CaseResult,
  CaseVerdict,
  ChoiceRow,
  ClauseNote,
  ClauseRow,
  ClauseVerdict,
  ConformanceReport,
  Finding,
  ProfileNeed,
  TodoRow,
} from "../../contracts/index.ts";
import { type Clause, OPEN_CHOICES } from "../../contracts/index.ts";

// The model's types are those of its file's schema (contracts/schemas/harness/conformance.schema.json).
export type {
  BaselineUse,
  CaseResult,
  CaseVerdict,
  ChoiceRow,
  ClauseNote,
  ClauseRow,
  ClauseVerdict,
  ConformanceReport,
  Exchange,
  Finding,
  ProfileNeed,
  TodoRow,
} from "../../contracts/index.ts";

/** What a run says of itself in its report: who, against what, when. */
export type RunMeta = Pick<
  ConformanceReport,
  "runId" | "edition" | "authMode" | "target" | "seed" | "startedAt" | "finishedAt" | "durationMs" | "defects"
>;

/**
 * The to-do list from cases not tested for want of a profile value, and from clauses no case reached that only
 * some calls reach (`reachedBy`); the need with most untested clauses first.
 */
export function todoOf(
  results: readonly Pick<CaseResult, "id" | "clause" | "needs">[],
  untested: ReadonlySet<string>,
  reachedBy: readonly { clause: string; needs: ProfileNeed }[] = [],
): TodoRow[] {
  const rows = new Map<string, TodoRow>();
  for (const r of [...results, ...reachedBy.map((c) => ({ ...c, id: undefined }))]) {
    if (!r.needs) continue;
    const key = `${r.needs.field}\u0000${r.needs.value}`;
    const row = rows.get(key) ?? { ...r.needs, cases: [], clauses: [], untested: [] };
    if (r.id !== undefined) row.cases.push(r.id);
    if (!row.clauses.includes(r.clause)) row.clauses.push(r.clause);
    if (untested.has(r.clause) && !row.untested.includes(r.clause)) row.untested.push(r.clause);
    rows.set(key, row);
  }
  return [...rows.values()].sort(
    (a, b) => b.untested.length - a.untested.length || b.cases.length - a.cases.length,
  );
}

// A clause row: any failure fails it; a clause also held to and passed is a pass even where an open choice was
// recorded under it (the choice is in its notes and in the open-choices table); open only when nothing passed.
const ORDER: CaseVerdict[] = ["fail", "pass", "open-recorded", "not-tested"];

/**
 * The verdict of a case from its findings: any failure fails it; otherwise pass beats open. A known failure
 * (accepted by the baseline) counts as a pass.
 */
export function caseVerdict(findings: readonly Finding[]): CaseVerdict {
  if (findings.some((f) => f.verdict === "fail" && !f.known)) return "fail";
  if (findings.some((f) => f.verdict === "pass" || f.known)) return "pass";
  if (findings.some((f) => f.verdict === "open-recorded")) return "open-recorded";
  return "not-tested";
}

/** Builds the clause matrix: one row per clause of the edition, plus rows for clause ids the catalog lacks. */
export function buildReport(
  meta: RunMeta,
  results: readonly CaseResult[],
  clauses: readonly Clause[],
  /** What the profile needs for a clause only some calls reach (the suite's clause-needs.ts), if anything. */
  needOf: (clause: string) => ProfileNeed | undefined = () => undefined,
): ConformanceReport {
  const reachedBy: { clause: string; needs: ProfileNeed }[] = [];
  const byClause = new Map<string, { verdicts: Set<CaseVerdict>; cases: Set<string>; notes: ClauseNote[] }>();
  const entry = (id: string) => {
    let e = byClause.get(id);
    if (!e) {
      e = { verdicts: new Set(), cases: new Set(), notes: [] };
      byClause.set(id, e);
    }
    return e;
  };
  for (const r of results) {
    if (r.verdict === "not-tested") {
      const e = entry(r.clause);
      e.cases.add(r.id);
      e.verdicts.add("not-tested");
      const fix = r.needs ? `; testable with ${r.needs.value} (${r.needs.field})` : "";
      if (r.observed) e.notes.push({ kind: "not-tested", text: `${r.title}: ${r.observed}${fix}` });
    }
    for (const f of r.findings) {
      const e = entry(f.clause);
      e.cases.add(r.id);
      e.verdicts.add(f.known ? "pass" : f.verdict);
      if (f.verdict !== "pass") e.notes.push(noteOf(r, f));
    }
  }
  const rows: ClauseRow[] = clauses.map((c) => {
    const e = byClause.get(c.id);
    byClause.delete(c.id);
    const observed = e ? ORDER.find((v) => e.verdicts.has(v)) : undefined;
    const verdict: ClauseVerdict = c.testable === false ? "not-testable" : (observed ?? "not-tested");
    return {
      id: c.id,
      kind: c.kind,
      title: c.title,
      page: c.page,
      source: c.source,
      verdict,
      cases: e ? [...e.cases] : [],
      notes: e ? noteOrder(e.notes) : verdict === "not-tested" ? [noCase(c.id, needOf, reachedBy)] : [],
    };
  });
  for (const [id, e] of byClause) {
    rows.push({
      id,
      kind: "unlisted",
      title: "Clause id not in contracts/clauses.json",
      page: "",
      source: "",
      verdict: ORDER.find((v) => e.verdicts.has(v)) ?? "not-tested",
      cases: [...e.cases],
      notes: noteOrder(e.notes),
    });
  }
  const totals: Record<ClauseVerdict, number> = {
    pass: 0,
    fail: 0,
    "open-recorded": 0,
    "not-tested": 0,
    "not-testable": 0,
  };
  for (const row of rows) totals[row.verdict]++;
  return {
    interface: "Making a Common Outbound Call (PUT /agentgateway/resource/voicecall/{agentid}/callout)",
    ...meta,
    totals,
    cases: {
      total: results.length,
      pass: results.filter((r) => r.verdict === "pass").length,
      fail: results.filter((r) => r.verdict === "fail").length,
      open: results.filter((r) => r.verdict === "open-recorded").length,
      notTested: results.filter((r) => r.verdict === "not-tested").length,
      known: results.filter((r) => r.verdict === "pass" && r.findings.some((f) => f.known)).length,
    },
    clauses: rows,
    choices: choiceRows(results),
    todo: todoOf(
      results,
      new Set(rows.filter((r) => r.verdict === "not-tested").map((r) => r.id)),
      reachedBy,
    ),
    results: [...results],
  };
}

/**
 * The note of a clause no case of the run observed (a family left out, a clause the suite does not reach, or one
 * only calls of an outcome the profile lacks reach: then what to add, noted in `reachedBy` for the to-do list).
 */
function noCase(
  clause: string,
  needOf: (clause: string) => ProfileNeed | undefined,
  reachedBy: { clause: string; needs: ProfileNeed }[],
): ClauseNote {
  const needs = needOf(clause);
  if (!needs) return { kind: "not-tested", text: "no case of this run observes this clause" };
  reachedBy.push({ clause, needs });
  return {
    kind: "not-tested",
    text: `no case of this run observes this clause; testable with ${needs.value} (${needs.field})`,
  };
}

/** The note a finding that is not a pass leaves on its clause's row. */
function noteOf(r: CaseResult, f: Finding): ClauseNote {
  if (f.known) {
    const why = `known until ${f.known.expires}: ${f.known.reason}`;
    return { kind: "known", text: `${r.title}: ${f.message} (${why})` };
  }
  return { kind: f.verdict === "fail" ? "fail" : "open", text: `${r.title}: ${f.message}` };
}

const NOTE_ORDER: ClauseNote["kind"][] = ["fail", "known", "open", "not-tested"];

/** A row's notes, failures first, at most 20 of each kind. */
function noteOrder(notes: readonly ClauseNote[]): ClauseNote[] {
  return NOTE_ORDER.flatMap((kind) => notes.filter((n) => n.kind === kind).slice(0, 20));
}

/** The open choices of the contracts with the options the cases saw the gateway take. */
export function choiceRows(results: readonly CaseResult[]): ChoiceRow[] {
  return Object.values(OPEN_CHOICES).map((choice) => {
    const observed = new Map<string, { option: string; cases: string[]; example: string }>();
    for (const r of results) {
      for (const f of r.findings) {
        if (f.choice?.id !== choice.id) continue;
        const row = observed.get(f.choice.option) ?? {
          option: f.choice.option,
          cases: [],
          example: f.message,
        };
        if (!row.cases.includes(r.id)) row.cases.push(r.id);
        observed.set(f.choice.option, row);
      }
    }
    return {
      id: choice.id,
      title: choice.title,
      clause: choice["x-spec"],
      options: choice.options,
      observed: [...observed.values()],
    };
  });
}

/** What the cases of a run saw of one clause: checks that held, checks that failed, cases not tested. */
export interface ClauseCounts {
  passed: number;
  failed: number;
  notTested: number;
}

/** Counts per clause from a report's results; a failure the baseline accepts counts as held. */
export function clauseCounts(results: readonly CaseResult[]): Map<string, ClauseCounts> {
  const counts = new Map<string, ClauseCounts>();
  const of = (clause: string) => {
    let c = counts.get(clause);
    if (!c) {
      c = { passed: 0, failed: 0, notTested: 0 };
      counts.set(clause, c);
    }
    return c;
  };
  for (const r of results) {
    if (r.verdict === "not-tested") of(r.clause).notTested += 1;
    for (const f of r.findings) {
      if (f.verdict === "pass" || f.known) of(f.clause).passed += 1;
      else if (f.verdict === "fail") of(f.clause).failed += 1;
    }
  }
  return counts;
}

/** Clause ids with a failing row. */
export function failingClauses(report: ConformanceReport): string[] {
  return report.clauses.filter((c) => c.verdict === "fail").map((c) => c.id);
}
