/**
 * A fixture run folder for the page's tests and for looking at the page without running anything: a run.json,
 * a conformance model with a failed clause, JUnit, a load run's summary.json and series.json, and a capacity
 * curve, all generated deterministically.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { clausesOf, situation } from "../../../contracts/index.ts";
import { buildReport, type CaseResult, caseVerdict, type Finding } from "../conformance.ts";
import type { CallCenterKpis } from "../load-kpis.ts";
import { writeRunFile } from "../run-files.ts";
import { HISTOGRAM_EDGES_MS, type Histogram, type RunRecord, type TimeSeries } from "./model.ts";

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
  await writeRunFile("run.json", join(dir, "run.json"), fixtureRecord(failedClause));
  const rand = random(7);
  await writeConformance(dir, failedClause);
  await writeLoad(dir, rand);
  await writeCapacity(dir);
}

/** run.json of the fixture: the three phases, the contract one failed when a clause failed. */
function fixtureRecord(failedClause: boolean): RunRecord {
  return {
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
}

/** The suite's files: its report (one clause failed, with secrets in its message) and a JUnit file. */
async function writeConformance(dir: string, failedClause: boolean): Promise<void> {
  const clauses = clausesOf("2025-03");
  const results: CaseResult[] = clauses.slice(0, 24).flatMap((c, i) => {
    if (i % 11 === 10) return [];
    return Array.from({ length: 1 + (i % 3) }, (_, j): CaseResult => {
      const fail = failedClause && i === 3 && j === 0;
      const finding: Finding = fail
        ? {
            clause: c.id,
            verdict: "fail",
            message: `expected retcode 100-006, got 0 (Guid ${PLANTED_GUID}, password ${PLANTED_PASSWORD})`,
          }
        : { clause: c.id, verdict: c.open ? "open-recorded" : "pass", message: "as the page says" };
      return {
        id: `fixture-${i}-${j}`,
        title: `${c.title} case ${j + 1} [${c.id}]`,
        group: "fixture",
        clause: c.id,
        verdict: caseVerdict([finding]),
        findings: [finding],
        evidence: [],
        durationMs: 10,
      };
    });
  });
  const meta = {
    runId: "20260101-120000-fixture",
    edition: "2025-03",
    authMode: "dynamic",
    target: { name: "fixture lab", baseUrl: "https://127.0.0.1:8043" },
    seed: 42,
    startedAt: "2026-01-01T12:00:00.000Z",
    finishedAt: "2026-01-01T12:00:21.000Z",
    durationMs: 21_000,
  };
  await writeRunFile(
    "conformance.json",
    join(dir, "contract", "conformance.json"),
    buildReport(meta, results, clauses),
  );
  await writeFile(
    join(dir, "contract", "junit.xml"),
    `<?xml version="1.0"?><testsuites><testsuite name="callout" tests="1" failures="0"><testcase name="fixture"/></testsuite></testsuites>\n`,
  );
}

/** The load run's files: 40 s of callouts second by second (series.json), its summary and its page. */
async function writeLoad(dir: string, rand: () => number): Promise<void> {
  // 40 s of callouts, second by second, as the load engine's series.json holds them.
  const series: TimeSeries = {
    metric: "ccgw_callout_duration",
    intervalSeconds: 1,
    t: [],
    callsPerSecond: [],
    errorsPerSecond: [],
    p50Ms: [],
    p95Ms: [],
  };
  const counts = new Array<number>(HISTOGRAM_EDGES_MS.length - 1).fill(0);
  let calls = 0;
  const errors: Record<string, number> = {};
  for (let second = 0; second < 40; second++) {
    const rate = second < 10 ? 2 + second : second < 30 ? 12 : 12 - (second - 30);
    const values: number[] = [];
    let failedNow = 0;
    for (let k = 0; k < rate; k++) {
      const value = Math.round(8 + 30 * rand() ** 3 + (second > 20 ? 15 * rand() : 0));
      values.push(value);
      const bucket = HISTOGRAM_EDGES_MS.findIndex((edge) => edge > value) - 1;
      counts[bucket] = (counts[bucket] ?? 0) + 1;
      if (rand() < 0.04) {
        const retcode = rand() < 0.7 ? OVERLOADED : GUID_WRONG;
        errors[retcode] = (errors[retcode] ?? 0) + 1;
        failedNow += 1;
      }
      calls += 1;
    }
    values.sort((x, y) => x - y);
    series.t.push(second);
    series.callsPerSecond.push(rate);
    series.errorsPerSecond.push(failedNow);
    series.p50Ms.push(values[Math.ceil(values.length * 0.5) - 1] ?? null);
    series.p95Ms.push(values[Math.ceil(values.length * 0.95) - 1] ?? null);
  }
  const histogram: Histogram = { metric: "ccgw_callout_duration", edgesMs: [...HISTOGRAM_EDGES_MS], counts };
  await writeRunFile("series.json", join(dir, "load", "series.json"), { series, histogram });
  const byRetcode = Object.fromEntries(
    Object.entries(errors).map(([retcode, n]) => [
      `ccgw_callouts{retcode:${retcode}}`,
      { type: "counter" as const, values: { count: n, rate: n / 40 } },
    ]),
  );
  await writeRunFile("summary.json", join(dir, "load", "summary.json"), {
    state: { testRunDurationMs: 40_000 },
    kpis: {
      intervalS: 40,
      attemptsPerSecond: { offered: calls / 40 + 0.25, achieved: calls / 40 },
      concurrentCalls: { peak: 31.4, mean: 22.75 },
      attempts: calls,
      sessionEstablishmentRatio: 0.6125,
      effectiveRatio: 0.9,
      ineffective: {
        timeout: 1,
        http: 0,
        overload: errors[OVERLOADED] ?? 0,
        state: errors[GUID_WRONG] ?? 0,
      },
      delays: {
        postDial: { metric: "ccgw_call_setup_alerting", count: calls, p50: 550, p95: 930, p99: 1300 },
        release: { metric: "ccgw_release_ready", count: 200, p50: 12, p95: 40, p99: 61 },
      },
      releasesWithoutReady: 2,
    } satisfies CallCenterKpis,
    metrics: {
      ccgw_callouts: { type: "counter", values: { count: calls, rate: calls / 40 } },
      ...byRetcode,
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
    },
  });
  await writeFile(join(dir, "load", "index.html"), "<!doctype html><title>load run (fixture)</title>\n");
  await writeFile(join(dir, "load", "phase.log"), "load: run fixture, profile smoke\n");
}

/** A capacity curve in the shape scripts/load.ts writes (CapacityResult of load/capacity.ts). */
async function writeCapacity(dir: string): Promise<void> {
  await writeRunFile("capacity.json", join(dir, "load", "capacity.json"), {
    method: { standard: "RFC 7502 (fixture)", trialS: 20, criterion: "at most 1% of call attempts lost" },
    sustainable: 28,
    firstFailing: 32,
    curve: [2, 4, 8, 16, 28, 32, 48].map((rate) => ({
      rate,
      achieved: Math.min(rate, 30),
      setupP95Ms: rate < 30 ? 20 + rate : 60 + 8 * (rate - 30),
      calloutP95Ms: 5,
      errorRate: rate < 30 ? 0 : (rate - 30) / rate,
      lostRate: 0,
      pass: rate < 30,
      broke: rate < 30 ? [] : ["error rate above 1%"],
    })),
  });
}
