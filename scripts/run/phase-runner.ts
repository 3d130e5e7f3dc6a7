/**
 * What the main job's process phases (the suite, the load run) share: marking a phase skipped, running its
 * process with a progress line and recording its result, and the embedded mock's figures for that line.
 */

import { join, relative } from "node:path";
import { type ProgressFigures, startProgress } from "../../lib/progress.ts";
import type { PhaseRecord } from "../../lib/report/page/index.ts";
import { log, type RunContext, type RunTarget } from "./context.ts";
import { type PHASE_SCRIPTS, runPhaseProcess } from "./phase-process.ts";

/** Marks a phase skipped (by a flag, or because the run was interrupted); true when it was. */
export function skipped(ctx: RunContext, name: keyof typeof PHASE_SCRIPTS, skip: boolean): boolean {
  if (!skip && !ctx.interrupted) return false;
  ctx.record.phases.push({ name, status: "skipped", ...(ctx.interrupted ? { note: "interrupted" } : {}) });
  return true;
}

/** Runs one phase's process with a progress line; records its result. */
export async function runPhase(
  ctx: RunContext,
  root: string,
  name: keyof typeof PHASE_SCRIPTS,
  args: string[],
  figures: (() => Promise<ProgressFigures>) | undefined,
): Promise<void> {
  log(`${name}: starting`);
  const started = Date.now();
  const ticker = startProgress(name, {
    everyMs: ctx.flags.progressMs,
    // The suite provokes refusals on purpose (boundaries, bad Guids): they are not failures.
    ...(name === "contract" ? { errorLabel: "refusals (most provoked on purpose)" } : {}),
    ...(figures ? { figures } : {}),
  });
  // The phase's whole output stays in its folder; the console shows it with --verbose, else only its error lines.
  const logFile = join(ctx.runDir, name, "phase.log");
  const { code, tail } = await runPhaseProcess(root, name, args, {
    secrets: ctx.secrets,
    logFile,
    echo: ctx.flags.verbose ? "all" : "errors",
    onChild: (child) => {
      ctx.current = child;
    },
  });
  ticker.stop();
  const entry: PhaseRecord = {
    name,
    status: code === 0 ? "pass" : code === 1 ? "fail" : "error",
    durationMs: Date.now() - started,
  };
  if (code !== null) entry.exitCode = code;
  if (ctx.interrupted) entry.note = "interrupted";
  else if (code === null) entry.note = "the phase's process could not start or was killed";
  else if (code === 2) entry.note = "the phase refused its input (usage or configuration error)";
  ctx.record.phases.push(entry);
  const seconds = ((entry.durationMs ?? 0) / 1000).toFixed(1);
  const where = relative(process.cwd(), logFile) || logFile;
  log(`${name}: ${entry.status} (${seconds} s)${entry.status === "pass" ? "" : `; its output: ${where}`}`);
  if (entry.status === "error" && !ctx.flags.verbose && !ctx.interrupted) {
    for (const line of tail) process.stderr.write(`  | ${line}\n`);
  }
}

/** The embedded mock's figures counted from now (its counters run over both phases). */
export async function fromNow(target: RunTarget): Promise<(() => Promise<ProgressFigures>) | undefined> {
  const figures = target.mockFigures;
  if (!figures) return undefined;
  const base = await figures().catch(() => ({ calls: 0, errors: 0 }));
  return async () => {
    const now = await figures();
    return { calls: now.calls - base.calls, errors: now.errors - base.errors };
  };
}
