/**
 * The callout contracts against the interface page, edge by edge, in every edition. The numbers here are the
 * page's own (24 digits, 16 KB, 101-59999...): these tests are where the contracts are held to the page.
 */
import { describe, expect, it } from "vitest";
import { utf8Length } from "./ajv.ts";
import { CALLOUT_EXAMPLE } from "./examples.ts";
import { contractsFor, EDITIONS, type Edition } from "./index.ts";

const NEW_EDITIONS: Edition[] = ["2025-03", "2025-11"];

function clausesOf(
  edition: Edition,
  name: Parameters<ReturnType<typeof contractsFor>["validate"]>[0],
  data: unknown,
) {
  return contractsFor(edition)
    .validate(name, data)
    .map((v) => v.clause);
}

describe.each(EDITIONS)("callout request body, edition %s", (edition) => {
  const check = (body: unknown) => clausesOf(edition, "voicecall/callout.request", body);

  it("accepts the smallest valid body: only called", () => {
    expect(check({ called: "1" })).toEqual([]);
  });

  it.each([
    ["1 digit", "1"],
    ["24 digits", "1".repeat(24)],
    ["digits, * and #", "*12#34*#"],
  ])("called: accepts %s [callout/body/called]", (_label, called) => {
    expect(check({ called })).toEqual([]);
  });

  it.each([
    ["empty", ""],
    ["25 digits", "1".repeat(25)],
    ["a letter", "12a4"],
    ["a plus sign", "+8613800000000"],
    ["a space", "123 456"],
    ["a number instead of a string", 12345],
  ])("called: rejects %s [callout/body/called]", (_label, called) => {
    expect(check({ called })).toContain("callout/body/called");
  });

  it("called: missing is rejected [callout/body/called]", () => {
    expect(check({ caller: "1" })).toEqual(["callout/body/called"]);
  });

  it.each([
    ["empty (platform default)", ""],
    ["1 digit", "1"],
    ["24 digits", "9".repeat(24)],
  ])("caller: accepts %s [callout/body/caller]", (_label, caller) => {
    expect(check({ called: "1", caller })).toEqual([]);
  });

  it.each([
    ["25 digits", "9".repeat(25)],
    ["* (digits only, unlike called)", "12*"],
    ["a letter", "1a"],
    ["a number instead of a string", 123],
  ])("caller: rejects %s [callout/body/caller]", (_label, caller) => {
    expect(check({ called: "1", caller })).toContain("callout/body/caller");
  });

  it.each([0, 1, 25, 2147483647])("skillid: accepts the integer %s [callout/body/skillid]", (skillid) => {
    expect(check({ called: "1", skillid })).toEqual([]);
  });

  it.each([
    ["a string", "25"],
    ["a fraction", 2.5],
    ["null", null],
  ])("skillid: rejects %s [callout/body/skillid]", (_label, skillid) => {
    expect(check({ called: "1", skillid })).toContain("callout/body/skillid");
  });

  it.each([0, 1, 2])("mediaability: accepts %s [callout/body/mediaability]", (mediaability) => {
    expect(check({ called: "1", mediaability })).toEqual([]);
  });

  it.each([-1, 3, "0"])("mediaability: rejects %s [callout/body/mediaability]", (mediaability) => {
    expect(check({ called: "1", mediaability })).toContain("callout/body/mediaability");
  });

  it("rejects a field that is not on the page [callout/body]", () => {
    expect(check({ called: "1", calledNumber: "1" })).toEqual(["callout/body"]);
  });

  it("rejects a body that is not an object [callout/body]", () => {
    expect(check(["1"])).toEqual(["callout/body"]);
  });
});

