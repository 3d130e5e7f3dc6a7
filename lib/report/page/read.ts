/**
 * Collects a run folder into the page's model: run.json from scripts/run.ts, the functional suite's
 * conformance.json, the load run's summary.json and series.json, an optional capacity.json, and every JUnit, HTML and JSON file
 * for the links. Everything read is redacted again, so a slip elsewhere cannot put a secret on the page.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, join, relative, sep } from "node:path";
import { CLAUSES } from "../../../contracts/index.ts";
import { redact } from "../../redact.ts";
import { loadFiguresFromSummary, seriesFromFile } from "./load-summary.ts";
import type { CapacityPoint, ClauseRow, Conformance, Link, ReportModel, RunRecord } from "./model.ts";
import { verdictOf } from "./model.ts";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Files of a run folder, relative paths with "/" separators, at most `depth` folders deep. */
async function listFiles(dir: string, depth = 4): Promise<string[]> {
  const out: string[] = [];
  const walk = async (current: string, level: number): Promise<void> => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) {
        if (level < depth) await walk(full, level + 1);
      } else if (entry.isFile()) {
        out.push(relative(dir, full).split(sep).join("/"));
      }
    }
  };
  await walk(dir, 0);
  return out.sort();
}

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, "utf8"));
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
  const catalog = new Map(CLAUSES.map((c) => [c.id, c]));
  // The suite's model keeps per-case results with findings per clause; count them per clause.
  const fromResults = new Map<string, { passed: number; failed: number; skipped: number }>();
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
  const clauses: ClauseRow[] = [];
  const tests = { passed: 0, failed: 0, skipped: 0 };
  for (const [key, value] of entries) {
    if (!isObject(value)) continue;
    const id =
      typeof value.id === "string" ? value.id : typeof value.clause === "string" ? value.clause : key;
    if (!id) continue;
    const list = Array.isArray(value.tests) ? value.tests.filter(isObject) : [];
    const counted = fromResults.get(id);
    let passed = count(value.passed) || (counted?.passed ?? 0);
    let failed = count(value.failed) || (counted?.failed ?? 0);
    let skipped = count(value.skipped) || (counted?.skipped ?? 0);
    const failures: string[] = [];
    if (Array.isArray(value.notes))
      for (const note of value.notes) if (typeof note === "string") failures.push(note);
    if (Array.isArray(value.failures))
      for (const f of value.failures) failures.push(typeof f === "string" ? f : JSON.stringify(f));
    if (list.length > 0 && passed + failed + skipped === 0) {
      for (const test of list) {
        const status = String(test.status ?? test.verdict ?? "").toLowerCase();
        if (status.startsWith("pass")) passed += 1;
        else if (status.startsWith("fail")) failed += 1;
        else skipped += 1;
      }
    }
    for (const test of list) {
      const status = String(test.status ?? test.verdict ?? "").toLowerCase();
      if (!status.startsWith("fail")) continue;
      const name =
        typeof test.name === "string" ? test.name : typeof test.title === "string" ? test.title : "";
      const message =
        typeof test.message === "string"
          ? test.message
          : typeof test.failure === "string"
            ? test.failure
            : "";
      failures.push([name, message].filter(Boolean).join(": "));
    }
    const known = catalog.get(id);
    const title = typeof value.title === "string" ? value.title : (known?.title ?? "");
    const row: ClauseRow = {
      id,
      title,
      verdict: normaliseVerdict(value.verdict ?? value.status, failed, passed),
      passed,
      failed,
      skipped,
      failures: failures.slice(0, 20),
    };
    const kind = typeof value.kind === "string" ? value.kind : known?.kind;
    if (kind) row.kind = kind;
    clauses.push(row);
    tests.passed += passed;
    tests.failed += failed;
    tests.skipped += skipped;
  }
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
  const conformance: Conformance = { clauses, tests };
  if (typeof raw.edition === "string") conformance.edition = raw.edition;
  return conformance;
}

function normaliseCapacity(raw: unknown): CapacityPoint[] | undefined {
  const list = Array.isArray(raw) ? raw : isObject(raw) ? (raw.curve ?? raw.points ?? raw.steps) : undefined;
  if (!Array.isArray(list)) return undefined;
  const points: CapacityPoint[] = [];
  for (const item of list) {
    if (!isObject(item)) continue;
    const rate = item.rate ?? item.offeredRate ?? item.target;
    if (typeof rate !== "number") continue;
    const point: CapacityPoint = { rate };
    const achieved = item.achievedRate ?? item.achieved;
    if (typeof achieved === "number") point.achievedRate = achieved;
    const p95 = item.setupP95Ms ?? item.p95Ms ?? item.p95 ?? item.calloutP95Ms;
    if (typeof p95 === "number") point.p95Ms = p95;
    const errorRate = item.errorRate ?? item.errors;
    if (typeof errorRate === "number") point.errorRate = errorRate;
    points.push(point);
  }
  return points.length > 0 ? points.sort((a, b) => a.rate - b.rate) : undefined;
}

