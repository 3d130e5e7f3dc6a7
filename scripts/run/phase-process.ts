/**
 * A phase of the main job that runs as its own process (the functional suite, the load run): its script under
 * tsx, in its own process group, with its output masked as ours is, and its exit code.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { redactText } from "../../lib/redact.ts";

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

/** Copies a child's stream to ours, masked; a chunk is cut at its last line break so no secret is split. */
function pipe(from: NodeJS.ReadableStream, to: NodeJS.WriteStream, secrets: readonly string[]): void {
  let carry = "";
  from.setEncoding("utf8");
  from.on("data", (chunk: string) => {
    const text = carry + chunk;
    const cut = Math.max(text.lastIndexOf("\n"), text.lastIndexOf("\r"));
    carry = cut < 0 ? text : text.slice(cut + 1);
    if (cut >= 0) to.write(redactText(text.slice(0, cut + 1), secrets));
    if (carry.length > 4096) {
      to.write(redactText(carry, secrets));
      carry = "";
    }
  });
  from.on("end", () => {
    if (carry) to.write(redactText(carry, secrets));
  });
}

/** Runs a phase's script; resolves with its exit code (null when it could not start or was killed). */
export function runPhaseProcess(
  root: string,
  name: keyof typeof PHASE_SCRIPTS,
  args: string[],
  options: {
    secrets: readonly string[];
    env?: Record<string, string>;
    onChild(child: PhaseProcess | undefined): void;
  },
): Promise<number | null> {
  const child = spawn(
    process.execPath,
    [require.resolve("tsx/cli"), join(root, PHASE_SCRIPTS[name]), ...args],
    {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, so a signal reaches tsx's child (the phase itself) too, even when it arrives
      // before tsx has set up its own signal relay; see signalPhase().
      detached: true,
      env: {
        ...process.env,
        FORCE_COLOR: process.env.FORCE_COLOR ?? (process.stdout.isTTY ? "1" : "0"),
        ...options.env,
      },
    },
  );
  options.onChild(child);
  // NOTE: the children's output passes through the same redaction as ours, a second line of defence.
  if (child.stdout) pipe(child.stdout, process.stdout, options.secrets);
  if (child.stderr) pipe(child.stderr, process.stderr, options.secrets);
  return new Promise((done) => {
    child.on("error", () => done(null));
    child.on("close", (code, signal) => {
      options.onChild(undefined);
      done(signal ? null : code);
    });
  });
}
