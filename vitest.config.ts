import { defineConfig } from "vitest/config";

// Projects: "unit" holds the colocated *.test.ts of every part; the functional suite against a gateway lives in
// scenarios/ and gets its own project when it lands.
export default defineConfig({
  test: {
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
    ],
  },
});
