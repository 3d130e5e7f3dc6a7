/**
 * What the phases of the main job share: the flags, the run's folder and record, the secrets to mask, Ctrl-C,
 * and one teardown path. A phase registers what it must undo (`onTeardown`); `finish` writes the record and the
 * report, then tears down in reverse order, whatever happened before.
 */
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { EXIT, HarnessError } from "../../lib/errors.ts";
import { redactText } from "../../lib/redact.ts";
import { formatSummary, type RunRecord, writeReport } from "../../lib/report/page/index.ts";
import { writeRunFile } from "../../lib/report/run-files.ts";
import type { TargetProfile } from "../../lib/target-profile.ts";
import { type PhaseProcess, signalPhase } from "./phase-process.ts";

/** Flags of the main job. */
export interface RunFlags {
  target?: string;
  reportDir?: string;
  runId?: string;
  loadProfile: string;
  skipContract?: boolean;
  skipLoad?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  seed?: number;
  mockTiming?: "brisk" | "fast" | "realistic";
  timeoutMs: number;
  progressMs: number;
  loadDuration?: number;
  /** Show the phases' own output (the suite's case listing) on the console, not only in their log files. */
  verbose?: boolean;
  /** Known failures for the functional suite (npm run contract --baseline). */
  baseline?: string;
}

/** The gateway a run talks to: its profile and the profile file the phases' processes are given. */
export interface RunTarget {
  profile: TargetProfile;
  profilePath: string;
  /** Progress figures of the embedded mock (calls started, callouts refused), when it is the target. */
  mockFigures?: () => Promise<{ calls: number; errors: number }>;
}

/** A run id: UTC time plus 4 random hex digits, sortable and unique enough for one machine. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${stamp}-${randomBytes(2).toString("hex")}`;
}

export function log(line: string): void {
  process.stderr.write(`[ccgw] ${line}\n`);
}

export class RunContext {
  readonly flags: RunFlags;
  readonly runId: string;
  readonly runDir: string;
  readonly record: RunRecord;
  secrets: string[] = [];
  interrupted = false;
  /** The phase process running now, for Ctrl-C. */
  current: PhaseProcess | undefined;
  private readonly teardowns: (() => Promise<unknown> | unknown)[] = [];
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    if (this.interrupted) {
      signalPhase(this.current, "SIGKILL");
      return;
    }
    this.interrupted = true;
    log(`${signal}: stopping the current phase, then signing agents out`);
    signalPhase(this.current, "SIGINT");
  };

  constructor(flags: RunFlags, root: string) {
    this.flags = flags;
    this.runId = flags.runId ?? newRunId();
    this.runDir = resolve(flags.reportDir ?? join(root, "reports", this.runId));
    this.record = {
      runId: this.runId,
      startedAt: new Date().toISOString(),
      target: {
        baseUrl: flags.target ? `(not read: ${flags.target})` : "embedded mock",
        embeddedMock: !flags.target,
      },
      loadProfile: flags.loadProfile,
      phases: [],
      notes: [],
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    };
    process.on("SIGINT", this.onSignal);
    process.on("SIGTERM", this.onSignal);
    this.onTeardown(() => {
      process.off("SIGINT", this.onSignal);
      process.off("SIGTERM", this.onSignal);
    });
  }

  /** Opens the run's folder (a dry run writes nothing). */
  async open(): Promise<void> {
    if (!this.flags.dryRun) await mkdir(this.runDir, { recursive: true });
  }

  /** Something to undo when the run ends, in reverse order of registration. */
  onTeardown(step: () => Promise<unknown> | unknown): void {
    this.teardowns.push(step);
  }

  /** The one teardown path: every registered step, last first; a failing step does not stop the others. */
  async teardown(): Promise<void> {
    for (const step of this.teardowns.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        log(`teardown: ${(error as Error).message}`);
      }
    }
  }

  /** The error line of a failure (with its CCGW_ code), recorded against the phase it stopped. */
  failure(error: unknown, phase: string): HarnessError {
    const harness =
      error instanceof HarnessError ? error : new HarnessError("CCGW_USAGE", (error as Error).message);
    process.stderr.write(`ccgw: ${redactText(harness.toLine(), this.secrets)}\n`);
    this.record.failure = { code: harness.code, message: harness.message };
    this.record.phases.push({ name: phase, status: "error", note: harness.code });
    return harness;
  }

  /** Writes run.json and the report page, prints the summary, tears down; resolves with the exit code. */
  async finish(): Promise<number> {
    try {
      if (this.interrupted)
        this.record.failure ??= { code: "INTERRUPTED", message: "the run was interrupted (Ctrl-C)" };
      this.record.finishedAt = new Date().toISOString();
      if (this.record.notes?.length === 0) delete this.record.notes;
      await writeRunFile("run.json", join(this.runDir, "run.json"), this.record);
      const { model, page } = await writeReport(this.runDir, { secrets: this.secrets });
      const shown = relative(process.cwd(), page) || page;
      process.stdout.write(
        `${redactText(formatSummary(model, shown.startsWith("..") ? page : shown), this.secrets)}\n`,
      );
      if (this.interrupted) return EXIT.INTERRUPTED;
      if (model.verdict === "pass") return EXIT.PASS;
      // A profile, plan or preflight failure is a configuration matter (2); a failed clause, threshold or phase is 1.
      return this.record.failure ? EXIT.USAGE : EXIT.FAIL;
    } finally {
      await this.teardown();
    }
  }
}
