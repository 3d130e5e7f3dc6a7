/**
 * The interfaces around the callout (sign-in, sign-out, agent status, release, hold), the data catalogs and the
 * validation messages themselves.
 */
import { describe, expect, it } from "vitest";
import {
  AGENT_STATES,
  agentStateCode,
  CLAUSES,
  clause,
  clausesOf,
  contractsFor,
  EDITIONS,
  OPERATION_IDS,
  OPERATIONS,
  pathFor,
  RETCODES,
  retcodesOf,
  SITUATIONS,
  schemaFiles,
} from "./index.ts";
import { documentedRetcodes } from "./operations.ts";

describe.each(EDITIONS)("sign-in, edition %s", (edition) => {
  const contracts = contractsFor(edition);
  const body = (extra: object) =>
    contracts.validate("onlineagent/login.request", { password: "", phonenum: "40038", ...extra });

  it("accepts the vendor's example, where numbers and booleans are strings", () => {
    expect(body({ status: "4", releasephone: "true", agenttype: "4" })).toEqual([]);
    expect(body({ status: 4, releasephone: true, agenttype: 11, autoanswer: false })).toEqual([]);
  });

  it("holds password to 32 characters and phonenum to 1-24 [login/body/password] [login/body/phonenum]", () => {
    expect(body({ password: "p".repeat(32) })).toEqual([]);
    expect(body({ password: "p".repeat(33) }).map((v) => v.clause)).toEqual(["login/body/password"]);
    expect(body({ phonenum: "" }).map((v) => v.clause)).toEqual(["login/body/phonenum"]);
    expect(body({ phonenum: "1".repeat(25) }).map((v) => v.clause)).toEqual(["login/body/phonenum"]);
  });

  it("never shows a password in a violation", () => {
    const [violation] = body({ password: "secret-password-that-is-far-too-long-for-it" });
    expect(violation?.value).toBe("[redacted]");
    expect(violation?.message).not.toContain("secret-password");
  });

  it("rejects a status outside 3, 4, 5 and an unknown field [login/body/status] [login/body]", () => {
    expect(body({ status: 7 }).map((v) => v.clause)).toContain("login/body/status");
    expect(body({ statusCode: 4 }).map((v) => v.clause)).toEqual(["login/body"]);
  });

  it("answers with the session in result on success [login/response/result]", () => {
    const ok = {
      message: "",
      retcode: "0",
      result: {
        vdnid: 1,
        workno: "291",
        mediatype: "TTF",
        loginTime: "1471585949806",
        isForceChange: "false",
        serverName: "AgentGateway",
        timeRemaining: "9",
      },
    };
    expect(contracts.validate("onlineagent/login.response", ok)).toEqual([]);
    expect(
      contracts.validate("onlineagent/login.response", { message: "", retcode: "0" }).map((v) => v.clause),
    ).toEqual(["login/response/result"]);
    expect(contracts.validate("onlineagent/login.response", { message: "", retcode: "100-002" })).toEqual([]);
  });

  it("reads Set-GUID as JSESSIONID=<guid> [login/header/Set-GUID]", () => {
    expect(
      contracts.validate(
        "onlineagent/set-guid.header",
        "JSESSIONID=0f8fad5b-d9cb-469f-a165-70867728950e.AgentGateway0",
      ),
    ).toEqual([]);
    expect(
      contracts
        .validate("onlineagent/set-guid.header", "0f8fad5b-d9cb-469f-a165-70867728950e")
        .map((v) => v.clause),
    ).toEqual(["login/header/Set-GUID"]);
  });
});

describe.each(EDITIONS)("status, release, hold, sign-out, edition %s", (edition) => {
  const contracts = contractsFor(edition);

  it("agent status carries a state code 0-9 [getAgentStatus/response/agentState]", () => {
    const status = (agentState: unknown) =>
      contracts.validate("onlineagent/agentstatus.response", {
        message: "",
        retcode: "0",
        result: { agentState, isWorking: false },
      });
    for (const s of AGENT_STATES) expect(status(s.code)).toEqual([]);
    expect(status(10).map((v) => v.clause)).toEqual(["getAgentStatus/response/agentState"]);
    expect(status("4").map((v) => v.clause)).toEqual(["getAgentStatus/response/agentState"]);
  });

  it.each(["voicecall/release.response", "voicecall/hold.response", "onlineagent/logout.response"] as const)(
    "%s: a reserved result of any shape is accepted, the envelope is required",
    (name) => {
      for (const result of [null, {}, "", undefined]) {
        expect(contracts.validate(name, { message: "", retcode: "0", result })).toEqual([]);
      }
      expect(contracts.validate(name, { message: "" }).map((v) => v.clause)).toContain(
        "callout/response/retcode",
      );
    },
  );
});