describe.each(EDITIONS)("callappdata and 16 KB (16384 bytes of UTF-8), edition %s", (edition) => {
  const check = (callappdata: string) =>
    clausesOf(edition, "voicecall/callout.request", { called: "1", callappdata });

  it("accepts empty data", () => {
    expect(check("")).toEqual([]);
  });

  it("accepts 16384 ASCII characters (16384 bytes) and rejects 16385 [callout/body/callappdata]", () => {
    expect(check("a".repeat(16384))).toEqual([]);
    expect(check("a".repeat(16385))).toContain("callout/body/callappdata");
  });

  it("counts bytes, not characters: 5461 three-byte characters plus one ASCII is exactly 16384 bytes", () => {
    const atLimit = `${"漢".repeat(5461)}a`;
    expect(utf8Length(atLimit)).toBe(16384);
    expect(check(atLimit)).toEqual([]);
  });

  it("rejects 5462 three-byte characters: 16386 bytes though only 5462 characters [callout/body/callappdata]", () => {
    const overByBytes = "漢".repeat(5462);
    expect(overByBytes.length).toBeLessThan(16384);
    expect(check(overByBytes)).toEqual(["callout/body/callappdata"]);
  });

  it("counts a surrogate pair (emoji) as 4 bytes", () => {
    expect(utf8Length("😀")).toBe(4);
    expect(check("😀".repeat(4096))).toEqual([]);
    expect(check(`${"😀".repeat(4096)}a`)).toEqual(["callout/body/callappdata"]);
  });

  it("counts a lone surrogate as 3 bytes, as its replacement character encodes", () => {
    expect(utf8Length("\ud800")).toBe(3);
  });

  it("counts two-byte characters (é) as 2 bytes: 8192 fit, 8193 do not", () => {
    expect(check("é".repeat(8192))).toEqual([]);
    expect(check("é".repeat(8193))).toEqual(["callout/body/callappdata"]);
  });
});

describe("userVideoDirection by edition", () => {
  it.each(NEW_EDITIONS)(
    "%s: accepts 1 to 4 with mediaability 1 [callout/body/userVideoDirection]",
    (edition) => {
      for (const userVideoDirection of [1, 2, 3, 4]) {
        expect(
          clausesOf(edition, "voicecall/callout.request", {
            called: "1",
            mediaability: 1,
            userVideoDirection,
          }),
        ).toEqual([]);
      }
    },
  );

  it.each(NEW_EDITIONS)("%s: rejects 0 and 5 [callout/body/userVideoDirection]", (edition) => {
    for (const userVideoDirection of [0, 5]) {
      expect(
        clausesOf(edition, "voicecall/callout.request", { called: "1", mediaability: 1, userVideoDirection }),
      ).toContain("callout/body/userVideoDirection");
    }
  });

  it.each(NEW_EDITIONS)(
    "%s: the harness never sends it without mediaability 1, and the violation is marked open",
    (edition) => {
      for (const body of [
        { called: "1", userVideoDirection: 4 },
        { called: "1", mediaability: 0, userVideoDirection: 4 },
        { called: "1", mediaability: 2, userVideoDirection: 1 },
      ]) {
        const violations = contractsFor(edition).validate("voicecall/callout.request", body);
        expect(violations.map((v) => v.clause)).toEqual(["callout/body/userVideoDirection/mediaability"]);
        expect(violations[0]?.open).toMatch(/rejects or ignores/);
      }
    },
  );

  it("2023-09: the field does not exist, so sending it is an unknown field [callout/body]", () => {
    expect(
      clausesOf("2023-09", "voicecall/callout.request", {
        called: "1",
        mediaability: 1,
        userVideoDirection: 4,
      }),
    ).toEqual(["callout/body"]);
    expect(contractsFor("2023-09").schemas["voicecall/callout.request"]).not.toHaveProperty(
      "properties.userVideoDirection",
    );
  });
});

describe("agentid range by edition [callout/path/agentid]", () => {
  const cases: [Edition, string, boolean][] = [
    ["2023-09", "100", false],
    ["2023-09", "101", true],
    ["2023-09", "59999", true],
    ["2023-09", "60000", false],
    ["2025-03", "100", false],
    ["2025-03", "101", true],
    ["2025-03", "59999", true],
    ["2025-03", "60000", false],
    ["2025-11", "100", false],
    ["2025-11", "101", true],
    ["2025-11", "59999", true],
    ["2025-11", "60000", true],
    ["2025-11", "999999", true],
    ["2025-11", "1000000", false],
  ];
  it.each(cases)("%s: agentid %s valid=%s", (edition, agentid, valid) => {
    expect(clausesOf(edition, "common/agent-id", agentid)).toEqual(valid ? [] : ["callout/path/agentid"]);
  });

  it.each(EDITIONS)("%s: rejects leading zeros, signs, blanks and numbers", (edition) => {
    for (const bad of ["0101", "+101", "-101", " 101", "", "1e3", 101]) {
      expect(clausesOf(edition, "common/agent-id", bad)).toEqual(["callout/path/agentid"]);
    }
  });
});

