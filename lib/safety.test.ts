/** Tests of the dial guard, the rate cap, the budget and the plan check. */
import { describe, expect, it } from "vitest";
import { HarnessError } from "./errors.ts";
import {
  assertCalloutAllowed,
  assertNumberAllowed,
  assertPlanWithinCaps,
  CallGuard,
  calledOf,
  formatPlan,
  isDialable,
  policyFromProfile,
  type RunPlan,
} from "./safety.ts";

const profile = {
  called: ["4000001", { number: "4000002", outcome: "not-answered" as const }],
  maxCallsPerSecond: 2,
  maxTotalCalls: 5,
};

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof HarnessError) return error.code;
    throw error;
  }
  return undefined;
}

describe("policyFromProfile", () => {
  it("takes the numbers of both entry forms and the caps", () => {
    expect(policyFromProfile(profile)).toEqual({
      allowed: ["4000001", "4000002"],
      maxCallsPerSecond: 2,
      maxTotalCalls: 5,
    });
  });
  it("leaves caps out when the profile has none", () => {
    expect(policyFromProfile({ called: ["1"] })).toEqual({ allowed: ["1"] });
  });
});

describe("dial guard", () => {
  const policy = policyFromProfile(profile);
  it("allows listed numbers", () => {
    expect(codeOf(() => assertNumberAllowed(policy, "4000001"))).toBeUndefined();
    expect(codeOf(() => assertNumberAllowed(policy, "4000002"))).toBeUndefined();
  });
  it.each([["4000003"], ["+4000001"], [" 4000001"], ["40000011"], [""], [4000001], [undefined], [null]])(
    "refuses %j",
    (called) => {
      expect(codeOf(() => assertNumberAllowed(policy, called))).toBe("CCGW_NUMBER_NOT_ALLOWED");
    },
  );
  it("reads called from a body object or JSON text", () => {
    expect(calledOf({ called: "4000001", caller: "1" })).toBe("4000001");
    expect(calledOf('{"called":"4000003"}')).toBe("4000003");
    expect(calledOf("not json")).toBeUndefined();
    expect(calledOf(null)).toBeUndefined();
  });
  it("admitBody refuses a body with a number outside the list and records nothing", () => {
    const guard = new CallGuard(policy, { now: () => 0 });
    expect(codeOf(() => guard.admitBody({ called: "999" }))).toBe("CCGW_NUMBER_NOT_ALLOWED");
    expect(guard.count).toBe(0);
    // An undialable probe is let through the number check but still counts.
    guard.admitBody("{}");
    expect(guard.count).toBe(1);
    guard.admitBody(JSON.stringify({ called: "4000002" }));
    expect(guard.count).toBe(2);
  });
});

describe("request-site check", () => {
  const policy = policyFromProfile(profile);
  it("refuses any dialable number outside the list, however long", () => {
    expect(codeOf(() => assertCalloutAllowed(policy, { called: "4000009" }))).toBe("CCGW_NUMBER_NOT_ALLOWED");
    expect(codeOf(() => assertCalloutAllowed(policy, { called: "4".repeat(30) }))).toBe(
      "CCGW_NUMBER_NOT_ALLOWED",
    );
    expect(codeOf(() => assertCalloutAllowed(policy, '{"called":"*#1"}'))).toBe("CCGW_NUMBER_NOT_ALLOWED");
  });
  it("lets listed numbers and undialable probes through", () => {
    expect(codeOf(() => assertCalloutAllowed(policy, { called: "4000001" }))).toBeUndefined();
    for (const called of ["", "40a0001", "4000001 ", "+4000001", 4000001, null]) {
      expect(codeOf(() => assertCalloutAllowed(policy, { called }))).toBeUndefined();
    }
    expect(codeOf(() => assertCalloutAllowed(policy, {}))).toBeUndefined();
  });
  it("lets overdial on a listed number of the maximum length through, and nothing shorter", () => {
    const max = "1".repeat(24);
    const withMax = { ...policyFromProfile({ called: [max, "4000001"] }), maxCalledLength: 24 };
    expect(codeOf(() => assertCalloutAllowed(withMax, { called: `${max}7` }))).toBeUndefined();
    expect(codeOf(() => assertCalloutAllowed(withMax, { called: "40000017" }))).toBe(
      "CCGW_NUMBER_NOT_ALLOWED",
    );
    expect(codeOf(() => assertCalloutAllowed(withMax, { called: `2${max}` }))).toBe(
      "CCGW_NUMBER_NOT_ALLOWED",
    );
    const without = policyFromProfile({ called: [max] });
    expect(codeOf(() => assertCalloutAllowed(without, { called: `${max}7` }))).toBe(
      "CCGW_NUMBER_NOT_ALLOWED",
    );
  });
  it("knows what is dialable", () => {
    expect(isDialable("123*#")).toBe(true);
    expect(isDialable("")).toBe(false);
    expect(isDialable("12 3")).toBe(false);
    expect(isDialable(123)).toBe(false);
  });
});

