/** Faults and capacity: each can be switched on at run time, is observable, and bad values are refused by field. */
import { request } from "undici";
import { describe, expect, it, vi } from "vitest";
import { pathFor } from "../contracts/index.ts";
import { startGateway, validateFaults } from "./index.ts";
import { buildGateway } from "./server.ts";
import { ManualClock as Clock, ManualClock } from "./state/clock.ts";
import { TestAgent } from "./testing.ts";

async function admin(
  app: Awaited<ReturnType<typeof buildGateway>>,
  method: "PUT" | "POST" | "GET",
  url: string,
  body?: unknown,
) {
  const response = await app.inject({
    method,
    url,
    ...(body === undefined ? {} : { payload: body as object }),
  });
  return { status: response.statusCode, json: response.json() as Record<string, unknown> };
}

describe("fault configuration is validated", () => {
  it.each([
    [{ latency: { callout: { kind: "fixed", ms: -1 } } }, "faults/latency/callout"],
    [{ latency: { calloutt: { kind: "fixed", ms: 1 } } }, "faults/latency/calloutt"],
    [{ errors: { callout: { rate: 2, retcode: "100-007" } } }, "faults/errors/callout"],
    [{ errors: { callout: { rate: 1, retcode: "999-999" } } }, "faults/errors/callout/retcode"],
    [{ errors: { callout: { rate: 1, status: 404 } } }, "faults/errors/callout"],
    [{ events: { lossRate: "half" } }, "faults/events/lossRate"],
    [{ jitter: 1 }, "faults/jitter"],
  ])("%j is refused naming %s", (config, field) => {
    expect(() => validateFaults(config)).toThrow(field);
  });

  it("answers a bad PUT /__mock/faults with a control-plane error naming the field", async () => {
    const app = await buildGateway();
    const reply = await admin(app, "PUT", "/__mock/faults", { drop: { "*": { rate: -1 } } });
    expect(reply.status).toBe(400);
    expect(reply.json.mockError).toMatchObject({ code: "MOCK_BAD_CONFIG", field: "faults/drop/*/rate" });
    expect(await admin(app, "PUT", "/__mock/capacity", { maxCalls: 1 })).toMatchObject({ status: 400 });
    expect(await admin(app, "PUT", "/__mock/defects", { enabled: ["nope"] })).toMatchObject({ status: 400 });
    await app.close();
  });
});

