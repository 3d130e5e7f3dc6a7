/** The parts with a door are entered only by it, and their doors carry nothing nobody outside uses. */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { aroundDoors, doorBreaches, unusedAtDoors } from "./doors.ts";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));

describe("the doors of the parts", () => {
  it("hold over the whole tree: no import goes around an index, and no index exports what nobody uses", () => {
    expect(doorBreaches(ROOT)).toEqual([]);
    expect(unusedAtDoors(ROOT)).toEqual([]);
  });

  it("see an import that goes around a door, and let the part itself in by any file", () => {
    const around = 'import { exchange } from "../lib/gateway/exchange.ts";\n';
    expect(aroundDoors(ROOT, join(ROOT, "load", "x.ts"), around)).toEqual([
      "load/x.ts:1 -> lib/gateway/exchange.ts",
    ]);
    const inner = 'import { exchange } from "./exchange.ts";\n';
    expect(aroundDoors(ROOT, join(ROOT, "lib", "gateway", "x.ts"), inner)).toEqual([]);
    // The innermost door counts: lib/report/page's, not a door of lib/.
    const page = 'import { renderPage } from "./page/render.ts";\n';
    expect(aroundDoors(ROOT, join(ROOT, "lib", "report", "x.ts"), page)).toEqual([
      "lib/report/x.ts:1 -> lib/report/page/render.ts",
    ]);
    expect(
      aroundDoors(ROOT, join(ROOT, "lib", "report", "x.ts"), 'import { x } from "./page/index.ts";'),
    ).toEqual([]);
  });
});
