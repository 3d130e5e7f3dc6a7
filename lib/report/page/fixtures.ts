/**
 * A fixture run folder for the page's tests and for looking at the page without running anything: a run.json,
 * a conformance model with a failed clause, JUnit, a k6 handleSummary JSON, a k6 points file and a capacity
 * curve, all generated deterministically.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CLAUSES, situation } from "../../../contracts/index.ts";
import type { RunRecord } from "./model.ts";

const OVERLOADED = situation("overloaded").codes[0] ?? "";
const GUID_WRONG = situation("guid-wrong").codes[0] ?? "";

/** A Guid and a password planted in the fixture's raw files, to prove the page masks them. */
export const PLANTED_GUID = "0a1b2c3d-1111-2222-3333-444455556666.AgentGateway1";
export const PLANTED_PASSWORD = "fixture-secret-pw";

/** Small deterministic generator (mulberry32), so fixture figures are stable. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes the fixture run into `dir` (created). */
export async function writeFixtureRun(dir: string, options: { failedClause?: boolean } = {}): Promise<void> {
  const failedClause = options.failedClause ?? true;
  await mkdir(join(dir, "contract"), { recursive: true });
  await mkdir(join(dir, "load"), { recursive: true });
  const run: RunRecord = {
    runId: "20260101-120000-fixture",
    startedAt: "2026-01-01T12:00:00.000Z",
    finishedAt: "2026-01-01T12:01:10.000Z",
    target: {
      name: "fixture lab",
      baseUrl: "https://127.0.0.1:8043",
      edition: "2025-03",
      authMode: "dynamic",
      embeddedMock: true,
    },
    seed: 42,
    loadProfile: "smoke",
    phases: [
      { name: "preflight", status: "pass", durationMs: 120 },
      {
        name: "contract",
        status: failedClause ? "fail" : "pass",
        exitCode: failedClause ? 1 : 0,
        durationMs: 21_000,
      },
      { name: "load", status: "pass", exitCode: 0, durationMs: 40_000 },
    ],
  };
  await writeFile(join(dir, "run.json"), JSON.stringify(run, null, 2));

  const rand = random(7);
  const clauses = CLAUSES.slice(0, 24).map((c, i) => {
    const fail = failedClause && i === 3;
    const tests = Array.from({ length: 1 + (i % 3) }, (_, j) => ({
      name: `${c.title} case ${j + 1} [${c.id}]`,
      status: fail && j === 0 ? "failed" : c.open ? "skipped" : "passed",
      ...(fail && j === 0
        ? { message: `expected retcode 100-006, got 0 (Guid ${PLANTED_GUID}, password ${PLANTED_PASSWORD})` }
        : {}),
    }));
    return {
      id: c.id,
      verdict: c.open ? "open" : fail ? "fail" : i % 11 === 10 ? "untested" : "pass",
      tests,
    };
  });
  await writeFile(join(dir, "contract", "conformance.json"), JSON.stringify({ edition: "2025-03", clauses }));
  await writeFile(
    join(dir, "contract", "junit.xml"),
    `<?xml version="1.0"?><testsuites><testsuite name="callout" tests="1" failures="0"><testcase name="fixture"/></testsuite></testsuites>\n`,
  );

  const start = Date.parse("2026-01-01T12:00:30.000Z");
  const lines: string[] = [
    JSON.stringify({
      type: "Metric",
      metric: "ccgw_callout_duration",
      data: { type: "trend", contains: "time" },
    }),
  ];
  let calls = 0;
  const errors: Record<string, number> = {};
  for (let second = 0; second < 40; second++) {
    const rate = second < 10 ? 2 + second : second < 30 ? 12 : 12 - (second - 30);
    for (let k = 0; k < rate; k++) {
      const time = new Date(start + second * 1000 + Math.floor((k * 1000) / rate)).toISOString();
      const value = 8 + 30 * rand() ** 3 + (second > 20 ? 15 * rand() : 0);
      const failed = rand() < 0.04;
      const retcode = failed ? (rand() < 0.7 ? OVERLOADED : GUID_WRONG) : "0";
      if (failed) errors[retcode] = (errors[retcode] ?? 0) + 1;
      calls += 1;
      lines.push(
        JSON.stringify({
          type: "Point",
          metric: "ccgw_callout_duration",
          data: { time, value, tags: { op: "callout", retcode, status: "200" } },
        }),
      );
    }
  }
  await writeFile(join(dir, "load", "points.json"), `${lines.join("\n")}\n`);
  await writeFile(
    join(dir, "load", "summary.json"),
    JSON.stringify({
      state: { testRunDurationMs: 40_000 },
      metrics: {
        ccgw_callouts: { type: "counter", contains: "default", values: { count: calls, rate: calls / 40 } },
        ccgw_callout_duration: {
          type: "trend",
          contains: "time",
          values: { avg: 20, min: 8, med: 14, max: 90, "p(90)": 38, "p(95)": 44.5 },
          thresholds: { "p(95)<1000": { ok: true } },
        },
        ccgw_call_setup_alerting: {
          type: "trend",
          contains: "time",
          values: { avg: 600, min: 200, med: 550, max: 1400, "p(90)": 880, "p(95)": 930 },
          thresholds: { "p(95)<3000": { ok: true } },
        },
        checks: { type: "rate", contains: "default", values: { rate: 0.99, passes: 99, fails: 1 } },
      },
    }),
  );
  await writeFile(
    join(dir, "load", "k6-dashboard.html"),
    "<!doctype html><title>k6 dashboard (fixture)</title>\n",
  );
  // The shape scripts/load.ts writes for a capacity search (CapacityResult of load/node/capacity.ts).
  await writeFile(
    join(dir, "load", "capacity.json"),
    JSON.stringify({
      sustainable: 28,
      firstFailing: 32,
      curve: [2, 4, 8, 16, 28, 32, 48].map((rate) => ({
        rate,
        achieved: Math.min(rate, 30),
        setupP95Ms: rate < 30 ? 20 + rate : 60 + 8 * (rate - 30),
        calloutP95Ms: 5,
        errorRate: rate < 30 ? 0 : (rate - 30) / rate,
      })),
    }),
  );
}
