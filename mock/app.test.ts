/** The call cycle through the mock in every edition and auth mode, and the transport-level answers. */
import { describe, expect, it } from "vitest";
import { contractsFor, EDITIONS, EVENT_FLOWS, OPERATIONS } from "../contracts/index.ts";
import { DEFAULT_AGENT_RANGE } from "./index.ts";
import { buildGateway } from "./server.ts";
import { JSON_HEADERS, TestAgent } from "./testing.ts";

/** Event types of a flow in order, required steps only plus the optional ones the mock includes. */
function inFlowOrder(flow: string, types: string[]): boolean {
  const steps = EVENT_FLOWS[flow]?.steps.map((s) => s.event) ?? [];
  let last = -1;
  for (const type of types) {
    const at = steps.indexOf(type === "AgentState_Work" ? "AgentState_Ready" : type);
    if (at === -1) continue;
    if (at <= last) return false;
    last = at;
  }
  return steps.filter((_, i) => !EVENT_FLOWS[flow]?.steps[i]?.optional).every((s) => types.includes(s));
}

describe("call cycle", () => {
  for (const edition of EDITIONS) {
    for (const authMode of ["static", "dynamic"] as const) {
      it(`sign-in, callout, poll, release in ${edition} with ${authMode} auth keeps one callid in documented order`, async () => {
        const app = await buildGateway({ edition, authMode, timing: "fast", pollWaitMs: 5 });
        const contracts = contractsFor(edition);
        const agent = new TestAgent(app, "1001");
        const login = await agent.login();
        expect(login.body.retcode).toBe("0");
        expect(String(login.headers["set-guid"])).toMatch(/^JSESSIONID=[0-9a-f-]{36}\.AgentGateway0$/);
        expect(contracts.validate("onlineagent/login.response", login.body)).toEqual([]);
        const signIn = await agent.drain();
        expect(signIn.map((e) => e.type)).toEqual(["AgentOther_InService", "AgentState_Ready"]);

        const callout = await agent.call("callout", { called: "4000001" });
        expect(callout.body).toMatchObject({ retcode: "0" });
        const callid = String(callout.body.result);
        expect(callid).toMatch(/^[0-9]{10}-[0-9]+$/);
        const events = await agent.drain();
        const types = events.map((e) => e.type);
        expect(inFlowOrder("callout-answered", types)).toBe(true);
        expect(types.at(-1)).toBe("AgentEvent_Talking");
        for (const e of events) {
          const c = e.content as { callid?: string } | string | null;
          if (typeof c === "string") expect(c).toBe(callid);
          else if (c && "callid" in c) expect(c.callid).toBe(callid);
          // eventGenTime belongs to the 2025 editions only.
          expect(e.eventGenTime !== undefined).toBe(edition !== "2023-09");
        }
        const status = await agent.call("getAgentStatus");
        expect(status.body.result).toMatchObject({ agentState: 7 });

        const release = await agent.call("release");
        expect(release.body.retcode).toBe("0");
        const after = await agent.drain();
        expect(after.map((e) => e.type)).toEqual([
          "AgentEvent_Call_Release",
          "AgentEvent_Customer_Release",
          "AgentOther_PhoneRelease",
          "AgentState_Ready",
        ]);
        expect(after[0]?.content).toBe(callid);
        expect((await agent.call("getAgentStatus")).body.result).toMatchObject({ agentState: 4 });
        expect((await agent.call("logout")).body.retcode).toBe("0");
        expect((await agent.call("getAgentStatus")).body.retcode).toBe("100-006");
        await app.close();
      });
    }
  }

  it.each([
    ["4000002", "callout-not-answered", "AgentState_Ready"],
    ["4000003", "callout-not-answered", "AgentState_Ready"],
    ["4000004", "callout-agent-no-answer", "AgentOther_PhoneRelease"],
  ])("number %s follows flow %s and frees the agent for the next callout", async (called, flow, last) => {
    const app = await buildGateway({ timing: "fast", pollWaitMs: 5 });
    const agent = new TestAgent(app, "1002");
    await agent.login();
    await agent.drain();
    const callout = await agent.call("callout", { called });
    const types = (await agent.drain()).map((e) => e.type);
    expect(inFlowOrder(flow, types)).toBe(true);
    expect(types).toContain("AgentEvent_Call_Out_Fail");
    expect(types.at(-1)).toBe(last);
    if (called === "4000003") expect(types).not.toContain("AgentEvent_Customer_Alerting");
    expect(callout.body.retcode).toBe("0");
    expect((await agent.call("callout", { called })).body.retcode).toBe("0");
    await app.close();
  });

  it("refuses a second callout during an active call but allows one with the call on hold", async () => {
    const app = await buildGateway({ timing: "fast", pollWaitMs: 5 });
    const agent = new TestAgent(app, "1003");
    await agent.login();
    await agent.call("callout", { called: "4000001" });
    const second = await agent.call("callout", { called: "4000001" });
    expect(second.body.retcode).toBe("100-007");
    expect(second.body.result).toBeUndefined();
    expect((await agent.call("hold")).body.retcode).toBe("0");
    expect((await agent.call("callout", { called: "4000001" })).body.retcode).toBe("0");
    expect((await agent.call("release")).body.retcode).toBe("0");
    expect((await agent.call("release")).body.retcode).toBe("0");
    expect((await agent.call("release")).body.retcode).toBe("200-017");
    expect((await agent.call("hold")).body.retcode).toBe("200-013");
    await app.close();
  });

  it("answers sign-in errors: wrong password, already signed in, forced sign-in takes over", async () => {
    const app = await buildGateway({ timing: "fast", pollWaitMs: 5 });
    const wrong = new TestAgent(app, "1004", "nope");
    expect((await wrong.login()).body.retcode).toBe("100-004");
    const agent = new TestAgent(app, "1004");
    await agent.login();
    const old = agent.guid;
    expect((await agent.login()).body.retcode).toBe("100-002");
    const force = await agent.call("forceLogin", {
      password: DEFAULT_AGENT_RANGE.password,
      phonenum: "700001",
    });
    expect(force.body.retcode).toBe("0");
    expect(agent.guid).not.toBe(old);
    expect((await agent.call("getAgentStatus", undefined, { guid: String(old) })).body.retcode).toBe(
      "000-003",
    );
    expect(
      (await new TestAgent(app, "1004").call("logout", undefined, { guid: String(agent.guid) })).body.retcode,
    ).toBe("0");
    expect((await agent.call("logout")).body.retcode).toBe("100-008");
    await app.close();
  });

  it("validates callout parameters with the edition's contract (000-002)", async () => {
    const app = await buildGateway({ edition: "2023-09", timing: "fast", pollWaitMs: 5 });
    const agent = new TestAgent(app, "1005");
    await agent.login();
    const max = contractsFor("2023-09").schemas["voicecall/callout.request"] as {
      properties: { called: { maxLength: number } };
    };
    const tooLong = "1".repeat(max.properties.called.maxLength + 1);
    for (const body of [
      { called: tooLong },
      { called: "12a" },
      {},
      { called: "1", userVideoDirection: 4, mediaability: 1 },
    ]) {
      const reply = await agent.call("callout", body);
      expect(reply.body.retcode, JSON.stringify(body)).toBe("000-002");
    }
    expect(
      (await agent.call("callout", { called: "1".repeat(max.properties.called.maxLength) })).body.retcode,
    ).toBe("0");
    await app.close();
  });

  it("refuses a missing or foreign Guid and an agent id outside the edition's range", async () => {
    const app = await buildGateway({ timing: "fast", pollWaitMs: 5 });
    const a = new TestAgent(app, "1006");
    const b = new TestAgent(app, "1007");
    await a.login();
    await b.login();
    const noGuid = await a.call("callout", { called: "4000001" }, { guid: "" });
    expect(noGuid.body.retcode).toBe("000-003");
    const foreign = await a.call("callout", { called: "4000001" }, { guid: String(b.guid) });
    expect(foreign.body.retcode).toBe("000-003");
    const outOfRange = new TestAgent(app, "60000");
    expect((await outOfRange.call("callout", { called: "4000001" })).body.retcode).toBe("000-002");
    const notSignedIn = new TestAgent(app, "1008");
    notSignedIn.guid = String(a.guid);
    expect((await notSignedIn.call("callout", { called: "4000001" })).body.retcode).toBe("100-006");
    await app.close();
  });
});

describe("transport answers", () => {
  it("404 unknown path, 405 wrong method, 415 non-JSON body, 413 oversized body, 200+000-002 malformed JSON", async () => {
    const app = await buildGateway({ timing: "fast", pollWaitMs: 5 });
    const url = "/agentgateway/resource/voicecall/1001/callout";
    expect((await app.inject({ method: "GET", url: "/agentgateway/resource/nothing" })).statusCode).toBe(404);
    const wrong = await app.inject({ method: "POST", url });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow).toBe(OPERATIONS.callout.method);
    const text = await app.inject({
      method: "PUT",
      url,
      headers: { "content-type": "text/plain" },
      payload: "hi",
    });
    expect(text.statusCode).toBe(415);
    const big = await app.inject({
      method: "PUT",
      url,
      headers: JSON_HEADERS,
      payload: `{"called":"${"1".repeat(2 * 1024 * 1024)}"}`,
    });
    expect(big.statusCode).toBe(413);
    const malformed = await app.inject({ method: "PUT", url, headers: JSON_HEADERS, payload: '{"called":' });
    expect(malformed.statusCode).toBe(200);
    expect(JSON.parse(malformed.body)).toMatchObject({ retcode: "000-002" });
    await app.close();
  });
});
