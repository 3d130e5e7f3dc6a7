import { defineConfig } from "vitest/config";
import { SkipReport } from "./scripts/skip-report.ts";

// Projects: "unit" holds the colocated *.test.ts of every part, but for "unit-load", the real load runs, which
// run alone after it; "scenarios" is the functional suite against a gateway (scenarios/README.md), with its
// self-test.

/** Unit files that run real load against the mock (a capacity search, the engine, the benchmark). */
const LOAD_RUNS = [
  "load/capacity-search.test.ts",
  "scripts/load-engine.test.ts",
  "scripts/bench-load.test.ts",
];

export default defineConfig({
  test: {
    // Every skip says why; under CI (.ci/run) a skip fails the run.
    reporters: ["default", new SkipReport({ strict: process.env.CI !== undefined && process.env.CI !== "" })],
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "contracts/**/*.test.ts",
            "lib/**/*.test.ts",
            "mock/**/*.test.ts",
            "scripts/**/*.test.ts",
            "load/**/*.test.ts",
          ],
          exclude: LOAD_RUNS,
          environment: "node",
          // Two files at a time: most of them wait on processes and sockets, not on the CPU.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          // Real load runs against the mock, alone and after the rest: a starved CPU fires a schedule's late
          // timers together, and the mock's tight token bucket refuses the clump (seen with two workers).
          name: "unit-load",
          include: LOAD_RUNS,
          environment: "node",
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          // The functional suite (scenarios/README.md): globalSetup starts the embedded mock unless CCGW_TARGET
          // names a profile; files run one after another because they share the profile's agents.
          name: "scenarios",
          include: ["scenarios/**/*.test.ts"],
          environment: "node",
          globalSetup: ["scenarios/setup/global-setup.ts"],
          sequence: { groupOrder: 2 },
          setupFiles: ["scenarios/setup/pactum.setup.ts"],
          fileParallelism: false,
          maxConcurrency: 16,
          testTimeout: 600_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
