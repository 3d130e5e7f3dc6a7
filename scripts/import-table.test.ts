/**
 * The import table of ARCHITECTURE.md holds over the whole tree, and the check would see a breach: a forbidden
 * import planted in a part fails it, written on one line or over many, while the exceptions the table states
 * (the suite's setup starting the mock) pass.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { breachesOf, importTable, NEVER } from "./import-table.ts";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));

describe("the import table", () => {
  it("holds for every file of the tree, tests included", () => {
    expect(importTable(ROOT)).toEqual([]);
  });

  it("fails on a planted forbidden import", () => {
    const planted = 'import { startGateway } from "../mock/index.ts";\n';
    expect(breachesOf(ROOT, join(ROOT, "lib", "planted.ts"), planted)).toEqual([
      { file: "lib/planted.ts", line: 1, specifier: "../mock/index.ts", part: "lib", imported: "mock" },
    ]);
    const dynamic = 'const m = await import("../../scenarios/suite.ts");\n';
    expect(breachesOf(ROOT, join(ROOT, "load", "engine", "x.ts"), dynamic)).toHaveLength(1);
    expect(
      breachesOf(ROOT, join(ROOT, "contracts", "x.ts"), 'export * from "../lib/errors.ts";'),
    ).toHaveLength(1);
  });

  it("reads imports written over many lines, and lets the suite's setup start the mock", () => {
    const multiline = 'import {\n  type RunningGateway,\n  startGateway,\n} from "../../mock/index.ts";\n';
    expect(breachesOf(ROOT, join(ROOT, "scenarios", "support", "x.ts"), multiline)).toEqual([
      {
        file: "scenarios/support/x.ts",
        line: 1,
        specifier: "../../mock/index.ts",
        part: "scenarios",
        imported: "mock",
      },
    ]);
    // The real setup starts the mock: allowed there, a breach anywhere else in scenarios/.
    const setup = readFileSync(join(ROOT, "scenarios", "setup", "global-setup.ts"), "utf8");
    expect(breachesOf(ROOT, join(ROOT, "scenarios", "setup", "global-setup.ts"), setup)).toEqual([]);
    const moved = breachesOf(ROOT, join(ROOT, "scenarios", "support", "global-setup.ts"), setup);
    expect(moved.map((b) => b.imported)).toContain("mock");
  });

  it("keeps the command line's parser out of every other part", () => {
    const text = 'import { InvalidArgumentError } from "commander";\n';
    expect(breachesOf(ROOT, join(ROOT, "load", "engine", "x.ts"), text)).toEqual([
      { file: "load/engine/x.ts", line: 1, specifier: "commander", part: "load", imported: "commander" },
    ]);
    expect(breachesOf(ROOT, join(ROOT, "scripts", "x.ts"), text)).toEqual([]);
  });

  it("lets a part's tests start a gateway through the test helpers, and no part's code", () => {
    const text = 'import { startGateway } from "../../testing/loopback-gateway.ts";\n';
    expect(breachesOf(ROOT, join(ROOT, "lib", "gateway", "x.test.ts"), text)).toEqual([]);
    expect(breachesOf(ROOT, join(ROOT, "lib", "gateway", "x.ts"), text)).toEqual([
      {
        file: "lib/gateway/x.ts",
        line: 1,
        specifier: "../../testing/loopback-gateway.ts",
        part: "lib",
        imported: "testing",
      },
    ]);
    // The helpers reach the mock, never the suite.
    const suite = 'import { openSuite } from "../scenarios/suite.ts";\n';
    expect(breachesOf(ROOT, join(ROOT, "testing", "x.ts"), suite)).toHaveLength(1);
  });

  it("lets the command line import every part", () => {
    expect(NEVER.scripts).toEqual([]);
    const text = 'import { x } from "../mock/index.ts";\nimport { y } from "../load/plan.ts";\n';
    expect(breachesOf(ROOT, join(ROOT, "scripts", "x.ts"), text)).toEqual([]);
  });
});
