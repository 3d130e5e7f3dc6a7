import { defineConfig } from "vitest/config";
import { SkipReport } from "./scripts/skip-report.ts";

// Projects: "unit" holds the colocated *.test.ts of every part, but for "unit-load", the real load runs, which
// run after it beside "self-test" (the suite against mocks of its own); "scenarios" is the functional suite
// against the run's gateway (scenarios/README.md), last.

/** Unit files that run real load against the mock (a capacity search, the engine, the Job's pods, the benchmark). */
const LOAD_RUNS = [
  "load/capacity-search.test.ts",
  "scripts/load-engine.test.ts",
  "scripts/k8s-pods.test.ts",
  "scripts/bench-load.test.ts",
];

/** The self-test's files that run the suite against mocks of their own (no agent of the run's target). */
const SELF_TEST = ["scenarios/self-test/conforming.test.ts", "scenarios/self-test/defects.test.ts"];

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
          // Three files at a time on two cores: most of them wait on processes and sockets, not on the CPU.
          maxWorkers: 3,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          // Real load runs against the mock, after the other unit tests and beside the suite's self-test, two
          // files at a time: they hold on a loaded machine (deadlines end by the gateway's answers, and the
          // schedule never catches up in a burst), and the self-test keeps a core busy on purpose.
          name: "unit-load",
          include: LOAD_RUNS,
          environment: "node",
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          // The suite's self-test against mocks of its own (conforming ones, and one per defect): independent
          // files, beside the load runs. globalSetup hands over the run's seed and a profile.
          name: "self-test",
          include: SELF_TEST,
          environment: "node",
          globalSetup: ["scenarios/setup/global-setup.ts"],
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
          maxConcurrency: 16,
          testTimeout: 600_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          // The functional suite (scenarios/README.md): globalSetup starts the embedded mock unless CCGW_TARGET
          // names a profile; files run one after another because they share the profile's agents.
          name: "scenarios",
          include: ["scenarios/**/*.test.ts"],
          exclude: SELF_TEST,
          environment: "node",
          globalSetup: ["scenarios/setup/global-setup.ts"],
          sequence: { groupOrder: 2 },
          fileParallelism: false,
          maxConcurrency: 16,
          testTimeout: 600_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