describe("operation registry", () => {
  it("names each operation by the vendor's log name and points at schemas that exist", () => {
    for (const id of OPERATION_IDS) {
      const op = OPERATIONS[id];
      expect(op.id).toBe(id);
      for (const name of [op.headers, op.response, "request" in op ? op.request : undefined]) {
        if (name) expect(Object.keys(schemaFiles)).toContain(name);
      }
      expect(() => clause(op.clause)).not.toThrow();
    }
  });

  it("builds the callout path and documents the page's four error codes", () => {
    expect(pathFor("callout", "1001")).toBe("/agentgateway/resource/voicecall/1001/callout");
    expect(OPERATIONS.callout.method).toBe("PUT");
    expect(documentedRetcodes("callout").filter((c) => c !== "0" && c !== "000-003")).toEqual([
      "000-002",
      "100-006",
      "100-007",
      "200-001",
    ]);
  });
});

describe("retcode catalog and situations", () => {
  it("has unique codes of the form 0 or NNN-NNN", () => {
    const codes = RETCODES.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^(0|[0-9]{3}-[0-9]{3})$/);
  });

  it("keeps the newer codes out of the 2023-09 table", () => {
    expect(retcodesOf("2023-09").map((r) => r.code)).not.toContain("100-021");
    expect(retcodesOf("2025-03").map((r) => r.code)).toContain("100-021");
  });

  it("situations name only catalogued codes, and an invalid parameter is pinned to 000-002", () => {
    const codes = new Set(RETCODES.map((r) => r.code));
    for (const s of Object.values(SITUATIONS)) for (const c of s.codes) expect(codes.has(c)).toBe(true);
    expect(SITUATIONS["invalid-parameter"]).toMatchObject({ codes: ["000-002"], pinned: true });
    expect(SITUATIONS["already-in-call"]?.pinned).toBe(false);
  });
});

describe("agent states and clauses", () => {
  it("maps state names to the CC-Gateway codes", () => {
    expect(agentStateCode("idle")).toBe(4);
    expect(agentStateCode("talking")).toBe(7);
    expect(() => agentStateCode("dancing")).toThrow(/no agent state/);
  });

  it("has unique clause ids, and limits the 2025 clauses to the 2025 editions", () => {
    const ids = CLAUSES.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(clausesOf("2023-09").map((c) => c.id)).not.toContain("callout/body/userVideoDirection");
    expect(clausesOf("2025-11").map((c) => c.id)).toContain("callout/body/userVideoDirection");
    expect(() => clause("callout/body/nothing")).toThrow(/unknown clause/);
  });
});

describe("violation messages", () => {
  it("name the field, the rule, the value and the clause", () => {
    const [v] = contractsFor().validate("voicecall/callout.request", { called: "12a" });
    expect(v).toMatchObject({
      path: "/called",
      keyword: "pattern",
      clause: "callout/body/called",
      value: "12a",
    });
    expect(v?.message).toBe(
      'voicecall/callout.request: called must match pattern "^[0-9*#]+$"; got "12a" [callout/body/called]',
    );
  });

  it("shorten long values and say their length", () => {
    const [v] = contractsFor().validate("voicecall/callout.request", {
      called: "1",
      callappdata: "x".repeat(20000),
    });
    expect(v?.message).toContain("(20000 characters)");
    expect(v?.message.length).toBeLessThan(200);
  });

  it("report a missing required field at its own path", () => {
    const [v] = contractsFor().validate("voicecall/callout.request", {});
    expect(v).toMatchObject({ path: "/called", keyword: "required", clause: "callout/body/called" });
    expect(v?.message).toContain("called is required but missing");
  });
});
