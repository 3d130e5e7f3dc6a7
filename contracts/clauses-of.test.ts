/** Unit tests of the clause walker: the clauses a conforming value was held to, from the schema used. */
import { describe, expect, it } from "vitest";
import { appliedClauses } from "./clauses-of.ts";
import { contractsFor } from "./validate.ts";

const ids = (list: { clause: string }[]) => list.map((c) => c.clause);

describe("appliedClauses", () => {
  it("a successful callout answer: envelope fields, then-branch result, no failure clause", () => {
    const contracts = contractsFor("2025-11");
    const answer = { message: "", retcode: "0", result: "1455885056-1095" };
    expect(contracts.validate("voicecall/callout.response", answer)).toEqual([]);
    const found = ids(appliedClauses(contracts, "voicecall/callout.response", answer));
    expect(found).toEqual(
      expect.arrayContaining([
        "callout/response",
        "common/response/envelope",
        "callout/response/message",
        "callout/response/retcode",
        "callout/response/result",
      ]),
    );
    expect(found).not.toContain("callout/response/result/on-failure");
  });

  it("a failed callout answer takes the else branch", () => {
    const found = ids(
      appliedClauses(contractsFor("2025-11"), "voicecall/callout.response", {
        message: "x",
        retcode: "100-007",
      }),
    );
    expect(found).toContain("callout/response/result/on-failure");
    expect(found).not.toContain("callout/response/result");
  });

  it("a polled event: base fields present, the event type's own schema, eventGenTime only when present", () => {
    const contracts = contractsFor("2025-11");
    const event = {
      eventType: "AgentEvent_Talking",
      workNo: "101",
      content: { callid: "1-1", caller: "1", called: "2" },
    };
    const without = ids(
      appliedClauses(contracts, "agentevent/getAgentEvent.response", { retcode: "0", message: "", event }),
    );
    expect(without).toEqual(
      expect.arrayContaining([
        "getAgentEvent/response",
        "getAgentEvent/response/event",
        "getAgentEvent/response/event/eventType",
        "getAgentEvent/response/event/workNo",
        "getAgentEvent/response/event/content",
        "callout/events/AgentEvent_Talking",
      ]),
    );
    expect(without).not.toContain("getAgentEvent/response/event/eventGenTime");
    const withTime = appliedClauses(contracts, "agentevent/getAgentEvent.response", {
      retcode: "0",
      message: "",
      event: { ...event, eventGenTime: 1_700_000_000_000 },
    });
    expect(withTime).toContainEqual({
      clause: "getAgentEvent/response/event/eventGenTime",
      path: "/event/eventGenTime",
    });
  });

  it("an empty poll credits the event clause through the null branch only", () => {
    const found = ids(
      appliedClauses(contractsFor("2025-11"), "agentevent/getAgentEvent.response", {
        retcode: "0",
        message: "",
        event: null,
      }),
    );
    expect(found).toContain("getAgentEvent/response/event");
    expect(found).not.toContain("getAgentEvent/response/event/eventType");
  });

  it("oneOf: only the matching branch of a sign-in field counts; absent fields are not credited", () => {
    const found = appliedClauses(contractsFor("2025-11"), "onlineagent/login.request", {
      password: "p",
      phonenum: "1",
      status: "3",
    });
    expect(found).toContainEqual({ clause: "login/body/status", path: "/status" });
    expect(ids(found)).not.toContain("login/body/agenttype");
  });

  it("follows the edition: a field the edition removed is not credited", () => {
    const body = { called: "4000001", mediaability: 1, userVideoDirection: 4 };
    const old = ids(appliedClauses(contractsFor("2023-09"), "voicecall/callout.request", body));
    const recent = ids(appliedClauses(contractsFor("2025-11"), "voicecall/callout.request", body));
    expect(recent.some((c) => c.startsWith("callout/body/userVideoDirection"))).toBe(true);
    expect(old.some((c) => c.startsWith("callout/body/userVideoDirection"))).toBe(false);
  });
});
