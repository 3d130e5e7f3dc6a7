/**
 * The suite's plan of a profile, made without a gateway: a lab profile whose numbers pin no outcome, with no
 * calling numbers, static authentication and no forced sign-in cannot test the clauses that need those, and
 * says which profile field would test each; a profile with them can. A case whose plan refuses the profile is
 * not tested with the need in its result and never takes an agent.
 */
import { describe, expect, it } from "vitest";
import type { TargetProfile } from "../lib/target-profile.ts";
import { formatSuitePlan, planProfile, planSuite } from "./suite-plan.ts";
import { defineCase, runCheck, seededFaker } from "./support/cases.ts";
import { NEED } from "./support/profile-needs.ts";
import { NotTested } from "./support/recorder.ts";
import { TARGET_DEADLINES } from "./support/run-files.ts";
import { makeTarget } from "./support/target.ts";

const agents = Array.from({ length: 6 }, (_, i) => ({
  id: String(1001 + i),
  password: "pw",
  phone: String(700001 + i),
}));

const MINIMAL = {
  name: "lab with plain numbers",
  baseUrl: "https://gw.lab.invalid:8043",
  edition: "2025-03",
  authMode: "static",
  called: ["4000001", "4000002"],
  agents,
} as unknown as TargetProfile;

const FULL = {
  ...MINIMAL,
  name: "full lab",
  authMode: "dynamic",
  allowForceLogin: true,
  caller: "55501",
  callers: ["5550123456", "555012345678901234567890", "12"],
  called: [
    { number: "4000001", outcome: "answered" },
    { number: "4000002", outcome: "not-answered" },
    { number: "4000003", outcome: "busy" },
    { number: "4000004", outcome: "agent-no-answer" },
    { number: "4000005*1#", outcome: "not-answered" },
    // The length limits of called (1 and 24 characters), to dial at each valid boundary.
    { number: "4", outcome: "not-answered" },
    { number: "400000000000000000000006", outcome: "not-answered" },
  ],
} as unknown as TargetProfile;

describe("planSuite", () => {
  it("names each clause a plain profile cannot test, why, and the profile field that would", () => {
    const plan = planProfile(MINIMAL, 1);
    const status = (id: string) => plan.clauses.find((c) => c.id === id)?.status;
    for (const id of [
      "flows/callout-agent-no-answer",
      "auth/dynamic/rotation",
      "forceLogin/takeover",
      "callout/prerequisite/not-in-call",
    ])
      expect(status(id), id).toBe("untestable");
    expect(status("callout/body/called")).toBe("testable");
    expect(status("callout/log-name")).toBe("not-testable");
    const answered = plan.todo.find((t) => t.value === 'a called number with outcome "answered"');
    expect(answered?.field).toBe("called[].outcome");
    expect(answered?.untested).toContain("callout/prerequisite/not-in-call");
    expect(plan.todo.map((t) => t.field)).toEqual(
      expect.arrayContaining(["authMode", "allowForceLogin", "caller, callers"]),
    );
    expect(plan.cases.runnable).toBeLessThan(plan.cases.total);
    const text = formatSuitePlan(plan);
    expect(text).toContain(
      "flows/callout-agent-no-answer: no number with outcome 'agent-no-answer' in the profile",
    );
    expect(text).toMatch(
      /to test more, add to the profile:\n {2}called\[\]\.outcome: a called number with outcome "answered"/,
    );
  });

  it("finds nothing to add to a profile that has what every case needs", () => {
    const plan = planProfile(FULL, 1);
    expect(plan.clauses.filter((c) => c.status === "untestable")).toEqual([]);
    expect(plan.todo).toEqual([]);
    expect(plan.cases.runnable).toBe(plan.cases.total);
  });

  it("plans the cases it is given, against their target", () => {
    const target = makeTarget(MINIMAL, TARGET_DEADLINES);
    const only = defineCase(
      "hold",
      { id: "x", title: "x", clause: "forceLogin/takeover", plan: () => {} },
      async () => {},
    );
    const plan = planSuite(target, [only]);
    expect(plan.clauses.find((c) => c.id === "forceLogin/takeover")).toMatchObject({
      status: "testable",
      cases: 1,
      runnable: 1,
    });
    expect(plan.clauses.find((c) => c.id === "auth/dynamic/rotation")?.status).toBe("along-the-way");
  });
});

describe("clauses only some calls reach", () => {
  it("are untestable without a number pinned to an outcome that reaches them, and may be reached by an unpinned one", () => {
    const pinned = { ...MINIMAL, called: [{ number: "4000002", outcome: "not-answered" }] } as TargetProfile;
    const plan = planProfile(pinned, 1);
    const release = plan.clauses.find((c) => c.id === "events/AgentEvent_Call_Release");
    expect(release?.status).toBe("untestable");
    expect(release?.reasons).toEqual(["only a call whose number is pinned to outcome 'answered' reaches it"]);
    expect(plan.todo.find((t) => t.value === 'a called number with outcome "answered"')?.untested).toContain(
      "flows/release",
    );
    // Not-answered calls reach Call_Out_Fail; sign-in reaches Ready: neither waits on the profile.
    expect(plan.clauses.find((c) => c.id === "callout/events/AgentEvent_Call_Out_Fail")?.status).toBe(
      "along-the-way",
    );
    expect(plan.clauses.find((c) => c.id === "events/AgentState_Ready")?.status).toBe("along-the-way");
    const unpinned = planProfile(MINIMAL, 1);
    expect(unpinned.clauses.find((c) => c.id === "events/AgentEvent_Call_Release")?.status).toBe(
      "along-the-way",
    );
  });
});

describe("runCheck", () => {
  it("leaves a case the profile cannot support not tested, with its need, and takes no agent", async () => {
    const target = makeTarget(MINIMAL, TARGET_DEADLINES);
    let acquired = 0;
    const pool = {
      signal: new AbortController().signal,
      acquire: async () => {
        acquired += 1;
        throw new Error("no agent should be asked for");
      },
      giveBack: async () => {},
    };
    const check = defineCase(
      "hold",
      {
        id: "needs-dynamic",
        title: "needs dynamic authentication",
        clause: "auth/dynamic/rotation",
        plan: () => {
          throw new NotTested("the gateway uses static authentication", NEED.dynamicAuth);
        },
      },
      async () => {},
    );
    const ctx = { target, pool, faker: seededFaker(1) } as unknown as Parameters<typeof runCheck>[1];
    const result = await runCheck(check, ctx);
    expect(result.verdict).toBe("not-tested");
    expect(result.observed).toBe("the gateway uses static authentication");
    expect(result.needs).toEqual(NEED.dynamicAuth);
    expect(acquired).toBe(0);
  });
});
