/** Unit tests of the event-order checker against the documented flows of the contracts. */
import { describe, expect, it } from "vitest";
import { EVENT_FLOWS, type EventFlow } from "../../contracts/index.ts";
import { callIdOf, checkFlow } from "./event-order.ts";

function flow(name: string): EventFlow {
  const found = EVENT_FLOWS[name];
  if (!found) throw new Error(`no flow ${name}`);
  return found;
}

const ID = "1700000000-1";
const ev = (eventType: string, content: unknown = null) => ({ eventType, content });

describe("checkFlow", () => {
  const answered = flow("callout-answered");

  it("accepts the documented order with the callout's call id", () => {
    const result = checkFlow(
      answered,
      [
        ev("AgentOther_PhoneAlerting"),
        ev("AgentOther_PhoneOffhook", { type: 1 }),
        ev("AgentState_Busy"),
        ev("AgentEvent_Customer_Alerting", { callid: ID }),
        ev("AgentEvent_Talking", { callid: ID }),
      ],
      ID,
    );
    expect(result.findings).toEqual([]);
    expect(result.complete).toBe(true);
    expect(result.terminalIndex).toBe(4);
  });

  it("lets optional steps be absent and ignores events outside the flow", () => {
    const result = checkFlow(
      answered,
      [
        ev("SomethingElse"),
        ev("AgentState_Busy"),
        ev("AgentEvent_Customer_Alerting", { callid: ID }),
        ev("AgentEvent_Talking", { callid: ID }),
      ],
      ID,
    );
    expect(result.findings).toEqual([]);
  });

  it("reports Talking before Customer_Alerting under the flow's clause", () => {
    const result = checkFlow(
      answered,
      [
        ev("AgentState_Busy"),
        ev("AgentEvent_Talking", { callid: ID }),
        ev("AgentEvent_Customer_Alerting", { callid: ID }),
      ],
      ID,
    );
    expect(result.findings.length).toBeGreaterThan(0);
    expect(result.findings.every((f) => f.clause === "flows/callout-answered")).toBe(true);
    expect(result.findings.map((f) => f.message).join("\n")).toMatch(/Customer_Alerting/);
  });

  it("reports a call id that differs from the callout's", () => {
    const result = checkFlow(
      answered,
      [
        ev("AgentState_Busy"),
        ev("AgentEvent_Customer_Alerting", { callid: "other" }),
        ev("AgentEvent_Talking", { callid: ID }),
      ],
      ID,
    );
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]?.message).toMatch(/other/);
  });

  it("reports an incomplete flow only when final", () => {
    const events = [ev("AgentState_Busy")];
    expect(checkFlow(answered, events, ID, false).findings).toEqual([]);
    const final = checkFlow(answered, events, ID, true);
    expect(final.complete).toBe(false);
    expect(final.findings[0]?.message).toMatch(/AgentEvent_Talking never arrived/);
  });

  it("accepts floating events anywhere and checks their call id", () => {
    const notAnswered = flow("callout-not-answered");
    const result = checkFlow(
      notAnswered,
      [
        ev("OUTBOUND_DETECT_EVENT", { callId: ID, detect: 1 }),
        ev("AgentOther_PhoneRelease", { phoneState: 2 }),
        ev("AgentEvent_Call_Out_Fail", ID),
        ev("AgentState_Ready"),
      ],
      ID,
    );
    expect(result.findings).toEqual([]);
    expect(result.complete).toBe(true);
    const wrong = checkFlow(
      notAnswered,
      [ev("OUTBOUND_DETECT_EVENT", { callId: "x" }), ev("AgentEvent_Call_Out_Fail", ID)],
      ID,
    );
    expect(wrong.findings.map((f) => f.clause)).toContain("flows/callout-not-answered");
  });

  it("takes an alternative for a terminal step", () => {
    const release = flow("release");
    const result = checkFlow(
      release,
      [
        ev("AgentEvent_Call_Release", ID),
        ev("AgentEvent_Customer_Release", { callid: ID }),
        ev("AgentState_Work"),
      ],
      ID,
    );
    expect(result.findings).toEqual([]);
    expect(result.terminalEvent).toBe("AgentState_Work");
  });

  it("reports a required step that was skipped", () => {
    const release = flow("release");
    const result = checkFlow(release, [ev("AgentEvent_Call_Release", ID), ev("AgentState_Ready")], ID);
    expect(result.findings.map((f) => f.message).join()).toMatch(/AgentEvent_Customer_Release/);
  });
});

describe("callIdOf", () => {
  it("reads bare strings, callid and callId", () => {
    expect(callIdOf(ev("A", "x"))).toBe("x");
    expect(callIdOf(ev("A", { callid: "y" }))).toBe("y");
    expect(callIdOf(ev("A", { callId: "z" }))).toBe("z");
    expect(callIdOf(ev("A", null))).toBeUndefined();
    expect(callIdOf(ev("A", { type: 1 }))).toBeUndefined();
  });
});
