/** The literal scan passes on the project and fails on a retcode or an event name planted in mock/. */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { scanLiterals } from "./schema-literals.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "ccgw-literals-"));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, ".."), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

describe("contracts are the only home of retcodes and event names", () => {
  it("finds none in the project outside contracts/ and tests", async () => {
    expect(await scanLiterals(fileURLToPath(new URL("..", import.meta.url)))).toEqual([]);
  });

  it("finds a retcode and an event name planted in mock/, not those in contracts/ or in a test", async () => {
    const root = await tree({
      "mock/routes/planted.ts": `export const code = "100-007";\nexport const e = 'AgentEvent_Talking';\n`,
      "contracts/data.ts": `export const ok = "100-007";\n`,
      "mock/planted.test.ts": `const fine = "000-002";\n`,
      "mock/prose.ts": "// `AgentState_Ready` in a comment, and 2024-11-30 or 10-20 are no retcodes\n",
    });
    expect(await scanLiterals(root)).toEqual([
      { file: join("mock", "routes", "planted.ts"), line: 1, literal: "100-007" },
      { file: join("mock", "routes", "planted.ts"), line: 2, literal: "AgentEvent_Talking" },
    ]);
  });
});
