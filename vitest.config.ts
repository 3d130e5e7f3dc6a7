import { defineConfig } from "vitest/config";
import { SkipReport } from "./scripts/skip-report.ts";

// Projects: "unit" holds the colocated *.test.ts of every part; "scenarios" is the functional suite against a
// gateway (scenarios/README.md), with its self-test.
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
          environment: "node",
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
          setupFiles: ["scenarios/setup/pactum.setup.ts"],
          fileParallelism: false,
          maxConcurrency: 8,
          testTimeout: 600_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
