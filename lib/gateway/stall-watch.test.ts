/**
 * The stall watch notices when this process could not run its timers: a blocked event loop shows between the
 * moments around it, and nothing shows from before the watch began.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { expect, it } from "vitest";
import { stallWithin, watchStalls } from "./stall-watch.ts";

it("sees a blocked event loop between the moments around it, and only there", async () => {
  watchStalls();
  await sleep(60);
  const before = Date.now();
  const until = Date.now() + 300;
  while (Date.now() < until) {
    // This process does nothing else for 300 ms: the watch's ticker cannot fire.
  }
  // Asked at once, before the ticker could run: the stall is still going, and counts.
  expect(stallWithin(before, Date.now())).toBeGreaterThanOrEqual(280);
  await sleep(60);
  const after = Date.now();
  expect(stallWithin(before, after)).toBeGreaterThanOrEqual(280);
  // Before the watch began there is nothing to tell.
  expect(stallWithin(0, before - 1000)).toBe(0);
});