describe.each(EDITIONS)("callout headers, edition %s", (edition) => {
  const guid = "0f8fad5b-d9cb-469f-a165-70867728950e.AgentGateway1";
  const check = (headers: unknown) => clausesOf(edition, "common/request-headers", headers);

  it("accepts the documented Content-Type and a Guid of the documented form [callout/header]", () => {
    expect(check({ "content-type": "application/json; charset=UTF-8", guid })).toEqual([]);
    expect(check({ "content-type": "application/json;charset=utf-8", guid })).toEqual([]);
  });

  it("rejects a missing Guid [callout/header/Guid] and a missing Content-Type [callout/header/Content-Type]", () => {
    expect(check({ "content-type": "application/json; charset=UTF-8" })).toEqual(["callout/header/Guid"]);
    expect(check({ guid })).toEqual(["callout/header/Content-Type"]);
  });

  it("rejects another media type [callout/header/Content-Type]", () => {
    expect(check({ "content-type": "text/plain", guid })).toEqual(["callout/header/Content-Type"]);
  });

  it("rejects a Guid without the gateway suffix and never shows its value [callout/header/Guid]", () => {
    const violations = contractsFor(edition).validate("common/request-headers", {
      "content-type": "application/json",
      guid: "0f8fad5b-d9cb-469f-a165-70867728950e",
    });
    expect(violations.map((v) => v.clause)).toEqual(["callout/header/Guid"]);
    expect(violations[0]?.value).toBe("[redacted]");
    expect(violations[0]?.message).not.toContain("0f8fad5b");
  });
});

describe.each(EDITIONS)("callout response, edition %s", (edition) => {
  const check = (body: unknown) => clausesOf(edition, "voicecall/callout.response", body);

  it("accepts success with a call id [callout/response/result]", () => {
    expect(check({ message: "", retcode: "0", result: "1455885056-1095" })).toEqual([]);
  });

  it("accepts failure without a call id, and tolerates result null on failure", () => {
    expect(check({ message: "agent not login", retcode: "100-006" })).toEqual([]);
    expect(check({ message: "", retcode: "000-002", result: null })).toEqual([]);
  });

  it("tolerates fields the page does not list (gateways add them)", () => {
    expect(check({ message: "", retcode: "0", result: "1-1", traceId: "abc" })).toEqual([]);
  });

  it("rejects success without a call id [callout/response/result]", () => {
    expect(check({ message: "", retcode: "0" })).toEqual(["callout/response/result"]);
    expect(check({ message: "", retcode: "0", result: "" })).toEqual(["callout/response/result"]);
  });

  it("rejects a call id on failure [callout/response/result/on-failure]", () => {
    expect(check({ message: "", retcode: "100-007", result: "1455885056-1095" })).toEqual([
      "callout/response/result/on-failure",
    ]);
  });

  it('rejects a retcode that is not "0" or NNN-NNN, or not a string [callout/response/retcode]', () => {
    expect(check({ message: "", retcode: "success", result: "1-1" })).toContain("callout/response/retcode");
    expect(check({ message: "", retcode: 0, result: "1-1" })).toContain("callout/response/retcode");
    expect(check({ message: "", retcode: "00-002" })).toContain("callout/response/retcode");
  });

  it("rejects a missing message or retcode [callout/response/message] [callout/response/retcode]", () => {
    expect(check({ retcode: "0", result: "1-1" })).toEqual(["callout/response/message"]);
    expect(check({ message: "" })).toContain("callout/response/retcode");
  });
});

describe("the page's own example [callout/example/request] [callout/example/response]", () => {
  // The example on the interface page (shared/spec): it uses userVideoDirection, a 2025 field.
  const request = CALLOUT_EXAMPLE.request.value;
  const response = CALLOUT_EXAMPLE.response.value;

  it.each(NEW_EDITIONS)("%s: the example request and response are valid", (edition) => {
    expect(clausesOf(edition, "voicecall/callout.request", request)).toEqual([]);
    expect(clausesOf(edition, "voicecall/callout.response", response)).toEqual([]);
    expect(
      clausesOf(edition, "common/request-headers", {
        "content-type": "application/json; charset=UTF-8",
        guid: "01234567-89ab-cdef-0123-456789abcdef.AgentGateway1",
      }),
    ).toEqual([]);
  });

  it("the example's call id has the documented <epoch seconds>-<sequence> form", () => {
    const callid = contractsFor().schemas["common/callid"];
    expect(new RegExp(String(callid["x-example-pattern"])).test(response.result)).toBe(true);
  });
});
