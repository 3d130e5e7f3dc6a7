/**
 * Whole runs of the main job (scripts/run.ts as a process) against the mock: no secret in any output, one call
 * budget for the suite and the load phase, and no agent left signed in after Ctrl-C in either phase.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_EDITION } from "../contracts/index.ts";
import { CallLedger } from "../lib/call-ledger.ts";
import type { TargetProfile } from "../lib/target-profile.ts";
import { mockProfile, type RunningGateway, startGateway } from "../mock/index.ts";
import { suiteMockOptions } from "../scenarios/setup/suite-mock.ts";
import { filesUnder, profileFile, runMainJob, signedIn, startMainJob } from "../testing/main-job.ts";

const GUID_SHAPE = /[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}/;

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ccgw-run-load-test-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/**
 * Ctrl-C once the gateway has an agent of the job signed in (within a minute): the job exits 130, every agent is
 * signed out, and the page says it was interrupted.
 */
async function interruptOnceSignedIn(
  job: ReturnType<typeof startMainJob>,
  target: RunningGateway,
  dir: string,
): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await signedIn(target)) === 0) {
    if (Date.now() > deadline) throw new Error(`no agent signed in within 60 s:\n${job.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  job.child.kill("SIGINT");
  const result = await job.done;
  expect(result.code).toBe(130);
  expect(await signedIn(target)).toBe(0);
  expect(readFileSync(join(dir, "index.html"), "utf8")).toContain("interrupted");
}

describe("the main job with its load phase", () => {
  it.concurrent("leaves no password and no Guid in any output file, stdout or stderr", {
    timeout: 120_000,
  }, async () => {
    // The functional suite's mock settings (200 ms long poll), so its cases settle quickly.
    const target = await startGateway({
      ...suiteMockOptions(DEFAULT_EDITION, "dynamic", 1, []),
      quiet: true,
    });
    try {
      const profile: TargetProfile = mockProfile(target);
      const password = profile.agentRange?.password ?? "";
      expect(password.length).toBeGreaterThan(3);
      const dir = join(work, "secrets");
      const args = [
        "--target",
        await profileFile(work, profile),
        "--report-dir",
        dir,
        "--load-duration",
        "4",
      ];
      const result = await runMainJob(args);
      expect([0, 1]).toContain(result.code);
      const outputs: [string, string][] = [
        ["stdout", result.stdout],
        ["stderr", result.stderr],
      ];
      for (const file of filesUnder(dir)) {
        const raw = readFileSync(file);
        outputs.push([file, file.endsWith(".gz") ? gunzipSync(raw).toString("utf8") : raw.toString("utf8")]);
      }
      expect(outputs.map(([name]) => name).some((n) => n.endsWith("summary.json"))).toBe(true);
      expect(outputs.map(([name]) => name).some((n) => n.endsWith("conformance.json"))).toBe(true);
      for (const [name, text] of outputs) {
        expect(text.includes(password), `${name} contains the agents' password`).toBe(false);
        expect(GUID_SHAPE.test(text), `${name} contains a Guid-shaped string`).toBe(false);
      }
      // A quiet console: no colour codes into a pipe, one summary block, the case listing only in the log file.
      expect(result.stdout + result.stderr).not.toContain("\u001b[");
      expect(result.stdout.match(/^verdict: /gm)).toHaveLength(1);
      expect(result.stdout + result.stderr).not.toMatch(/\[callout\//);
      const suiteLog = readFileSync(join(dir, "contract", "phase.log"), "utf8");
      expect(suiteLog).toMatch(/\[callout\//);
      expect(suiteLog).not.toContain("\u001b[");
      expect(readFileSync(join(dir, "load", "phase.log"), "utf8")).not.toMatch(/^verdict: /m);
      expect(await signedIn(target)).toBe(0);
    } finally {
      await target.close();
    }
  });

  it.concurrent("keeps one maxTotalCalls for the whole run: the load phase gets what the suite left", async () => {
    const target = await startGateway({
      ...suiteMockOptions(DEFAULT_EDITION, "dynamic", 1, []),
      quiet: true,
    });
    try {
      const dir = join(work, "budget-run");
      // 30 calls: the load plan alone (8) fits, but not after the suite's callouts.
      const profile = { ...mockProfile(target), maxTotalCalls: 30 };
      const result = await runMainJob([
        "--target",
        await profileFile(work, profile),
        "--report-dir",
        dir,
        "--load-duration",
        "4",
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("load: CCGW_BUDGET_EXCEEDED");
      const used = CallLedger.inReportDir(join(dir, "contract")).spent();
      expect(used).toBeGreaterThan(0);
      expect(used).toBeLessThanOrEqual(30);
      const stats = (await target.admin("/stats")) as { requests: Record<string, Record<string, number>> };
      const sent = Object.values(stats.requests.callout ?? {}).reduce((a, b) => a + b, 0);
      expect(sent).toBeLessThanOrEqual(30);
      expect(existsSync(join(dir, "load", "summary.json"))).toBe(false);
    } finally {
      await target.close();
    }
  }, 120_000);

  it("signs every agent out after Ctrl-C in the middle of the load phase", {
    timeout: 120_000,
  }, async () => {
    const target = await startGateway({ quiet: true, timing: "fast", selfCheck: false });
    try {
      const dir = join(work, "sigint");
      const job = startMainJob([
        "--target",
        await profileFile(work, mockProfile(target)),
        "--report-dir",
        dir,
        "--skip-contract",
        "--load-duration",
        "30",
        "--progress-ms",
        "500",
      ]);
      // Mid-run: the load phase has agents signed in.
      await interruptOnceSignedIn(job, target, dir);
    } finally {
      await target.close();
    }
  });
});

describe("Ctrl-C during the functional suite", () => {
  it("signs every agent out and writes the page", { timeout: 120_000 }, async () => {
    const target = await startGateway({
      ...suiteMockOptions(DEFAULT_EDITION, "dynamic", 1, []),
      quiet: true,
    });
    try {
      const dir = join(work, "sigint-contract");
      const job = startMainJob([
        "--target",
        await profileFile(work, mockProfile(target)),
        "--report-dir",
        dir,
        "--skip-load",
      ]);
      await interruptOnceSignedIn(job, target, dir);
    } finally {
      await target.close();
    }
  });
});
