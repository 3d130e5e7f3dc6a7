/**
 * Reads the functional suite's conformance JSON into the page's clause rows, whatever spelling of the suite's
 * model (lib/report/conformance.ts) or of a common test reporter it uses.
 */
import { CLAUSES } from "../../../contracts/index.ts";
import type { TodoRow } from "../conformance.ts";
import type { ClauseRow, Conformance } from "./model.ts";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const VERDICTS = new Set(["pass", "fail", "skip", "open", "untested", "not-testable"]);

// Spellings of the functional suite's model (lib/report/conformance.ts) and of common test reporters.
const VERDICT_ALIASES: Record<string, string> = {
  passed: "pass",
  failed: "fail",
  skipped: "skip",
  "open-recorded": "open",
  "not-tested": "untested",
};

function normaliseVerdict(value: unknown, failed: number, passed: number): ClauseRow["verdict"] {
  const text = typeof value === "string" ? value.toLowerCase() : "";
  const mapped = VERDICT_ALIASES[text] ?? text;
  if (VERDICTS.has(mapped)) return mapped as ClauseRow["verdict"];
  if (failed > 0) return "fail";
  if (passed > 0) return "pass";
  return "untested";
}

function count(value: unknown): number {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (Array.isArray(value)) return value.length;
  return 0;
}

/**
 * Normalises the functional suite's conformance JSON. Accepted: `clauses` as an array of rows or an object keyed
 * by clause id; per row a verdict (`verdict` or `status`), counts (`passed`/`failed`/`skipped` as numbers) or a
 * `tests` array with per-test `status` and `message`/`failure`. Titles come from contracts/clauses.json when the
 * file has none.
 */
export function normaliseConformance(raw: unknown): Conformance | undefined {
  if (!isObject(raw)) return undefined;
  const source = raw.clauses ?? raw.matrix;
  let entries: [string | undefined, unknown][] = [];
  if (Array.isArray(source)) entries = source.map((row) => [undefined, row]);
  else if (isObject(source)) entries = Object.entries(source);
  else return undefined;
  const fromResults = countsFromResults(raw);
  const clauses: ClauseRow[] = [];
  const tests: Counts = { passed: 0, failed: 0, skipped: 0 };
  for (const [key, value] of entries) {
    const row = isObject(value) ? clauseRow(key, value, fromResults) : undefined;
    if (!row) continue;
    clauses.push(row);
    tests.passed += row.passed;
    tests.failed += row.failed;
    tests.skipped += row.skipped;
  }
  overrideTotals(raw, tests);
  const conformance: Conformance = { clauses, tests };
  const cases = caseCounts(raw.cases);
  if (cases) conformance.cases = cases;
  if (typeof raw.edition === "string") conformance.edition = raw.edition;
  const todo = Array.isArray(raw.todo) ? raw.todo.filter(isTodoRow) : [];
  if (todo.length > 0) conformance.todo = todo;
  return conformance;
}

/** A row of the suite's to-do list, as conformance.json has it. */
function isTodoRow(value: unknown): value is TodoRow {
  return (
    isObject(value) &&
    typeof value.field === "string" &&
    typeof value.value === "string" &&
    Array.isArray(value.cases) &&
    Array.isArray(value.untested)
  );
}

type Counts = { passed: number; failed: number; skipped: number };
const CATALOG = new Map(CLAUSES.map((c) => [c.id, c]));

/** The suite's model keeps per-case results with findings per clause; counts them per clause. */
function countsFromResults(raw: Json): Map<string, Counts> {
  const fromResults = new Map<string, Counts>();
  const bump = (clause: string, key: "passed" | "failed" | "skipped") => {
    const entry = fromResults.get(clause) ?? { passed: 0, failed: 0, skipped: 0 };
    entry[key] += 1;
    fromResults.set(clause, entry);
  };
  for (const result of Array.isArray(raw.results) ? raw.results.filter(isObject) : []) {
    const findings = Array.isArray(result.findings) ? result.findings.filter(isObject) : [];
    if (result.verdict === "not-tested" && typeof result.clause === "string") bump(result.clause, "skipped");
    for (const finding of findings) {
      if (typeof finding.clause !== "string") continue;
      if (finding.verdict === "pass") bump(finding.clause, "passed");
      else if (finding.verdict === "fail") bump(finding.clause, "failed");
    }
  }
  return fromResults;
}

