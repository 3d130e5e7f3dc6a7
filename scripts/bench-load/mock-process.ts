/**
 * The embedded mock in its own process for the load benchmark, so the load generator's CPU and memory are
 * measured apart from the gateway's, and a stall is real (the process is stopped, every socket goes quiet).
 * Its agents and numbers come from a target profile written here; the password stays in the environment.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { startServerProcess } from "../../lib/script-process.ts";
import type { TargetProfile } from "../../lib/target-profile.ts";
import type { FaultConfig } from "../../mock/index.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const PASSWORD_ENV = "CCGW_BENCH_PASSWORD";

export interface MockProcess {
  /** The profile that reaches this mock (agents 1001.., one answered number), its password from the env. */
  profile: TargetProfile;
  pid: number;
  /** How long the mock holds a poll with nothing to answer, ms (plans set their poll timeout above it). */
  pollWaitMs: number;
  /** CPU time the mock process has used so far, ms. */
  cpuMs(): number;
  /** Stops the process for `ms` (SIGSTOP, then SIGCONT): a gateway that stalls. */
  stall(ms: number): Promise<void>;
  close(): Promise<void>;
}

export interface MockProcessOptions {
  agents: number;
  /** Where the profile and the fault file go. */
  dir: string;
  faults?: FaultConfig;
  pollWaitMs?: number;
  timing?: "fast" | "brisk";
  /** The mock's capacity model: callouts per second beyond which it refuses, and its burst. */
  capacity?: { maxCallsPerSecond: number; burstSeconds: number };
}

/** utime + stime of a process from /proc/<pid>/stat, ms (clock ticks of 10 ms on Linux). */
export function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10;
  } catch {
    return 0;
  }
}

/** Starts `npm run mock` (plain HTTP) with the agents and faults asked for; resolves once it listens. */
export async function startMockProcess(options: MockProcessOptions): Promise<MockProcess> {
  process.env[PASSWORD_ENV] ??= randomBytes(9).toString("base64url");
  const base = {
    name: "bench mock",
    baseUrl: "http://127.0.0.1:1",
    called: [{ number: "4000001", outcome: "answered" }],
    agentRange: { from: 1001, count: options.agents, password: `\${${PASSWORD_ENV}}`, phoneFrom: 700001 },
  };
  const profileFile = join(options.dir, "mock-profile.json");
  await writeFile(profileFile, JSON.stringify(base));
  const args = ["--import", "tsx", join(ROOT, "scripts/mock.ts"), "--http", "--target", profileFile];
  args.push("--timing", options.timing ?? "fast", "--seed", "1");
  if (options.pollWaitMs !== undefined) args.push("--poll-wait-ms", String(options.pollWaitMs));
  if (options.capacity) {
    args.push("--max-calls-per-second", String(options.capacity.maxCallsPerSecond));
    args.push("--burst-seconds", String(options.capacity.burstSeconds));
  }
  if (options.faults) {
    const faultFile = join(options.dir, "faults.json");
    await writeFile(faultFile, JSON.stringify(options.faults));
    args.push("--faults", faultFile);
  }
  // tsx resolves from the project's root, wherever the benchmark was started (the helper runs from there).
  const { url, child } = await startServerProcess(["--max-old-space-size=8192", ...args]);
  // Should this process die without closing the mock (a crash), the mock goes with it.
  const orphan = () => child.kill("SIGKILL");
  process.once("exit", orphan);
  child.once("exit", () => process.off("exit", orphan));
  const pid = child.pid ?? 0;
  const resolved = {
    ...base,
    baseUrl: url,
    agentRange: { ...base.agentRange, password: process.env[PASSWORD_ENV] ?? "" },
  } as TargetProfile;
  return {
    profile: resolved,
    pid,
    pollWaitMs: options.pollWaitMs ?? 10_000,
    cpuMs: () => processCpuMs(pid),
    stall: async (ms) => {
      child.kill("SIGSTOP");
      await new Promise((r) => setTimeout(r, ms));
      child.kill("SIGCONT");
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGCONT");
        child.kill("SIGTERM");
      }),
  };
}
