/** The command line's value parsers: a bad value is a usage error that names what was expected. */
import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { positive, SLO_NAMES, segmentValue, sloValue, startAtValue } from "./cli-args.ts";

describe("value parsers", () => {
  it("reads --segment i/N and refuses an index outside the run", () => {
    expect(segmentValue("1/4")).toEqual({ index: 1, count: 4 });
    for (const bad of ["4/4", "1/0", "a/b", "1"])
      expect(() => segmentValue(bad)).toThrow(InvalidArgumentError);
  });

  it("reads --start-at as ISO time or epoch ms", () => {
    expect(startAtValue("2026-12-01T18:00:00Z")).toBe(Date.parse("2026-12-01T18:00:00Z"));
    expect(startAtValue("1700000000000")).toBe(1_700_000_000_000);
    expect(() => startAtValue("tomorrow")).toThrow(/ISO time/);
  });

  it("folds repeated --slo into one set, within the ranges of result.json's schema", () => {
    expect(SLO_NAMES).toEqual(["setupP95Ms", "calloutP95Ms", "errorRate", "lostRate", "violationRate"]);
    expect(sloValue("errorRate=0.05", sloValue("setupP95Ms=5000"))).toEqual({
      setupP95Ms: 5000,
      errorRate: 0.05,
    });
    expect(() => sloValue("errorRate=2")).toThrow(/errorRate must be a number from 0 to 1/);
    expect(() => sloValue("setupP95Ms=-1")).toThrow(/from 0/);
    expect(() => sloValue("p95=10")).toThrow(/one of setupP95Ms/);
  });

  it("refuses a non-positive number, naming the flag", () => {
    expect(positive("--rate")("2.5")).toBe(2.5);
    expect(() => positive("--agents", true)("2.5")).toThrow(/--agents must be a positive integer/);
  });
});
