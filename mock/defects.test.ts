/**
 * Every defect of the catalog: it names a real clause, can be switched on by option and by the admin API, and
 * its probe observes the bug with the defect on and not with it off.
 */
import type { FastifyInstance } from "fastify";
import { describe, expect, it } from "vitest";
import { CLAUSES, contractsFor, EVENT, pathFor } from "../contracts/index.ts";
import { DEFECTS, type DefectName } from "./defects.ts";
import { type GatewayOptions, runtimeOf } from "./index.ts";
import { buildGateway } from "./server.ts";
import { ManualClock } from "./state/clock.ts";
import { TestAgent } from "./testing.ts";

type Probe = (app: FastifyInstance) => Promise<boolean>;

async function signedIn(app: FastifyInstance, id: string): Promise<TestAgent> {
  const agent = new TestAgent(app, id);
  await agent.login();
  await agent.drain();
  return agent;
}

const calloutSchema = contractsFor().schemas["voicecall/callout.request"] as {
  properties: { called: { maxLength: number }; callappdata: { maxLength: number } };
};

/** Each probe returns true when the gateway showed the defect. */
const PROBES: Record<DefectName, Probe> = {
  "called-25-digits": async (app) => {
    const agent = await signedIn(app, "1101");
    const called = "1".repeat(calloutSchema.properties.called.maxLength + 1);
    return (await agent.call("callout", { called })).body.retcode === "0";
  },
  "called-with-letter": async (app) =>
    (await (await signedIn(app, "1102")).call("callout", { called: "40a1" })).body.retcode === "0",
  "wrong-retcode-invalid-parameter": async (app) =>
    (await (await signedIn(app, "1103")).call("callout", { called: "" })).body.retcode !== "000-002",
  "no-callid-on-success": async (app) => {
    const reply = await (await signedIn(app, "1104")).call("callout", { called: "4000001" });
    return reply.body.retcode === "0" && reply.body.result === undefined;
  },
  "callid-on-failure": async (app) =>
    (await (await signedIn(app, "1105")).call("callout", { called: "" })).body.result !== undefined,
  "events-out-of-order": async (app) => {
    const agent = await signedIn(app, "1106");
    await agent.call("callout", { called: "4000001" });
    const types = (await agent.drain()).map((e) => e.type);
    return types.indexOf("AgentEvent_Talking") < types.indexOf("AgentEvent_Customer_Alerting");
  },
  "event-callid-mismatch": async (app) => {
    const agent = await signedIn(app, "1107");
    const callid = (await agent.call("callout", { called: "4000001" })).body.result;
    const talking = (await agent.drain()).find((e) => e.type === "AgentEvent_Talking");
    return ((talking?.content ?? {}) as { callid?: string }).callid !== callid;
  },
  "foreign-guid-accepted": async (app) => {
    const a = await signedIn(app, "1108");
    const b = await signedIn(app, "1109");
    return (await a.call("callout", { called: "4000001" }, { guid: String(b.guid) })).body.retcode === "0";
  },
  "callout-during-call": async (app) => {
    const agent = await signedIn(app, "1110");
    await agent.call("callout", { called: "4000001" });
    return (await agent.call("callout", { called: "4000001" })).body.retcode === "0";
  },
  "agentid-out-of-range": async (app) => {
    const donor = await signedIn(app, "1111");
    const outside = new TestAgent(app, "60000");
    outside.guid = donor.guid;
    return (await outside.call("callout", { called: "4000001" })).body.retcode !== "000-002";
  },
  "dynamic-guid-not-honoured": async (app) => {
    const agent = new TestAgent(app, "1112");
    await agent.login();
    const poll = await agent.call("getAgentEvent");
    if (poll.headers["set-guid"] === undefined) return false;
    return (await agent.call("getAgentStatus")).body.retcode !== "0";
  },
  "call-out-fail-content-object": async (app) => {
    const agent = await signedIn(app, "1113");
    await agent.call("callout", { called: "4000002" });
    const fail = (await agent.drain()).find((e) => e.type === "AgentEvent_Call_Out_Fail");
    return typeof fail?.content === "object";
  },
  "callappdata-over-16k": async (app) => {
    const callappdata = "a".repeat(calloutSchema.properties.callappdata.maxLength + 1);
    return (
      (await (await signedIn(app, "1114")).call("callout", { called: "1", callappdata })).body.retcode === "0"
    );
  },
  "guid-not-required": async (app) =>
    (await (await signedIn(app, "1115")).call("callout", { called: "1" }, { guid: "" })).body.retcode === "0",
  "event-workno-wrong": async (app) => {
    const agent = new TestAgent(app, "1121");
    await agent.login();
    const event = (await agent.call("getAgentEvent")).body.event as { workNo?: string } | null;
    return event?.workNo !== "1121";
  },
  "callid-reused": async (app) => {
    const a = (await (await signedIn(app, "1122")).call("callout", { called: "4000001" })).body.result;
    const b = (await (await signedIn(app, "1123")).call("callout", { called: "4000001" })).body.result;
    return a === b;
  },
  "talking-called-wrong": async (app) => {
    const agent = await signedIn(app, "1124");
    await agent.call("callout", { called: "4000001" });
    const talking = (await agent.drain()).find((e) => e.type === "AgentEvent_Talking");
    return (talking?.content as { called?: string } | undefined)?.called !== "4000001";
  },
  "called-star-hash-refused": async (app) =>
    (await (await signedIn(app, "1125")).call("callout", { called: "4000*01#" })).body.retcode !== "0",
  "poll-holds-events": async (app) => {
    // On a manual clock the wait never ends by itself: only an arriving event can answer the poll.
    const agent = new TestAgent(app, "1126");
    await agent.login();
    await agent.call("getAgentEvent");
    await agent.call("getAgentEvent");
    let answered = false;
    void agent.call("getAgentEvent").then(() => {
      answered = true;
    });
    await turns();
    await agent.call("callout", { called: "4000001" });
    await turns();
    return !answered;
  },
  "terminal-event-lost": async (app) => {
    const agent = await signedIn(app, "1127");
    await agent.call("callout", { called: "4000001" });
    return !(await agent.drain()).some((e) => e.type === "AgentEvent_Talking");
  },
  "logout-during-call-accepted": async (app) => {
    const agent = await signedIn(app, "1128");
    await agent.call("callout", { called: "4000001" });
    await agent.drain();
    return (await agent.call("logout")).body.retcode === "0";
  },
  "retcode-as-number": async (app) => (await new TestAgent(app, "1129").login()).body.retcode === 0,
  "html-answers": async (app) => "text" in (await new TestAgent(app, "1130").login()).body,
  "ready-lost": async (app) => {
    const agent = await signedIn(app, "1131");
    await agent.call("callout", { called: "4000001" });
    await agent.drain();
    await agent.call("release");
    const types = (await agent.drain()).map((e) => e.type);
    return !types.includes(EVENT.ready) && !types.includes(EVENT.work);
  },
  "talking-lost": async (app) => {
    const agent = await signedIn(app, "1132");
    await agent.call("callout", { called: "4000001" });
    return !(await agent.drain()).some((e) => e.type === EVENT.talking);
  },
  "event-loss": async (app) => {
    // Answered calls and releases: far more than twenty events, none lost by a conforming gateway.
    const agent = await signedIn(app, "1133");
    for (let i = 0; i < 4; i++) {
      await agent.call("callout", { called: "4000001" });
      await agent.drain();
      await agent.call("release");
      await agent.drain();
    }
    return runtimeOf(app).store.counters.eventsLost > 0;
  },
  "hold-event-lost": async (app) => {
    const agent = await signedIn(app, "1134");
    await agent.call("callout", { called: "4000001" });
    await agent.drain();
    await agent.call("hold");
    return !(await agent.drain()).some((e) => e.type === EVENT.hold);
  },
  "release-events-callid-wrong": async (app) => {
    const agent = await signedIn(app, "1135");
    const callid = (await agent.call("callout", { called: "4000001" })).body.result;
    await agent.drain();
    await agent.call("release");
    const released = (await agent.drain()).find((e) => e.type === EVENT.callRelease);
    return released?.content !== callid;
  },
  "talking-media-audio-only": async (app) => {
    const agent = await signedIn(app, "1136");
    await agent.call("callout", { called: "4000001", mediaability: 1 });
    const talking = (await agent.drain()).find((e) => e.type === EVENT.talking);
    return (talking?.content as { mediaAbility?: number } | undefined)?.mediaAbility === 1;
  },
  "event-gen-time-seconds": async (app) => {
    const agent = new TestAgent(app, "1137");
    await agent.login();
    const event = (await agent.call("getAgentEvent")).body.event as { eventGenTime?: number } | null;
    return typeof event?.eventGenTime === "number" && event.eventGenTime < 1e11;
  },
  "called-unanchored-start": async (app) =>
    (await (await signedIn(app, "1138")).call("callout", { called: "a4000002" })).body.retcode === "0",
  "called-blanks-trimmed": async (app) =>
    (await (await signedIn(app, "1139")).call("callout", { called: " 4000002 " })).body.retcode === "0",
  "content-type-not-required": async (app) => {
    const agent = await signedIn(app, "1140");
    const reply = await app.inject({
      method: "PUT",
      url: pathFor("callout", agent.id),
      headers: { guid: String(agent.guid) },
      payload: JSON.stringify({ called: "4000002" }),
    });
    return reply.statusCode === 200 && (JSON.parse(reply.body) as { retcode?: string }).retcode === "0";
  },
  "second-callout-while-ringing": async (app) => {
    // On a manual clock the first call stays in its setup (ringing) until the test moves the clock.
    const agent = await signedIn(app, "1141");
    await agent.call("callout", { called: "4000001" });
    return (await agent.call("callout", { called: "4000002" })).body.retcode === "0";
  },
  "callout-refused-unless-idle": async (app) => {
    const agent = new TestAgent(app, "1142");
    await agent.login({ status: 3 });
    await agent.drain();
    return (await agent.call("callout", { called: "4000002" })).body.retcode !== "0";
  },
  "callout-without-sign-in": async (app) => {
    const agent = new TestAgent(app, "1116");
    agent.guid = "00000000-0000-4000-8000-000000000000.AgentGateway0";
    return (await agent.call("callout", { called: "4000001" })).body.retcode === "0";
  },
};

