/**
 * The call-center figures: each follows from its definition on a run whose every count is known (rates over the
 * schedule's interval, ratios over the calls whose outcome was seen, concurrency from the time calls spent in
 * progress second by second), a run split in shares gives the same figures once merged, and an answer falls in
 * the class of ineffective attempts the contracts give its retcode or HTTP status.
 */
import { describe, expect, it } from "vitest";
import { INEFFECTIVE_CLASSES, situation } from "../../contracts/index.ts";
import type { GatewayReply } from "../../lib/gateway/index.ts";
import { callCenterKpis, INEFFECTIVE, ineffectiveClass, RELEASE_DELAY } from "./kpis.ts";
import { Metrics } from "./metrics.ts";

const T0 = Date.parse("2026-12-01T12:00:00.000Z");

function reply(partial: Partial<GatewayReply>): GatewayReply {
  return {
    method: "PUT",
    path: "/p",
    status: 200,
    headers: {},
    json: undefined,
    text: "",
    ms: 1,
    ...partial,
  };
}

const envelope = (retcode: string) => reply({ json: { message: "", retcode, result: {} } });
const first = (name: string) => situation(name).codes[0] as string;

describe("ineffectiveClass", () => {
  it("classes an answer by the contracts' situations, its HTTP status, or the network failure", () => {
    expect(ineffectiveClass(envelope(first("overloaded")))).toBe("overload");
    expect(ineffectiveClass(envelope(first("not-signed-in")))).toBe("state");
    expect(ineffectiveClass(envelope(first("invalid-parameter")))).toBe("parameter");
    expect(ineffectiveClass(envelope("999-999"))).toBe("other");
    expect(ineffectiveClass(reply({ status: 429, text: "slow down" }))).toBe("overload");
    expect(ineffectiveClass(reply({ status: 503, text: "<html>" }))).toBe("http");
    expect(ineffectiveClass(reply({ status: 200, text: "not json" }))).toBe("http");
    expect(
      ineffectiveClass(reply({ status: 0, error: "UND_ERR_HEADERS_TIMEOUT: Headers Timeout Error" })),
    ).toBe("timeout");
    expect(ineffectiveClass(reply({ status: 0, error: "ECONNREFUSED: connect ECONNREFUSED" }))).toBe("http");
  });

  it("names every class the engine counts in the contracts", () => {
    const classes = INEFFECTIVE_CLASSES.map((c) => c.class);
    for (const name of ["timeout", "http", "overload", "state", "parameter", "setup-failed", "other"])
      expect(classes).toContain(name);
    expect(new Set(classes).size).toBe(classes.length);
  });
});

/** A run of 10 s: 20 attempts, 18 sent, their outcomes, two calls in progress at once for part of a second. */
function run(share?: 0 | 1): Metrics {
  const m = new Metrics();
  const mine = (i: number) => share === undefined || i % 2 === share;
  // The shares' windows differ: merged, they span the run's.
  m.measure({ startMs: T0 + (share === 1 ? 1000 : 0), endMs: T0 + (share === 0 ? 9000 : 10_000) });
  const outcomes = [
    ...Array(9).fill("answered"),
    ...Array(3).fill("not-answered"),
    ...Array(4).fill("failed"),
    "lost",
    "unfinished",
  ] as string[];
  for (let i = 0; i < 20; i++) if (mine(i)) m.count("ccgw_call_attempts");
  outcomes.forEach((outcome, i) => {
    if (!mine(i)) return;
    m.count("ccgw_callouts", outcome === "failed" && i % 2 === 0 ? first("overloaded") : "0");
    m.count("ccgw_call_outcomes", outcome);
    m.time("ccgw_call_setup_alerting", 100 + i);
    if (outcome === "answered") m.time(RELEASE_DELAY, 20);
  });
  if (mine(0)) m.count(INEFFECTIVE, "overload", 2);
  if (mine(1)) m.count(INEFFECTIVE, "setup-failed", 2);
  if (mine(2)) m.count(INEFFECTIVE, "timeout");
  if (mine(3)) m.count("ccgw_ready_timeouts");
  // Calls in progress: 0.5 s to 2.5 s, and 1.0 s to 1.5 s: 2.5 call-seconds, 1.5 calls on average in second 1.
  if (mine(0)) m.series.inCall(T0 + 500, T0 + 2500);
  if (mine(1)) m.series.inCall(T0 + 1000, T0 + 1500);
  return m;
}

describe("callCenterKpis", () => {
  it("follows from the definitions", () => {
    const k = callCenterKpis(run());
    expect(k.intervalS).toBe(10);
    expect(k.attemptsPerSecond).toEqual({ offered: 2, achieved: 1.8 });
    expect(k.attempts).toBe(17);
    expect(k.sessionEstablishmentRatio).toBe(9 / 17);
    expect(k.effectiveRatio).toBe(12 / 17);
    expect(k.ineffective).toEqual({
      timeout: 1,
      http: 0,
      overload: 2,
      state: 0,
      parameter: 0,
      "setup-failed": 2,
      other: 0,
    });
    expect(k.concurrentCalls).toEqual({ peak: 1.5, mean: 0.25 });
    expect(k.delays.postDial).toMatchObject({ metric: "ccgw_call_setup_alerting", count: 18, p50: 108 });
    expect(k.delays.release).toMatchObject({ count: 9, p95: 20 });
    expect(k.delays.answer).toBeUndefined();
    expect(k.releasesWithoutReady).toBe(1);
  });

  it("gives a run split in two shares the same figures once merged", () => {
    const merged = Metrics.merge([run(0).snapshot(), run(1).snapshot()]);
    expect(callCenterKpis(merged)).toEqual(callCenterKpis(run()));
  });

  it("leaves the ratios out of a run that placed no call", () => {
    const k = callCenterKpis(new Metrics());
    expect(k.sessionEstablishmentRatio).toBeUndefined();
    expect(k.attemptsPerSecond).toEqual({ offered: 0, achieved: 0 });
  });
});
