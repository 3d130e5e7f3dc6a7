/**
 * The dial guard sits inside lib/gateway's client, which is opened with it: the functional suite's send(), the
 * load engine's agent and any other caller refuse a number outside the profile before any byte leaves, and a
 * client opened without a guard sends no request that could place a call (whatever its method or path).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractsFor, pathFor } from "../../contracts/index.ts";
import { HarnessError } from "../../lib/errors.ts";
import { GatewayClient, NO_CALLOUTS } from "../../lib/gateway/index.ts";
import { CallGuard, policyFromProfile } from "../../lib/safety.ts";
import type { TargetProfile } from "../../lib/target-profile.ts";
import { LoadAgent } from "../../load/engine/agent.ts";
import { Metrics } from "../../load/engine/metrics.ts";
import { makePlan } from "../../load/make-plan.ts";
import { LOAD_PROFILES } from "../../load/profiles.ts";
import { makeTarget } from "../../scenarios/support/target.ts";
import { send } from "../../scenarios/support/transport.ts";

let hits = 0;
const arrivals: number[] = [];
const server = createServer((_req, res) => {
  hits += 1;
  arrivals.push(Date.now());
  res.setHeader("content-type", "application/json");
  res.end('{"retcode":"0","message":"","result":"1"}');
});
let profile: TargetProfile;

beforeAll(async () => {
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  profile = {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    called: ["4000001", "1".repeat(24)],
    agents: [{ id: "1001", password: "secret-pw-1", phone: "700001" }],
  };
});
afterAll(() => {
  server.close();
});

const deadlines = {
  setupMs: 1000,
  promptMs: 1000,
  rotationMs: 1000,
  requestMs: 1000,
  leaseMs: 1000,
  pollPauseMs: 200,
  watchdogMs: 10_000,
};

describe("the functional suite's request path", () => {
  it("refuses a callout to a number outside the list before sending anything", async () => {
    const target = makeTarget(profile, deadlines);
    const before = hits;
    const error = await send(target, {
      operation: "callout",
      method: "PUT",
      path: pathFor("callout", "1001"),
      body: { called: "4000009" },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe("CCGW_NUMBER_NOT_ALLOWED");
    expect(hits).toBe(before);
  });

  it("sends a callout to a listed number, and overdial on the 24-digit listed number", async () => {
    const target = makeTarget(profile, deadlines);
    const before = hits;
    for (const called of ["4000001", `${"1".repeat(24)}5`]) {
      const reply = await send(target, {
        operation: "callout",
        method: "PUT",
        path: pathFor("callout", "1001"),
        body: { called },
      });
      expect(reply.status).toBe(200);
    }
    expect(hits).toBe(before + 2);
  });
});

describe("the functional suite's caps", () => {
  const callout = { operation: "callout" as const, method: "PUT", path: pathFor("callout", "1001") };

  it("holds maxTotalCalls across test files (separate targets) through the run folder's counter", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccgw-budget-"));
    const capped = { ...profile, maxTotalCalls: 3 };
    const first = makeTarget(capped, deadlines, { ledgerDir: dir });
    const second = makeTarget(capped, deadlines, { ledgerDir: dir });
    try {
      const before = hits;
      await send(first, { ...callout, body: { called: "4000001" } });
      await send(second, { ...callout, body: { called: "4000001" } });
      await send(first, { ...callout, body: { called: "4000001" } });
      const error = await send(second, { ...callout, body: { called: "4000001" } }).catch((e: unknown) => e);
      expect((error as HarnessError).code).toBe("CCGW_BUDGET_EXCEEDED");
      expect(hits).toBe(before + 3);
    } finally {
      await first.closeGateway();
      await second.closeGateway();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("paces callouts under maxCallsPerSecond instead of refusing them", async () => {
    const target = makeTarget({ ...profile, maxCallsPerSecond: 3 }, deadlines);
    const started = Date.now();
    const from = arrivals.length;
    await Promise.all(
      Array.from({ length: 4 }, () => send(target, { ...callout, body: { called: "4000001" } })),
    );
    const mine = arrivals.slice(from);
    expect(mine).toHaveLength(4);
    // Three fit in the first second; the fourth cannot start before one second after the first was admitted.
    expect(Math.max(...mine)).toBeGreaterThanOrEqual(started + 1000);
  });
});

describe("the load engine's agent", () => {
  it("refuses a callout to a number outside the list before sending anything, and places one inside it", async () => {
    const plan = makePlan(profile, LOAD_PROFILES.smoke, { runId: "guard", reportDir: tmpdir() });
    const client = await GatewayClient.open(profile, {
      timeoutMs: 1000,
      guard: new CallGuard(policyFromProfile(profile)),
    });
    const agent = new LoadAgent(
      { id: "1001", password: "secret-pw-1", phone: "700001" },
      {
        plan,
        profile,
        client,
        metrics: new Metrics(),
        contracts: contractsFor(plan.edition as Parameters<typeof contractsFor>[0]),
        sample: () => false,
      },
    );
    try {
      const before = hits;
      const wasIdle = agent.idle;
      const error = await agent.placeCall({ called: "4000009" }, Date.now()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HarnessError);
      expect((error as HarnessError).code).toBe("CCGW_NUMBER_NOT_ALLOWED");
      expect(hits).toBe(before);
      expect(agent.idle).toBe(wasIdle);
      // The same agent with a listed number reaches the gateway: the refusal was the number, not the agent.
      await agent.placeCall({ called: "4000001" }, Date.now());
      expect(hits).toBe(before + 1);
    } finally {
      await agent.signOut().catch(() => undefined);
      await client.close();
    }
  });
});

describe("lib/gateway's client", () => {
  it("sends nothing that could place a call without a guard, nor around it by another method or path", async () => {
    const bare = await GatewayClient.open(profile, { timeoutMs: 1000, guard: NO_CALLOUTS });
    const guarded = await GatewayClient.open(profile, {
      timeoutMs: 1000,
      guard: new CallGuard(policyFromProfile(profile)),
    });
    try {
      const before = hits;
      const refused = await bare
        .send({ operation: "callout", agentId: "1001", body: { called: "4000001" } })
        .catch((e: unknown) => e);
      expect((refused as HarnessError).code).toBe("CCGW_NUMBER_NOT_ALLOWED");
      // A near miss a lax gateway could still take for a callout goes through the guard too.
      for (const path of [`${pathFor("callout", "1001")}/`, pathFor("callout", "1001").toUpperCase()]) {
        const around = await guarded
          .send({ method: "POST", path, body: { called: "4000009" } })
          .catch((e: unknown) => e);
        expect((around as HarnessError).code).toBe("CCGW_NUMBER_NOT_ALLOWED");
      }
      expect(hits).toBe(before);
      // What cannot place a call passes a client without a guard.
      expect((await bare.send({ operation: "release", agentId: "1001" })).status).toBe(200);
    } finally {
      await bare.close();
      await guarded.close();
    }
  });
});