/** The typed notes of the suite's model ({kind, text}) of one kind. */
function notesOf(value: Json, kind: string): string[] {
  if (!Array.isArray(value.notes)) return [];
  return value.notes
    .filter((n): n is Json => isObject(n) && n.kind === kind && typeof n.text === "string")
    .map((n) => n.text as string);
}

/** Failure lines of a row: its failure notes and failures, and the message of every failed test. */
function failuresOf(value: Json, list: Json[]): string[] {
  const failures: string[] = notesOf(value, "fail");
  // A plain string note is a failure line of a common test reporter.
  if (Array.isArray(value.notes))
    for (const note of value.notes) if (typeof note === "string") failures.push(note);
  if (Array.isArray(value.failures))
    for (const f of value.failures) failures.push(typeof f === "string" ? f : JSON.stringify(f));
  for (const test of list) {
    const status = String(test.status ?? test.verdict ?? "").toLowerCase();
    if (!status.startsWith("fail")) continue;
    const name = typeof test.name === "string" ? test.name : typeof test.title === "string" ? test.title : "";
    const message =
      typeof test.message === "string" ? test.message : typeof test.failure === "string" ? test.failure : "";
    failures.push([name, message].filter(Boolean).join(": "));
  }
  return failures;
}

/** One clause row from a row of the file (counts from the row, else from the results, else from its tests). */
function clauseRow(
  key: string | undefined,
  value: Json,
  fromResults: Map<string, Counts>,
): ClauseRow | undefined {
  const id = typeof value.id === "string" ? value.id : typeof value.clause === "string" ? value.clause : key;
  if (!id) return undefined;
  const list = Array.isArray(value.tests) ? value.tests.filter(isObject) : [];
  const counted = fromResults.get(id);
  let passed = count(value.passed) || (counted?.passed ?? 0);
  let failed = count(value.failed) || (counted?.failed ?? 0);
  let skipped = count(value.skipped) || (counted?.skipped ?? 0);
  if (list.length > 0 && passed + failed + skipped === 0) {
    for (const test of list) {
      const status = String(test.status ?? test.verdict ?? "").toLowerCase();
      if (status.startsWith("pass")) passed += 1;
      else if (status.startsWith("fail")) failed += 1;
      else skipped += 1;
    }
  }
  const known = CATALOG.get(id);
  const row: ClauseRow = {
    id,
    title: typeof value.title === "string" ? value.title : (known?.title ?? ""),
    verdict: normaliseVerdict(value.verdict ?? value.status, failed, passed),
    passed,
    failed,
    skipped,
    failures: failuresOf(value, list).slice(0, 20),
    known: notesOf(value, "known").slice(0, 20),
    open: notesOf(value, "open").slice(0, 20),
    notTested: notesOf(value, "not-tested").slice(0, 20),
  };
  const kind = typeof value.kind === "string" ? value.kind : known?.kind;
  if (kind) row.kind = kind;
  return row;
}

/** The suite's case counts as the file states them. */
function caseCounts(value: unknown): Conformance["cases"] {
  if (!isObject(value)) return undefined;
  const keys = ["total", "pass", "fail", "open", "notTested"] as const;
  if (!keys.every((k) => typeof value[k] === "number")) return undefined;
  const cases = Object.fromEntries(keys.map((k) => [k, value[k]])) as NonNullable<Conformance["cases"]>;
  if (typeof value.known === "number" && value.known > 0) cases.known = value.known;
  return cases;
}

/** Totals the file states itself (a summary, or the suite's case counts) win over the rows' sums. */
function overrideTotals(raw: Json, tests: Counts): void {
  const summary = isObject(raw.summary) ? raw.summary : isObject(raw.tests) ? raw.tests : undefined;
  if (summary) {
    for (const key of ["passed", "failed", "skipped"] as const) {
      if (typeof summary[key] === "number") tests[key] = summary[key] as number;
    }
  }
  // The suite's model counts cases: {total, pass, fail, open, notTested}.
  if (isObject(raw.cases)) {
    const c = raw.cases;
    if (typeof c.pass === "number") tests.passed = c.pass;
    if (typeof c.fail === "number") tests.failed = c.fail;
    if (typeof c.notTested === "number")
      tests.skipped = c.notTested + (typeof c.open === "number" ? c.open : 0);
  }
}
