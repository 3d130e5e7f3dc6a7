/** Runs one of the project's scripts in a child process (`node --import tsx <script>`), as a user would, from the root. */
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout then stderr, for assertion messages. */
  output: string;
}

export function runScript(
  script: string,
  args: string[],
  o: { env?: NodeJS.ProcessEnv } = {},
): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
      cwd: ROOT,
      env: o.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr, output: stdout + stderr }));
  });
}

/** A server the project runs as a child process; it prints {"url": ...} on its first stdout line once it listens. */
export interface ServerProcess {
  url: string;
  child: ChildProcess;
}

/**
 * Starts `node <args>` from the root and waits, at most `timeoutMs`, for the server's first line (its URL). A
 * server that exits or stays silent is an error quoting the end of its stderr; stderr is echoed when asked.
 */
export async function startServerProcess(
  args: string[],
  o: { env?: NodeJS.ProcessEnv; echoStderr?: boolean; timeoutMs?: number } = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: o.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let errors = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    if (o.echoStderr) process.stderr.write(chunk);
    errors = (errors + chunk.toString()).slice(-2000);
  });
  const timeoutMs = o.timeoutMs ?? 20_000;
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${args.join(" ")} did not start within ${timeoutMs / 1000} s: ${errors}`)),
        timeoutMs,
      );
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).once("line", (line) => {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${args.join(" ")} exited with ${code}: ${errors}`));
      });
    });
    return { url, child };
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
}
