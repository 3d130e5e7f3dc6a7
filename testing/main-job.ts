/**
 * The main job (`npm start`, scripts/run.ts) as its tests run it: a child process with its output collected and
 * no colour variables (output to a pipe must come without ANSI codes by itself), profiles written to files,
 * and what a gateway left signed in.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunningGateway } from "../mock/index.ts";

const ROOT = join(import.meta.dirname, "..");

export interface MainJobResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the main job with `args`; `done` resolves when it exits. */
export function startMainJob(args: string[]): {
  child: ChildProcess;
  done: Promise<MainJobResult>;
  output: () => string;
} {
  const { FORCE_COLOR: _force, NO_COLOR: _none, ...env } = process.env;
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/run.ts", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env,
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<MainJobResult>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, output: () => stdout + stderr };
}

/** Runs the main job to its end. */
export function runMainJob(args: string[]): Promise<MainJobResult> {
  return startMainJob(args).done;
}

let written = 0;
/** Writes a target profile into `dir` (readable by this user only); returns its path. */
export async function profileFile(dir: string, profile: unknown): Promise<string> {
  written += 1;
  const path = join(dir, `profile-${written}.json`);
  await writeFile(path, JSON.stringify(profile), { mode: 0o600 });
  return path;
}

/** Every file under `dir`. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Agents a mock gateway has signed in. */
export async function signedIn(gw: RunningGateway): Promise<number> {
  return ((await gw.admin("/stats")) as { agentsSignedIn: number }).agentsSignedIn;
}
