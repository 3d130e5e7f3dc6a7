/** Tests of the run files' one reader and writer: what is written is checked, what is read is checked. */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunFile, RunFileError, readRunFile, writeRunFile } from "./run-files.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ccgw-run-files-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const record: RunFile<"run.json"> = {
  runId: "r1",
  startedAt: "2026-01-01T00:00:00.000Z",
  target: { baseUrl: "https://127.0.0.1:1", embeddedMock: true },
  phases: [{ name: "load", status: "pass", exitCode: 0 }],
};

describe("run files", () => {
  it("writes a file that has its schema's shape and reads it back as written", async () => {
    const path = join(dir, "a", "run.json");
    await writeRunFile("run.json", path, record);
    expect(await readRunFile("run.json", path)).toEqual(record);
  });

  it("refuses to write a file of another shape, naming the field, and leaves nothing behind", async () => {
    const path = join(dir, "b", "run.json");
    const wrong = { ...record, phases: [{ name: "load", status: "passed" }] } as unknown as typeof record;
    const error = await writeRunFile("run.json", path, wrong).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunFileError);
    expect((error as RunFileError).problems.join("\n")).toContain("phases.0.status");
    await expect(readFile(path, "utf8")).rejects.toThrow(/ENOENT/);
  });

  it("checks what is written: a field left undefined is absent, not a breach", async () => {
    const path = join(dir, "capacity.json");
    await writeRunFile("capacity.json", path, { sustainable: 0, firstFailing: undefined, curve: [] });
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ sustainable: 0, curve: [] });
  });

  it("names a file that is not JSON, or of another shape, with where it differs", async () => {
    const path = join(dir, "summary.json");
    await writeFile(path, "{ not json");
    await expect(readRunFile("summary.json", path)).rejects.toThrow(/summary\.json is not a summary\.json/);
    await writeFile(path, JSON.stringify({ metrics: { m: { type: "gauge", values: {} } } }));
    const error = await readRunFile("summary.json", path).catch((e: unknown) => e);
    expect((error as RunFileError).problems.join("\n")).toMatch(/metrics\.m\.type/);
  });
});