describe("faults at run time", () => {
  it("injects a retcode or an HTTP 5xx at rate 1, and stops after reset", async () => {
    const app = await buildGateway({ timing: "fast", pollWaitMs: 0 });
    const agent = new TestAgent(app, "1030");
    await agent.login();
    await admin(app, "PUT", "/__mock/faults", { errors: { callout: { rate: 1, retcode: "100-003" } } });
    expect((await agent.call("callout", { called: "4000003" })).body.retcode).toBe("100-003");
    await admin(app, "PUT", "/__mock/faults", { errors: { "*": { rate: 1, status: 503 } } });
    expect((await agent.call("getAgentStatus")).status).toBe(503);
    const stats = (await admin(app, "GET", "/__mock/stats")).json as {
      requests: Record<string, Record<string, number>>;
    };
    expect(stats.requests.callout).toMatchObject({ "100-003": 1 });
    expect(stats.requests.getAgentStatus).toMatchObject({ "http-503": 1 });
    await admin(app, "POST", "/__mock/reset");
    expect((await admin(app, "GET", "/__mock/faults")).json).toEqual({});
    await app.close();
  });

  it("delays answers by the latency distribution", async () => {
    const clock = new ManualClock();
    const app = await buildGateway({
      clock,
      faults: { latency: { getAgentStatus: { kind: "fixed", ms: 500 } } },
    });
    const agent = new TestAgent(app, "1031");
    await agent.login();
    const pending = agent.call("getAgentStatus");
    await vi.waitFor(() => expect(clock.pending).toBeGreaterThan(0));
    clock.advance(500);
    expect((await pending).body.retcode).toBe("0");
    await app.close();
  });

  it("loses events at lossRate 1 and delays them in order", async () => {
    const clock = new Clock();
    const app = await buildGateway({ clock, timing: "fast", pollWaitMs: 0 });
    const agent = new TestAgent(app, "1032");
    await agent.login();
    await agent.drain();
    await admin(app, "PUT", "/__mock/faults", { events: { lossRate: 1 } });
    await agent.call("callout", { called: "4000003" });
    expect(await agent.drain()).toEqual([]);
    expect((await admin(app, "GET", "/__mock/stats")).json.eventsLost).toBeGreaterThan(0);
    await admin(app, "PUT", "/__mock/faults", {
      events: { delay: { kind: "uniform", min: 100, max: 2000 } },
    });
    await agent.call("callout", { called: "4000001" });
    expect(await agent.drain()).toEqual([]);
    clock.advance(10_000);
    const types = (await agent.drain()).map((e) => e.type);
    expect(types.indexOf("AgentEvent_Customer_Alerting")).toBeLessThan(types.indexOf("AgentEvent_Talking"));
    expect(types.at(-1)).toBe("AgentEvent_Talking");
    await app.close();
  });

  it("expires Guids by age (guidExpiryMs) and on demand (expire-guid)", async () => {
    const clock = new Clock();
    const app = await buildGateway({ clock, authMode: "static", faults: { guidExpiryMs: 1000 } });
    const agent = new TestAgent(app, "1033");
    await agent.login();
    expect((await agent.call("getAgentStatus")).body.retcode).toBe("0");
    clock.advance(1000);
    expect((await agent.call("getAgentStatus")).body.retcode).toBe("000-003");
    await admin(app, "PUT", "/__mock/faults", {});
    expect((await agent.call("getAgentStatus")).body.retcode).toBe("0");
    expect((await admin(app, "POST", "/__mock/agents/1033/expire-guid")).status).toBe(200);
    expect((await agent.call("getAgentStatus")).body.retcode).toBe("000-003");
    expect((await admin(app, "POST", "/__mock/agents/1999/expire-guid")).status).toBe(404);
    await app.close();
  });

  it("drops connections at rate 1 over a real socket", async () => {
    const gw = await startGateway({ tls: false, faults: { drop: { getAgentStatus: { rate: 1 } } } });
    try {
      await expect(request(`${gw.url}${pathFor("getAgentStatus", "1001")}`)).rejects.toThrow();
      expect(await gw.admin("/stats")).toMatchObject({ requests: { getAgentStatus: { dropped: 1 } } });
    } finally {
      await gw.close();
    }
  });
});

describe("capacity model", () => {
  it("answers 100-007 beyond the maximum of concurrent calls, and admits again after a release", async () => {
    const app = await buildGateway({ timing: "fast", pollWaitMs: 0, capacity: { maxConcurrentCalls: 1 } });
    const a = new TestAgent(app, "1040");
    const b = new TestAgent(app, "1041");
    await a.login();
    await b.login();
    expect((await a.call("callout", { called: "4000001" })).body.retcode).toBe("0");
    const refused = await b.call("callout", { called: "4000001" });
    expect(refused.body).toMatchObject({ retcode: "100-007" });
    expect(refused.body.result).toBeUndefined();
    await a.call("release");
    expect((await b.call("callout", { called: "4000001" })).body.retcode).toBe("0");
    expect((await admin(app, "GET", "/__mock/stats")).json.capacityRefused).toEqual({
      "concurrent-calls": 1,
      "call-rate": 0,
    });
    await app.close();
  });

  it("answers 100-007 beyond the callout rate and recovers as time passes", async () => {
    const clock = new Clock();
    const app = await buildGateway({ clock, timing: "fast", pollWaitMs: 0 });
    await admin(app, "PUT", "/__mock/capacity", { maxCallsPerSecond: 2 });
    const agent = new TestAgent(app, "1042");
    await agent.login();
    const codes: string[] = [];
    for (let i = 0; i < 3; i++)
      codes.push(String((await agent.call("callout", { called: "4000003" })).body.retcode));
    expect(codes).toEqual(["0", "0", "100-007"]);
    clock.advance(500);
    expect((await agent.call("callout", { called: "4000003" })).body.retcode).toBe("0");
    await app.close();
  });
});