describe("rate cap", () => {
  it("admits at most maxCallsPerSecond in any one-second window", () => {
    let now = 10_000;
    const guard = new CallGuard({ allowed: ["1"], maxCallsPerSecond: 2 }, { now: () => now });
    guard.admit("1");
    now += 100;
    guard.admit("1");
    now += 100;
    expect(guard.delayBeforeNextCall()).toBe(800);
    expect(codeOf(() => guard.admit("1"))).toBe("CCGW_BUDGET_EXCEEDED");
    now += 799;
    expect(codeOf(() => guard.admit("1"))).toBe("CCGW_BUDGET_EXCEEDED");
    now += 1;
    expect(guard.delayBeforeNextCall()).toBe(0);
    guard.admit("1");
    expect(guard.count).toBe(3);
  });

  it("splits the cap among guards by share, rounding down", () => {
    let now = 0;
    // 3 calls/s over 4 VUs: 0.75/s each, i.e. one call in any 1334 ms; the sum stays under 3/s.
    const guard = new CallGuard({ allowed: ["1"], maxCallsPerSecond: 3 }, { now: () => now, share: 0.25 });
    guard.admit("1");
    now += 1000;
    expect(codeOf(() => guard.admit("1"))).toBe("CCGW_BUDGET_EXCEEDED");
    now += 334;
    guard.admit("1");
  });

  it("rejects a share outside (0, 1]", () => {
    expect(() => new CallGuard({ allowed: [] }, { share: 0 })).toThrow(RangeError);
    expect(() => new CallGuard({ allowed: [] }, { share: 1.5 })).toThrow(RangeError);
  });
});

describe("total-calls budget", () => {
  it("refuses the call after the budget is spent", () => {
    let now = 0;
    const guard = new CallGuard({ allowed: ["1"], maxTotalCalls: 3 }, { now: () => now });
    for (let i = 0; i < 3; i++) {
      guard.admit("1");
      now += 5000;
    }
    expect(guard.remaining).toBe(0);
    expect(codeOf(() => guard.admit("1"))).toBe("CCGW_BUDGET_EXCEEDED");
    expect(guard.count).toBe(3);
  });

  it("gives each share its rounded-down part, so the guards' sum never exceeds the budget", () => {
    const guards = Array.from(
      { length: 3 },
      () => new CallGuard({ allowed: ["1"], maxTotalCalls: 10 }, { share: 1 / 3 }),
    );
    let admitted = 0;
    for (const guard of guards) {
      for (let i = 0; i < 10; i++) {
        if (codeOf(() => guard.admit("1")) === undefined) admitted += 1;
      }
    }
    expect(admitted).toBe(9);
  });

  it("counts in a shared counter, so guards of several processes share one budget", () => {
    let shared = 0;
    const counter = {
      spent: () => shared,
      record: () => {
        shared += 1;
      },
    };
    const a = new CallGuard({ allowed: ["1"], maxTotalCalls: 3 }, { counter });
    const b = new CallGuard({ allowed: ["1"], maxTotalCalls: 3 }, { counter });
    a.admit("1");
    b.admit("1");
    a.admit("1");
    expect(codeOf(() => b.admit("1"))).toBe("CCGW_BUDGET_EXCEEDED");
    expect(shared).toBe(3);
  });

  it("is unlimited without maxTotalCalls", () => {
    const guard = new CallGuard({ allowed: ["1"] });
    for (let i = 0; i < 1000; i++) guard.admit("1");
    expect(guard.remaining).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("plan", () => {
  const plan: RunPlan = {
    target: "https://10.0.0.5:8043",
    agents: 4,
    numbers: ["4000001", "4000002"],
    peakCallsPerSecond: 2,
    durationSeconds: 30,
    totalCalls: 5,
    phases: [{ name: "load smoke", calls: 5, callsPerSecond: 2, durationSeconds: 30 }],
  };
  const policy = policyFromProfile(profile);
  it("passes at the caps and fails just above each", () => {
    expect(codeOf(() => assertPlanWithinCaps(policy, plan))).toBeUndefined();
    expect(codeOf(() => assertPlanWithinCaps(policy, { ...plan, peakCallsPerSecond: 2.5 }))).toBe(
      "CCGW_BUDGET_EXCEEDED",
    );
    expect(codeOf(() => assertPlanWithinCaps(policy, { ...plan, totalCalls: 6 }))).toBe(
      "CCGW_BUDGET_EXCEEDED",
    );
  });
  it("prints agents, numbers, rate, duration and total calls", () => {
    const text = formatPlan(plan, policy);
    expect(text).toContain("agents:            4");
    expect(text).toContain("4000001, 4000002");
    expect(text).toContain("2 calls/s (cap 2)");
    expect(text).toContain("30 s");
    expect(text).toContain("5 (budget 5)");
    expect(text).toContain("load smoke: up to 5 calls");
  });
});