const SUMMARY_NAMES = /(^|\/)summary\.json$/;
const SERIES_NAMES = /(^|\/)series\.json$/;

function linkKind(path: string): Link["kind"] {
  if (path.endsWith(".xml")) return "junit";
  if (path.endsWith(".html")) return "html";
  if (path.endsWith(".json") || path.endsWith(".ndjson") || path.endsWith(".gz")) return "json";
  return "other";
}

function linkLabel(path: string): string {
  const name = basename(path);
  if (name.endsWith(".xml")) return `JUnit: ${path}`;
  if (/dashboard|report\.html/.test(path)) return `load report: ${path}`;
  if (name.endsWith(".html")) return `HTML: ${path}`;
  return `raw: ${path}`;
}

/** Options of readRunDir. */
export interface ReadOptions {
  /** Extra secret values to mask (the profile's passwords). */
  secrets?: string[];
}

/** Reads a run folder into the page's model. Missing parts are listed in `missing`, never thrown. */
export async function readRunDir(dir: string, options: ReadOptions = {}): Promise<ReportModel> {
  const secrets = options.secrets ?? [];
  const files = await listFiles(dir);
  const missing: string[] = [];
  let run: RunRecord;
  try {
    run = (await readJson(join(dir, "run.json"))) as RunRecord;
    if (!isObject(run) || !Array.isArray(run.phases)) throw new Error("run.json has no phases");
  } catch {
    run = {
      runId: basename(dir),
      startedAt: (await stat(dir)).mtime.toISOString(),
      target: { baseUrl: "unknown", embeddedMock: false },
      phases: [],
    };
    missing.push("run.json (written by scripts/run.ts): run details unknown");
  }

  let conformance: Conformance | undefined;
  const conformanceFile = files.find((f) => basename(f) === "conformance.json");
  if (conformanceFile) {
    try {
      conformance = normaliseConformance(await readJson(join(dir, conformanceFile)));
      if (!conformance) missing.push(`${conformanceFile}: no clause matrix found in it`);
    } catch (error) {
      missing.push(`${conformanceFile}: ${(error as Error).message}`);
    }
  } else if (!run.phases.some((p) => p.name === "contract" && p.status === "skipped")) {
    missing.push("conformance.json: the functional suite wrote no clause matrix");
  }

  let load: ReportModel["load"];
  // The shallowest summary is the run's own; a capacity search also leaves one per step in step-<rate>/.
  const depth = (f: string) => f.split("/").length;
  const summaryFile = files.filter((f) => SUMMARY_NAMES.test(f)).sort((a, b) => depth(a) - depth(b))[0];
  if (summaryFile) {
    try {
      load = loadFiguresFromSummary(await readJson(join(dir, summaryFile)));
    } catch (error) {
      missing.push(`${summaryFile}: ${(error as Error).message}`);
    }
  }
  let series: ReportModel["series"];
  let histogram: ReportModel["histogram"];
  // The run's own series sits beside its summary (a capacity search's steps leave theirs deeper down).
  const seriesFile = files.find(
    (f) => SERIES_NAMES.test(f) && summaryFile !== undefined && dirname(f) === dirname(summaryFile),
  );
  if (seriesFile) {
    try {
      ({ series, histogram } = seriesFromFile(await readJson(join(dir, seriesFile))));
    } catch (error) {
      missing.push(`${seriesFile}: ${(error as Error).message}`);
    }
  } else if (load) {
    missing.push("series.json: the load run left no series; charts over time are not drawn");
  }
  let capacity: CapacityPoint[] | undefined;
  let capacityResult: ReportModel["capacityResult"];
  const capacityFile = files.find((f) => basename(f) === "capacity.json");
  if (capacityFile) {
    try {
      const raw = await readJson(join(dir, capacityFile));
      capacity = normaliseCapacity(raw);
      if (isObject(raw) && (typeof raw.sustainable === "number" || typeof raw.firstFailing === "number")) {
        capacityResult = {
          ...(typeof raw.sustainable === "number" ? { sustainable: raw.sustainable } : {}),
          ...(typeof raw.firstFailing === "number" ? { firstFailing: raw.firstFailing } : {}),
        };
      }
    } catch (error) {
      missing.push(`${capacityFile}: ${(error as Error).message}`);
    }
  }

  const links: Link[] = files
    .filter((f) => f !== "index.html" && /\.(xml|html|json|ndjson|gz)$/.test(f))
    .map((f) => ({ label: linkLabel(f), href: f, kind: linkKind(f) }));

  const partial: Omit<ReportModel, "verdict"> = redact(
    {
      run,
      links,
      missing,
      ...(conformance ? { conformance } : {}),
      ...(load ? { load } : {}),
      ...(series ? { series } : {}),
      ...(histogram ? { histogram } : {}),
      ...(capacity ? { capacity } : {}),
      ...(capacityResult ? { capacityResult } : {}),
    },
    secrets,
  );
  return { ...partial, verdict: verdictOf(partial) };
}
