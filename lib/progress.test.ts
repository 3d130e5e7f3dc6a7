/** Tests of the progress lines: elapsed time, calls, call rate between two readings, errors. */
import { describe, expect, it } from "vitest";
import { formatElapsed, progressLine, startProgress } from "./progress.ts";

describe("progress", () => {
  it("formats elapsed time as m:ss or h:mm:ss", () => {
    expect(formatElapsed(0)).toBe("0:00");
    expect(formatElapsed(65_400)).toBe("1:05");
    expect(formatElapsed(3_725_000)).toBe("1:02:05");
  });

  it("shows calls, the rate since the last reading and errors", () => {
    expect(
      progressLine("load", 20_000, { calls: 30, errors: 2 }, { figures: { calls: 10 }, at: 0 }, 10_000),
    ).toBe("[ccgw] load: 0:20 elapsed, 30 calls, 2.0 calls/s, 2 errors");
    expect(progressLine("contract", 10_000, { calls: 3, errors: 7 }, undefined, 10_000, "refusals")).toBe(
      "[ccgw] contract: 0:10 elapsed, 3 calls, 7 refusals",
    );
    expect(progressLine("contract", 5_000, undefined, undefined, 5_000)).toBe(
      "[ccgw] contract: 0:05 elapsed",
    );
  });

  it("prints lines until stopped, and none after", async () => {
    const lines: string[] = [];
    let calls = 0;
    const ticker = startProgress("load", {
      everyMs: 10,
      write: (line) => lines.push(line),
      figures: async () => {
        calls += 5;
        return { calls, errors: 0 };
      },
    });
    const deadline = Date.now() + 5_000;
    while (lines.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    ticker.stop();
    const seen = lines.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBe(seen);
    expect(lines[1]).toMatch(/calls\/s/);
  });
});
