/** The roster: listed agents first, then the range, by index and by id, computed only when asked. */
import { describe, expect, it } from "vitest";
import { Roster } from "./roster.ts";

const roster = new Roster({
  agents: [{ id: "5", password: "p", phone: "9" }],
  agentRange: { from: 1001, count: 3, password: "r", phoneFrom: 700001 },
});

describe("roster", () => {
  it("lists explicit agents first, then the range, and refuses an index past it", () => {
    expect(roster.size).toBe(4);
    expect(roster.at(0).id).toBe("5");
    expect(roster.at(1)).toEqual({ id: "1001", password: "r", phone: "700001" });
    expect(roster.at(3).id).toBe("1003");
    expect(() => roster.at(4)).toThrow(RangeError);
    expect(() => roster.at(-1)).toThrow(RangeError);
    expect(roster.first(2).map((a) => a.id)).toEqual(["5", "1001"]);
    expect(roster.first().map((a) => a.id)).toEqual(["5", "1001", "1002", "1003"]);
  });

  it("finds an agent by id: a listed one, or one of the range written as the range writes it", () => {
    expect(roster.get("5")?.phone).toBe("9");
    expect(roster.get("1002")).toEqual({ id: "1002", password: "r", phone: "700002" });
    for (const id of ["1000", "1004", "01002", "1002.0", "", "abc"]) expect(roster.get(id)).toBeUndefined();
  });

  it("holds a range of a million agents without making them", () => {
    const big = new Roster({ agentRange: { from: 1, count: 1_000_000, password: "x", phoneFrom: 1 } });
    expect(big.size).toBe(1_000_000);
    expect(big.at(999_999).id).toBe("1000000");
    expect(big.get("500000")?.phone).toBe("500000");
    expect(new Roster({}).size).toBe(0);
  });
});