/** Lets the app's pending promises and I/O callbacks run. */
async function turns(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

const BASE: GatewayOptions = { timing: "fast", pollWaitMs: 0, authMode: "dynamic", guidRotationMs: 0 };
/**
 * Options of one probe: a waiting poll needs a wait, and a call that is still ringing a script with delays,
 * on a clock that only the test moves.
 */
function optionsFor(name: DefectName): GatewayOptions {
  if (name === "poll-holds-events") return { ...BASE, pollWaitMs: 10_000, clock: new ManualClock() };
  if (name === "second-callout-while-ringing") return { ...BASE, timing: "brisk", clock: new ManualClock() };
  return BASE;
}

describe("defect catalog", () => {
  it("has unique names, a description, and a clause that exists in contracts/clauses.json", () => {
    const ids = new Set(CLAUSES.map((c) => c.id));
    expect(new Set(DEFECTS.map((d) => d.name)).size).toBe(DEFECTS.length);
    for (const d of DEFECTS) {
      expect(ids.has(d.clause), `${d.name}: ${d.clause}`).toBe(true);
      expect(d.description.length).toBeGreaterThan(10);
    }
  });

  for (const defect of DEFECTS) {
    it(`${defect.name} is observable when on and absent when off [${defect.clause}]`, async () => {
      const probe = PROBES[defect.name];
      const clean = await buildGateway(optionsFor(defect.name));
      expect(await probe(clean), "conforming gateway").toBe(false);
      await clean.close();
      const broken = await buildGateway({ ...optionsFor(defect.name), defects: [defect.name] });
      expect(await probe(broken), "defect by option").toBe(true);
      await broken.close();
      const switched = await buildGateway(optionsFor(defect.name));
      const reply = await switched.inject({
        method: "PUT",
        url: "/__mock/defects",
        payload: { enabled: [defect.name] },
      });
      expect(reply.statusCode).toBe(200);
      expect(await probe(switched), "defect by admin API").toBe(true);
      await switched.close();
    });
  }
});
