/**
 * Poll answers and every event of the call cycle: content null, a bare call id, or an object, as documented;
 * unknown fields and unknown event types tolerated; eventGenTime optional.
 */
import { describe, expect, it } from "vitest";
import { contractsFor, EDITIONS, EVENT_FLOWS, schemaFiles } from "./index.ts";

const CALLID = "1455885056-1095";

/** One documented-shape example of each event type's content. */
const CONTENT: Record<string, unknown> = {
  AgentOther_InService: null,
  AgentOther_PhoneAlerting: null,
  AgentOther_PhoneOffhook: { type: "main" },
  AgentState_Busy: null,
  AgentEvent_Customer_Alerting: { callid: CALLID, otherPhoneWorkno: "", otherPhone: "40040", type: "0" },
  AgentEvent_Talking: {
    caller: "40038",
    callid: CALLID,
    called: "40040",
    feature: "7",
    type: "0",
    mediaAbility: "1",
  },
  AgentEvent_Call_Out_Fail: CALLID,
  AgentEvent_Connect_Fail: CALLID,
  OUTBOUND_DETECT_EVENT: { callId: CALLID, detect: 1552, desc: "no answer" },
  AgentEvent_Call_Release: CALLID,
  AgentEvent_Customer_Release: { callid: CALLID, number: "40040" },
  AgentOther_PhoneRelease: { phoneState: 2 },
  AgentState_Ready: null,
  AgentState_Work: null,
  AgentState_SetNotReady_Success: { reason: "0" },
  AgentEvent_Hold: CALLID,
};

/** A content of the wrong kind for each event type (object where a bare id belongs, and so on). */
const WRONG_CONTENT: Record<string, unknown> = {
  AgentOther_InService: { x: 1 },
  AgentOther_PhoneAlerting: CALLID,
  AgentOther_PhoneOffhook: { type: "left" },
  AgentState_Busy: CALLID,
  AgentEvent_Customer_Alerting: CALLID,
  AgentEvent_Talking: { caller: "40038" },
  AgentEvent_Call_Out_Fail: { callid: CALLID },
  AgentEvent_Connect_Fail: null,
  OUTBOUND_DETECT_EVENT: { desc: "x" },
  AgentEvent_Call_Release: { callid: CALLID },
  AgentEvent_Customer_Release: CALLID,
  AgentOther_PhoneRelease: { phoneState: 7 },
  AgentState_Ready: CALLID,
  AgentState_Work: { reason: 1 },
  AgentState_SetNotReady_Success: null,
  AgentEvent_Hold: "",
};

const EVENT_TYPES = Object.keys(schemaFiles)
  .filter((n) => n.startsWith("events/") && !["events/event", "events/event-base"].includes(n))
  .map((n) => n.slice("events/".length));

describe("event catalog", () => {
  it("has an example for every event schema, and a schema for every event a documented flow names", () => {
    expect(Object.keys(CONTENT).sort()).toEqual([...EVENT_TYPES].sort());
    for (const flow of Object.values(EVENT_FLOWS)) {
      for (const e of [
        ...flow.steps.flatMap((s) => [s.event, ...(s.alternatives ?? [])]),
        ...flow.floating,
      ]) {
        expect(EVENT_TYPES).toContain(e);
      }
    }
  });
});

describe.each(EDITIONS)("poll answers and events, edition %s", (edition) => {
  const contracts = contractsFor(edition);
  const poll = (event: unknown) =>
    contracts
      .validate("agentevent/getAgentEvent.response", { message: "", retcode: "0", event })
      .map((v) => v.clause);

  it.each(EVENT_TYPES)("%s: the documented content is valid, with or without eventGenTime", (type) => {
    expect(poll({ eventType: type, workNo: "1001", content: CONTENT[type] })).toEqual([]);
    expect(
      poll({ eventType: type, workNo: "1001", content: CONTENT[type], eventGenTime: 1784529722590 }),
    ).toEqual([]);
  });

  it.each(EVENT_TYPES)("%s: content of the wrong shape names the event's clause", (type) => {
    const clauses = poll({ eventType: type, workNo: "1001", content: WRONG_CONTENT[type] });
    expect(clauses.length).toBeGreaterThan(0);
    expect(clauses.every((c) => c.endsWith(`/${type}`))).toBe(true);
  });

  it("accepts an empty answer: event null or absent (the page does not say which) [getAgentEvent/response/event]", () => {
    expect(poll(null)).toEqual([]);
    expect(contracts.validate("agentevent/getAgentEvent.response", { message: "", retcode: "0" })).toEqual(
      [],
    );
  });

  it("accepts event types outside the call cycle with the base fields only", () => {
    expect(poll({ eventType: "AgentOther_Restrict", workNo: "1001", content: { anything: true } })).toEqual(
      [],
    );
  });

  it("requires eventType and workNo [getAgentEvent/response/event]", () => {
    expect(poll({ workNo: "1001", content: null })).toContain("getAgentEvent/response/event/eventType");
    expect(poll({ eventType: "AgentState_Ready", content: null })).toContain(
      "getAgentEvent/response/event/workNo",
    );
  });

  it("rejects eventGenTime that is not a millisecond number [getAgentEvent/response/event/eventGenTime]", () => {
    expect(
      poll({ eventType: "AgentState_Ready", workNo: "1", content: null, eventGenTime: "1784529722590" }),
    ).toEqual(["getAgentEvent/response/event/eventGenTime"]);
  });

  it("tolerates unknown fields in an event and in its object content", () => {
    expect(
      poll({
        eventType: "AgentEvent_Talking",
        workNo: "1",
        content: { ...(CONTENT.AgentEvent_Talking as object), x: 1 },
        y: 2,
      }),
    ).toEqual([]);
  });
});
