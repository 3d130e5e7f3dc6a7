/** The capacity model's token bucket, at rates above and below one call per second. */
import { describe, expect, it } from "vitest";
import { Capacity } from "./capacity.ts";

function admitted(capacity: Capacity, times: number[]): number {
  return times.filter((t) => capacity.admit(0, t) === undefined).length;
}

describe("capacity: callout rate", () => {
  it("admits a burst of one second's worth, then the configured rate", () => {
    const capacity = new Capacity({ maxCallsPerSecond: 5 });
    const firstSecond = Array.from({ length: 20 }, (_, i) => 1000 + i);
    expect(admitted(capacity, firstSecond)).toBe(5);
    const nextTenSeconds = Array.from({ length: 201 }, (_, i) => 1020 + i * 50);
    expect(admitted(capacity, nextTenSeconds)).toBe(50);
  });

  it("admits calls at rates below one per second (one call every two seconds at 0.5/s)", () => {
    const capacity = new Capacity({ maxCallsPerSecond: 0.5 });
    const everyHundredMs = Array.from({ length: 100 }, (_, i) => 1000 + i * 100);
    expect(admitted(capacity, everyHundredMs)).toBe(5);
    expect(capacity.refused["call-rate"]).toBe(95);
  });
});
