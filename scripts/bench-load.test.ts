/**
 * npm run bench:load still runs end to end, in very short runs: the call cycle and the wrk baseline (or the
 * reason wrk is missing), and the fidelity pair, where a 2 s stall of the mock must show in the latency from the
 * intended start. It asserts what the figures mean, never how fast anything was (speed is the benchmark's
 * business). The wrk baseline refuses a gateway that is not on loopback.
 */
import { describe, expect, it } from "vitest";
import { runScript } from "../lib/script-process.ts";
import type { TargetProfile } from "../lib/target-profile.ts";
import type { Fidelity, Throughput } from "./bench-load/sections.ts";
import { wrkRate } from "./bench-load/wrk.ts";

describe("bench:load, short runs", () => {
  it("measures the call cycle beside wrk, and a stall in the fidelity runs", {
    timeout: 180_000,
  }, async () => {
    const { code, stdout, stderr } = await runScript("scripts/bench-load.ts", [
      ...["--only", "throughput", "fidelity", "--json", "--seconds", "1", "--offered", "40"],
      ...["--throughput-agents", "20", "--fidelity-rate", "20", "--fidelity-seconds", "3", "--no-install"],
    ]);
    expect(code, stderr).toBe(0);
    const figures = JSON.parse(stdout) as { throughput: Throughput; fidelity: Fidelity };
    const [cycle] = figures.throughput.engine;
    expect(cycle?.requestsPerSecond).toBeGreaterThan(0);
    expect(cycle?.cpuUsPerRequest).toBeGreaterThan(0);
    // Either wrk ran (a rate and a ratio) or the figure says why it did not.
    if (figures.throughput.wrk) expect(figures.throughput.ratio).toBeGreaterThan(0);
    else expect(figures.throughput.wrkSkipped).toMatch(/wrk/);
    const f = figures.fidelity;
    expect(f.reported.p50).toBeGreaterThan(0);
    expect(f.reported.p99).toBeGreaterThanOrEqual(f.reported.p50);
    // Callouts sent while the mock was stopped waited for it: the stall is in the tail, never averaged away.
    expect(f.stall.max).toBeGreaterThanOrEqual(1000);
    expect(f.stall.p99Intended).toBeGreaterThanOrEqual(f.stall.p99);
  });

  it("has a wrk baseline that refuses a gateway that is not on loopback (it has no rate cap)", async () => {
    const profile = {
      baseUrl: "https://gateway.example:8043",
      called: ["4000001"],
      agentRange: { from: 1001, count: 1, password: "x", phoneFrom: 700001 },
    } as TargetProfile;
    await expect(
      wrkRate("wrk", profile, { agents: 1, connections: 1, seconds: 1, dir: "/nonexistent" }),
    ).rejects.toThrow(/only against a mock on loopback/);
  });
});
