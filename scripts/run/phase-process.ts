/**
 * A phase of the main job that runs as its own process (the functional suite, the load run): its script under
 * tsx, in its own process group, with its output masked as ours is and kept whole in the phase's log file, and its
 * exit code. The console gets all of it (--verbose) or only its error and warning lines.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { redactText } from "../../lib/redact.ts";
import { colourEnv } from "../cli-colour.ts";

export type PhaseProcess = ChildProcess;

const require = createRequire(import.meta.url);

/** The phases' scripts; each takes --target and --report-dir. */
export const PHASE_SCRIPTS = { contract: "scripts/contract.ts", load: "scripts/load.ts" } as const;

/** Sends a signal to a phase's whole process group (tsx and the script it runs). */
export function signalPhase(child: PhaseProcess | undefined, signal: NodeJS.Signals): void {
  if (!child?.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** What of a phase's output reaches the console: all of it, or only its error and warning lines. */
export type Echo = "all" | "errors";

/** A line a quiet console still shows: a harness error ("CCGW_CODE: message") or a warning. */
const ERROR_LINE = /\bCCGW_[A-Z0-9_]+:|\bWARNING\b/;

/** Where a phase's output goes: the log file (all of it) and the console (all, or error lines only). */
class PhaseOutput {
  private readonly log: WriteStream | undefined;
  private readonly echo: Echo;
  private readonly secrets: readonly string[];
  /** The last lines, for a phase that ends in an error. */
  readonly tail: string[] = [];

  constructor(logFile: string | undefined, echo: Echo, secrets: readonly string[]) {
    this.echo = echo;
    this.secrets = secrets;
    if (logFile) {
      mkdirSync(dirname(logFile), { recursive: true });
      this.log = createWriteStream(logFile, { flags: "a", mode: 0o600 });
    }
  }

  /** Masked text, whole lines unless the stream ended or a line grew too long. */
  write(text: string, to: NodeJS.WriteStream): void {
    const masked = redactText(text, this.secrets);
    this.log?.write(masked);
    const lines = masked.split(/\r?\n|\r/).filter((line) => line.length > 0);
    this.tail.push(...lines);
    this.tail.splice(0, Math.max(0, this.tail.length - 20));
    if (this.echo === "all") to.write(masked);
    else for (const line of lines) if (ERROR_LINE.test(line)) to.write(`${line}\n`);
  }

  close(): Promise<void> {
    return new Promise((done) => (this.log ? this.log.end(done) : done()));
  }
}

/** Copies a child's stream to `out`; a chunk is cut at its last line break so no secret is split. */
function pipe(from: NodeJS.ReadableStream, to: NodeJS.WriteStream, out: PhaseOutput): Promise<void> {
  let carry = "";
  from.setEncoding("utf8");
  from.on("data", (chunk: string) => {
    const text = carry + chunk;
    const cut = Math.max(text.lastIndexOf("\n"), text.lastIndexOf("\r"));
    carry = cut < 0 ? text : text.slice(cut + 1);
    if (cut >= 0) out.write(text.slice(0, cut + 1), to);
    if (carry.length > 4096) {
      out.write(carry, to);
      carry = "";
    }
  });
  return new Promise((done) => {
    from.on("close", done);
    from.on("end", () => {
      if (carry) out.write(carry, to);
      done();
    });
  });
}

/** A phase's end: its exit code (null when it could not start or was killed) and its last output lines. */
export interface PhaseEnd {
  code: number | null;
  tail: string[];
}

/** Runs a phase's script; resolves when it has ended and its output is written. */
export async function runPhaseProcess(
  root: string,
  name: keyof typeof PHASE_SCRIPTS,
  args: string[],
  options: {
    secrets: readonly string[];
    env?: Record<string, string>;
    /** The file that keeps the phase's whole output (masked). */
    logFile?: string;
    /** What reaches the console (default: all). */
    echo?: Echo;
    onChild(child: PhaseProcess | undefined): void;
  },
): Promise<PhaseEnd> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...colourEnv(process.env, process.stdout.isTTY === true),
    ...options.env,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const out = new PhaseOutput(options.logFile, options.echo ?? "all", options.secrets);
  const child = spawn(
    process.execPath,
    [require.resolve("tsx/cli"), join(root, PHASE_SCRIPTS[name]), ...args],
    {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, so a signal reaches tsx's child (the phase itself) too, even when it arrives
      // before tsx has set up its own signal relay; see signalPhase().
      detached: true,
      env,
    },
  );
  options.onChild(child);
  // NOTE: the children's output passes through the same redaction as ours, a second line of defence.
  const piped = [
    child.stdout ? pipe(child.stdout, process.stdout, out) : undefined,
    child.stderr ? pipe(child.stderr, process.stderr, out) : undefined,
  ];
  const code = await new Promise<number | null>((done) => {
    child.on("error", () => done(null));
    child.on("close", (exit, signal) => {
      options.onChild(undefined);
      done(signal ? null : exit);
    });
  });
  await Promise.all(piped);
  await out.close();
  return { code, tail: out.tail };
}
