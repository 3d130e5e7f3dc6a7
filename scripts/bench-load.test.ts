/**
 * npm run bench:load still runs end to end: a very short throughput pass (2 s per run) against the mock, with the
 * breakdown. It asserts that every run made requests and the figures were printed, never how fast they were
 * (speed is the benchmark's business). Skipped only when no k6 binary exists and CI is not set.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { runScript } from "../lib/script-process.ts";
import { buildBundles } from "../load/node/build.ts";
import { findK6 } from "./k6-build.ts";

const k6 = findK6();
const skip = !k6 && !process.env.CI;
const reason = skip ? " (SKIPPED: no k6 binary; run `npm run k6:build` or set K6_BIN)" : "";

describe.skipIf(skip)(`bench:load, throughput pass${reason}`, () => {
  it("runs the call cycle, the raw baseline and the three request-mix runs", {
    timeout: 120_000,
  }, async () => {
    const { code, stdout, stderr } = await runScript("scripts/bench-load.ts", [
      "--throughput-only",
      "--seconds",
      "2",
      "--offered",
      "20",
    ]);
    expect(code, stderr).toBe(0);
    const cycle = /^call-cycle: (\d+) req\/s .*raw callout script: (\d+) req\/s; ratio ([\d.]+)/m.exec(
      stdout,
    );
    expect(cycle, stdout).not.toBeNull();
    expect(Number(cycle?.[1])).toBeGreaterThan(0);
    expect(Number(cycle?.[2])).toBeGreaterThan(0);
    for (const mode of ["sync", "async", "parse"]) {
      const line = new RegExp(`request mix without the scenario's logic \\(${mode}\\): (\\d+) req/s`).exec(
        stdout,
      );
      expect(line, `${mode}\n${stdout}`).not.toBeNull();
      expect(Number(line?.[1])).toBeGreaterThan(0);
    }
    // Every k6 run reported its request count and CPU per request on stderr.
    for (const run of ["cycle-20", "raw", "mix-sync", "mix-async", "mix-parse"])
      expect(stderr).toMatch(new RegExp(`${run}: [1-9]\\d* requests`));
  });

  it("has baselines that refuse a gateway that is not on loopback (they have no rate cap)", async () => {
    const bundles = await buildBundles("2025-03");
    const plan = JSON.stringify({ baseUrl: "https://gateway.example:8043", agents: [], called: [] });
    for (const name of ["callout-raw", "request-mix"]) {
      const run = spawnSync(k6 ?? "k6", ["run", "--quiet", "--address", "", bundles[name] ?? ""], {
        env: { ...process.env, CCGW_PLAN: plan, K6_NO_USAGE_REPORT: "true" },
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(run.status, name).not.toBe(0);
      expect(`${run.stdout}${run.stderr}`, name).toContain("only against the embedded mock on loopback");
    }
  });
});
