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

  it("admits a smaller burst when burstSeconds says so, and the same rate after it", () => {
    const capacity = new Capacity({ maxCallsPerSecond: 20, burstSeconds: 0.1 });
    const firstSecond = Array.from({ length: 40 }, (_, i) => 1000 + i);
    expect(admitted(capacity, firstSecond)).toBe(2);
    // 5 s at 40 attempts/s: the bucket refills at 20/s, so 100 more get through (plus what refilled meanwhile).
    const nextFiveSeconds = Array.from({ length: 200 }, (_, i) => 1040 + i * 25);
    expect(admitted(capacity, nextFiveSeconds)).toBe(100);
  });

  it("refuses a capacity setting it does not know, and a burst that is not a positive number", () => {
    expect(() => new Capacity({ maxCallsPerSecond: 5, burst: 2 } as never)).toThrow(/not a capacity setting/);
    expect(() => new Capacity({ maxCallsPerSecond: 5, burstSeconds: 0 })).toThrow(/must be a number > 0/);
  });

  it("admits calls at rates below one per second (one call every two seconds at 0.5/s)", () => {
    const capacity = new Capacity({ maxCallsPerSecond: 0.5 });
    const everyHundredMs = Array.from({ length: 100 }, (_, i) => 1000 + i * 100);
    expect(admitted(capacity, everyHundredMs)).toBe(5);
    expect(capacity.refused["call-rate"]).toBe(95);
  });
});
