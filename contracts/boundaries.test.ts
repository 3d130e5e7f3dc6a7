/** Tests of the boundary walker: the cases follow the contract of each edition, and validity comes from it. */
import { describe, expect, it } from "vitest";
import { utf8Length } from "./ajv.ts";
import { applyInsert, type BoundaryCase, boundaryCases } from "./boundaries.ts";
import { EDITIONS } from "./editions.ts";
import { contractsFor } from "./validate.ts";

const base = { called: "4000001" };

function find(cases: BoundaryCase[], field: string, kind: string): BoundaryCase {
  const found = cases.find((c) => c.field === field && c.kind === kind);
  if (!found) throw new Error(`no case ${field} ${kind}: ${cases.map((c) => c.name).join(", ")}`);
  return found;
}

describe("boundaryCases over voicecall/callout.request", () => {
  for (const edition of EDITIONS) {
    const contracts = contractsFor(edition);
    const schema = contracts.schemas["voicecall/callout.request"] as {
      properties: Record<string, { maxLength?: number; minLength?: number; "x-maxUtf8Bytes"?: number }>;
    };
    const cases = boundaryCases(contracts, "voicecall/callout.request", base);

    it(`${edition}: called at its length limits, read from the schema`, () => {
      const max = schema.properties.called?.maxLength ?? Number.NaN;
      const atMax = find(cases, "/called", "maxLength");
      const over = find(cases, "/called", "maxLength+1");
      expect((atMax.fieldValue as string).length).toBe(max);
      expect(atMax.valid).toBe(true);
      expect((over.fieldValue as string).length).toBe(max + 1);
      expect(over.valid).toBe(false);
      expect(over.clause).toBe("callout/body/called");
      expect(over.violations.map((v) => v.clause)).toContain("callout/body/called");
      expect(find(cases, "/called", "minLength").valid).toBe(true);
      expect(find(cases, "/called", "empty").valid).toBe(false);
    });

    it(`${edition}: forbidden characters come from the pattern and are refused`, () => {
      const forbidden = cases.filter((c) => c.field === "/called" && c.kind === "forbidden-character");
      expect(forbidden.length).toBeGreaterThan(0);
      for (const c of forbidden) {
        expect(c.valid).toBe(false);
        expect(c.violations.some((v) => v.keyword === "pattern")).toBe(true);
      }
    });

    it(`${edition}: each forbidden character goes at the start, in the middle and at the end; blanks go around a valid value`, () => {
      for (const field of ["/called", "/caller"]) {
        const forbidden = cases.filter((c) => c.field === field && c.kind === "forbidden-character");
        const chars = new Set(forbidden.map((c) => c.insert?.text));
        for (const char of chars) {
          const places = forbidden.filter((c) => c.insert?.text === char).map((c) => c.insert?.at);
          expect(places, `${field} ${char}`).toEqual(["start", "middle", "end"]);
        }
        for (const c of forbidden) {
          const value = c.fieldValue as string;
          const at = value.indexOf(c.insert?.text ?? "");
          const where = at === 0 ? "start" : at === value.length - 1 ? "end" : "middle";
          expect(where, `${field} ${JSON.stringify(value)}`).toBe(c.insert?.at);
        }
        const blanks = find(cases, field, "blanks-around");
        expect(blanks.valid).toBe(false);
        expect(blanks.fieldValue).toMatch(/^ \S+ $/);
        expect(applyInsert("4000001", { text: "a", at: "middle" })).toBe("400a0001");
      }
    });

    it(`${edition}: missing called, unknown field and wrong types are invalid with their clauses`, () => {
      const missing = find(cases, "/called", "missing");
      expect(missing.valid).toBe(false);
      expect(missing.value).not.toHaveProperty("called");
      const extra = find(cases, "/xUnknownField", "unknown-field");
      expect(extra.valid).toBe(false);
      expect(extra.clause).toBe("callout/body");
      expect(find(cases, "/caller", "wrong-type").valid).toBe(false);
      expect(find(cases, "/skillid", "wrong-type").valid).toBe(false);
      expect(find(cases, "/skillid", "not-an-integer").valid).toBe(false);
    });

    it(`${edition}: every enum member of mediaability is valid, one outside is not`, () => {
      const members = cases.filter((c) => c.field === "/mediaability" && c.kind === "enum-member");
      expect(members.map((c) => c.fieldValue)).toEqual([0, 1, 2]);
      expect(members.every((c) => c.valid)).toBe(true);
      expect(find(cases, "/mediaability", "enum-outside").valid).toBe(false);
    });

    it(`${edition}: callappdata at the UTF-8 byte limit; one byte over with fewer characters is open`, () => {
      const bytes = schema.properties.callappdata?.["x-maxUtf8Bytes"] ?? Number.NaN;
      const atLimit = find(cases, "/callappdata", "maxBytes-multibyte");
      expect(utf8Length(atLimit.fieldValue as string)).toBe(bytes);
      expect(atLimit.valid).toBe(true);
      const over = find(cases, "/callappdata", "maxBytes+1-multibyte");
      expect(utf8Length(over.fieldValue as string)).toBe(bytes + 1);
      expect(over.valid).toBe(false);
      expect(over.open).toMatch(/bytes or characters/);
      const asciiOver = find(cases, "/callappdata", "maxLength+1");
      expect(asciiOver.valid).toBe(false);
      expect(asciiOver.open).toBeUndefined();
    });

    it(`${edition}: userVideoDirection exists only where the edition has it`, () => {
      const uvd = cases.filter((c) => c.field === "/userVideoDirection");
      if (edition === "2023-09") {
        expect(uvd).toHaveLength(0);
        return;
      }
      const members = uvd.filter((c) => c.kind === "enum-member");
      expect(members.map((c) => c.fieldValue)).toEqual([1, 2, 3, 4]);
      // Valid members carry the mediaability the dependency asks for.
      for (const m of members) {
        expect(m.valid).toBe(true);
        expect((m.value as { mediaability?: number }).mediaability).toBe(1);
      }
      const dependency = find(cases, "/userVideoDirection", "dependency-missing");
      expect(dependency.valid).toBe(false);
      expect(dependency.open).toBeDefined();
      expect(dependency.clause).toBe("callout/body/userVideoDirection/mediaability");
    });

    it(`${edition}: the agent id range comes from x-digits-range`, () => {
      const agentCases = boundaryCases(contracts, "common/agent-id", "1001");
      const range = contracts.schemas["common/agent-id"]?.["x-digits-range"] as {
        minimum: number;
        maximum: number;
      };
      const byKind = Object.fromEntries(agentCases.map((c) => [c.kind, c]));
      expect(byKind["from-1"]?.fieldValue).toBe(String(range.minimum - 1));
      expect(byKind["from-1"]?.valid).toBe(false);
      expect(byKind.from?.valid).toBe(true);
      expect(byKind.to?.fieldValue).toBe(String(range.maximum));
      expect(byKind.to?.valid).toBe(true);
      expect(byKind["to+1"]?.valid).toBe(false);
      expect(byKind["to+1"]?.clause).toBe("callout/path/agentid");
    });
  }

  it("names are unique and the same options give the same cases", () => {
    const contracts = contractsFor("2025-03");
    const a = boundaryCases(contracts, "voicecall/callout.request", base);
    const b = boundaryCases(contracts, "voicecall/callout.request", base);
    expect(new Set(a.map((c) => c.name)).size).toBe(a.length);
    expect(b).toEqual(a);
  });

  it("uses the text maker it is given", () => {
    const contracts = contractsFor("2025-03");
    const cases = boundaryCases(contracts, "voicecall/callout.request", base, {
      text: (n, alphabet) => (alphabet.includes("9") ? "9" : (alphabet[0] ?? "")).repeat(n),
    });
    expect(find(cases, "/called", "maxLength").fieldValue).toMatch(/^9+$/);
  });

  it("refuses an invalid base value", () => {
    expect(() => boundaryCases(contractsFor("2025-03"), "voicecall/callout.request", {})).toThrow(
      /base value/,
    );
  });
});
