/**
 * Collects a run folder into the page's model: run.json from scripts/run.ts, the functional suite's
 * conformance.json, the load run's summary.json and series.json, an optional capacity.json, and every JUnit,
 * HTML and JSON file for the links. Everything read is redacted again, so a slip elsewhere cannot put a secret on the page.
 */
import { readdir, stat } from "node:fs/promises";
import { basename, dirname, join, relative, sep } from "node:path";
import { redact } from "../../redact.ts";
import { type RunFile, RunFileError, type RunFileName, readRunFile } from "../run-files.ts";
import { loadFiguresFromSummary, seriesOf } from "./load-summary.ts";
import type { Link, ReportModel, RunRecord } from "./model.ts";
import { verdictOf } from "./model.ts";

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

/** run.json, or what the folder itself says when it has none (or one of another shape). */
async function readRecord(dir: string, missing: string[]): Promise<RunRecord> {
  try {
    return await readRunFile("run.json", join(dir, "run.json"));
  } catch (error) {
    missing.push(`run.json (written by npm start and npm run load): run details unknown (${whyNot(error)})`);
    return {
      runId: basename(dir),
      startedAt: (await stat(dir)).mtime.toISOString(),
      target: { baseUrl: "unknown", embeddedMock: false },
      phases: [],
    };
  }
}

/** Reads one run file of the folder and checks its shape; a failure is noted in `missing`, never thrown. */
async function readPart<N extends RunFileName>(
  dir: string,
  file: string,
  name: N,
  missing: string[],
): Promise<RunFile<N> | undefined> {
  try {
    return await readRunFile(name, join(dir, file));
  } catch (error) {
    missing.push(`${file}: ${whyNot(error)}`);
    return undefined;
  }
}

/** Why a run file could not be used, in a line. */
function whyNot(error: unknown): string {
  return error instanceof RunFileError ? error.problems.join("; ") : (error as Error).message;
}

type LoadParts = Pick<ReportModel, "load" | "series" | "histogram">;

/** The load run's summary and, beside it, its series. */
async function readLoad(dir: string, files: string[], missing: string[]): Promise<LoadParts> {
  // The shallowest summary is the run's own; a capacity search also leaves one per step in step-<rate>/.
  const depth = (f: string) => f.split("/").length;
  const summaryFile = files.filter((f) => SUMMARY_NAMES.test(f)).sort((a, b) => depth(a) - depth(b))[0];
  if (!summaryFile) return {};
  const summary = await readPart(dir, summaryFile, "summary.json", missing);
  const load = summary && loadFiguresFromSummary(summary);
  const seriesFile = files.find((f) => SERIES_NAMES.test(f) && dirname(f) === dirname(summaryFile));
  if (!seriesFile) {
    if (load) missing.push("series.json: the load run left no series; charts over time are not drawn");
    return load ? { load } : {};
  }
  const file = await readPart(dir, seriesFile, "series.json", missing);
  const charts = file && seriesOf(file, seriesFile, missing);
  return { ...(load ? { load } : {}), ...(charts ?? {}) };
}

/** Reads a run folder into the page's model. Missing parts are listed in `missing`, never thrown. */
export async function readRunDir(dir: string, options: ReadOptions = {}): Promise<ReportModel> {
  const files = await listFiles(dir);
  const missing: string[] = [];
  const run = await readRecord(dir, missing);
  const conformanceFile = files.find((f) => basename(f) === "conformance.json");
  const conformance = conformanceFile && (await readPart(dir, conformanceFile, "conformance.json", missing));
  if (
    !conformanceFile &&
    (run.phases.length === 0 || run.phases.some((p) => p.name === "contract" && p.status !== "skipped"))
  ) {
    // Missing only where the suite was part of the run (or the run is unknown): a load run alone has none.
    missing.push("conformance.json: the functional suite wrote no clause matrix");
  }
  const load = await readLoad(dir, files, missing);
  const capacityFile = files.find((f) => basename(f) === "capacity.json");
  const capacity = capacityFile && (await readPart(dir, capacityFile, "capacity.json", missing));
  const links: Link[] = files
    .filter((f) => f !== "index.html" && /\.(xml|html|json|log)$/.test(f))
    .map((f) => ({ label: linkLabel(f), href: f, kind: linkKind(f) }));
  const partial: Omit<ReportModel, "verdict"> = redact(
    {
      run,
      links,
      missing,
      ...(conformance ? { conformance } : {}),
      ...load,
      ...(capacity ? { capacity } : {}),
    },
    options.secrets ?? [],
  );
  return { ...partial, verdict: verdictOf(partial) };
}
