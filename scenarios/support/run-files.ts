/**
 * The files of a suite run: the run configuration handed from globalSetup to the workers, the results file each
 * worker appends to, and the file of agents signed in (ids only) used for cleanup.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { BaselineEntry } from "../../lib/baseline.ts";
import type { CaseResult } from "../../lib/report/conformance.ts";
import { DEFAULT_EVENT_DEADLINES, type TargetProfile } from "../../lib/target-profile.ts";
import type { SignInTracker } from "./sign-ins.ts";
import type { Deadlines } from "./target.ts";

/** What globalSetup provides to every test file (JSON only; passwords never touch the disk). */
export interface SuiteConfig {
  profile: TargetProfile;
  seed: number;
  runDir: string;
  deadlines: Deadlines;
  /** Agents signed in for parallel cases. */
  poolSize: number;
  /** Defects switched on in the embedded mock, for the report. */
  defects: string[];
  /** Known failures (CCGW_BASELINE) and the day (UTC) their expiry dates are judged by: the run's first. */
  baseline?: { file: string; entries: BaselineEntry[]; day: string };
}

/**
 * Deadlines for the embedded mock (its suite options: fast events, a 1 s poll wait, Guid rotation in seconds)
 * and for a real gateway (event deadlines from lib/target-profile's defaults unless the profile sets them).
 */
export const MOCK_DEADLINES: Deadlines = {
  // The mock shares the test process: on a starved machine its own timers fire late, so its events get room.
  setupMs: 3_000,
  promptMs: 2_000,
  rotationMs: 10_000,
  requestMs: 5_000,
  leaseMs: 120_000,
  pollPauseMs: 200,
  watchdogMs: 240_000,
};
export const TARGET_DEADLINES: Deadlines = {
  ...DEFAULT_EVENT_DEADLINES,
  rotationMs: 150_000,
  requestMs: 30_000,
  leaseMs: 30 * 60_000,
  pollPauseMs: 200,
  watchdogMs: 60 * 60_000,
};

export function rawDir(runDir: string): string {
  return join(runDir, "raw");
}

/** Appends sign-in and sign-out lines (agent ids only) for the cleanup in globalSetup's teardown. */
export function fileTracker(runDir: string): SignInTracker {
  const file = join(rawDir(runDir), "agents.jsonl");
  mkdirSync(rawDir(runDir), { recursive: true });
  return {
    signedIn: (id) => appendFileSync(file, `${JSON.stringify({ id, in: true })}\n`),
    signedOut: (id) => appendFileSync(file, `${JSON.stringify({ id, in: false })}\n`),
  };
}

/** Agents whose last line says signed in. */
export function stillSignedIn(runDir: string): string[] {
  const file = join(rawDir(runDir), "agents.jsonl");
  if (!existsSync(file)) return [];
  const state = new Map<string, boolean>();
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const entry = JSON.parse(line) as { id: string; in: boolean };
    state.set(entry.id, entry.in);
  }
  return [...state].filter(([, on]) => on).map(([id]) => id);
}

/** Appends one case result to the run's results file. */
export function recordResult(runDir: string, result: CaseResult): void {
  mkdirSync(rawDir(runDir), { recursive: true });
  appendFileSync(join(rawDir(runDir), "results.jsonl"), `${JSON.stringify(result)}\n`);
}

export function readResults(runDir: string): CaseResult[] {
  const file = join(rawDir(runDir), "results.jsonl");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as CaseResult);
}
