/**
 * Collects a run folder into the page's model: run.json from scripts/run.ts, the functional suite's
 * conformance.json, the load run's summary.json and series.json, an optional capacity.json, and every JUnit,
 * HTML and JSON file for the links. Everything read is redacted again, so a slip elsewhere cannot put a secret on the page.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, join, relative, sep } from "node:path";
import { redact } from "../../redact.ts";
import { normaliseConformance } from "./conformance-input.ts";
import { loadFiguresFromSummary, seriesFromFile } from "./load-summary.ts";
import type { CapacityPoint, Conformance, Link, ReportModel, RunRecord } from "./model.ts";
import { verdictOf } from "./model.ts";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Files of a run folder, relative paths with "/" separators, at most `depth` folders deep. */
export async function listFiles(dir: string, depth = 4): Promise<string[]> {
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
  if (path.endsWith(".json")) return "json";
  return "other";
}

function linkLabel(path: string): string {
  const name = basename(path);
  if (name.endsWith(".xml")) return `JUnit: ${path}`;
  if (name.endsWith(".html")) return `HTML: ${path}`;
  if (name.endsWith(".log")) return `log: ${path}`;
  return `raw: ${path}`;
}

/** Options of readRunDir. */
export interface ReadOptions {
  /** Extra secret values to mask (the profile's passwords). */
  secrets?: string[];
}

/** run.json, or what the folder itself says when it has none. */
async function readRecord(dir: string, missing: string[]): Promise<RunRecord> {
  try {
    const run = (await readJson(join(dir, "run.json"))) as RunRecord;
    if (!isObject(run) || !Array.isArray(run.phases)) throw new Error("run.json has no phases");
    return run;
  } catch {
    missing.push("run.json (written by scripts/run.ts): run details unknown");
    return {
      runId: basename(dir),
      startedAt: (await stat(dir)).mtime.toISOString(),
      target: { baseUrl: "unknown", embeddedMock: false },
      phases: [],
    };
  }
}

/** Reads one JSON file of the folder with `read`; a failure is noted in `missing`, never thrown. */
async function readPart<T>(
  dir: string,
  file: string,
  missing: string[],
  read: (raw: unknown) => T,
): Promise<T | undefined> {
  try {
    return read(await readJson(join(dir, file)));
  } catch (error) {
    missing.push(`${file}: ${(error as Error).message}`);
    return undefined;
  }
}

type LoadParts = Pick<ReportModel, "load" | "series" | "histogram">;

/** The load run's summary and, beside it, its series. */
async function readLoad(dir: string, files: string[], missing: string[]): Promise<LoadParts> {
  // The shallowest summary is the run's own; a capacity search also leaves one per step in step-<rate>/.
  const depth = (f: string) => f.split("/").length;
  const summaryFile = files.filter((f) => SUMMARY_NAMES.test(f)).sort((a, b) => depth(a) - depth(b))[0];
  if (!summaryFile) return {};
  const load = await readPart(dir, summaryFile, missing, loadFiguresFromSummary);
  const seriesFile = files.find((f) => SERIES_NAMES.test(f) && dirname(f) === dirname(summaryFile));
  if (!seriesFile) {
    if (load) missing.push("series.json: the load run left no series; charts over time are not drawn");
    return load ? { load } : {};
  }
  const charts = await readPart(dir, seriesFile, missing, seriesFromFile);
  return { ...(load ? { load } : {}), ...(charts ?? {}) };
}

/** The search's method as capacity.json states it (RFC 7502: trial duration, loss criterion). */
function isMethod(value: unknown): value is { standard: string; trialS: number; criterion: string } {
  return (
    isObject(value) &&
    typeof value.standard === "string" &&
    typeof value.trialS === "number" &&
    typeof value.criterion === "string"
  );
}

/** The capacity search's curve and its answer. */
async function readCapacity(dir: string, files: string[], missing: string[]) {
  const capacityFile = files.find((f) => basename(f) === "capacity.json");
  if (!capacityFile) return {};
  const parts = await readPart(dir, capacityFile, missing, (raw) => {
    const capacity = normaliseCapacity(raw);
    const result =
      isObject(raw) && (typeof raw.sustainable === "number" || typeof raw.firstFailing === "number")
        ? {
            ...(typeof raw.sustainable === "number" ? { sustainable: raw.sustainable } : {}),
            ...(typeof raw.firstFailing === "number" ? { firstFailing: raw.firstFailing } : {}),
            ...(isMethod(raw.method) ? { method: raw.method } : {}),
          }
        : undefined;
    return { ...(capacity ? { capacity } : {}), ...(result ? { capacityResult: result } : {}) };
  });
  return parts ?? {};
}

/** Reads a run folder into the page's model. Missing parts are listed in `missing`, never thrown. */
export async function readRunDir(dir: string, options: ReadOptions = {}): Promise<ReportModel> {
  const files = await listFiles(dir);
  const missing: string[] = [];
  const run = await readRecord(dir, missing);
  let conformance: Conformance | undefined;
  const conformanceFile = files.find((f) => basename(f) === "conformance.json");
  if (conformanceFile) {
    conformance = await readPart(dir, conformanceFile, missing, (raw) => {
      const read = normaliseConformance(raw);
      if (!read) throw new Error("no clause matrix found in it");
      return read;
    });
  } else if (
    run.phases.length === 0 ||
    run.phases.some((p) => p.name === "contract" && p.status !== "skipped")
  ) {
    // Missing only where the suite was part of the run (or the run is unknown): a load run alone has none.
    missing.push("conformance.json: the functional suite wrote no clause matrix");
  }
  const load = await readLoad(dir, files, missing);
  const capacity = await readCapacity(dir, files, missing);
  const links: Link[] = files
    .filter((f) => f !== "index.html" && /\.(xml|html|json|log)$/.test(f))
    .map((f) => ({ label: linkLabel(f), href: f, kind: linkKind(f) }));
  const partial: Omit<ReportModel, "verdict"> = redact(
    { run, links, missing, ...(conformance ? { conformance } : {}), ...load, ...capacity },
    options.secrets ?? [],
  );
  return { ...partial, verdict: verdictOf(partial) };
}
