/**
 * Known findings end to end, through `npm run contract` against the embedded mock with a defect (it accepts a
 * callout without Content-Type): --baseline-update writes the failures down; with that baseline the same run
 * passes, JUnit marks the case skipped with the reason; once the entries have expired the run fails again,
 * and the diff of the last two runs names the clause. One family (--only callout.state) keeps each run short.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ConformanceReport } from "../lib/report/conformance.ts";
import { runScript, type ScriptResult } from "../lib/script-process.ts";

const CLAUSE = "callout/header/Content-Type";

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ccgw-contract-baseline-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Runs one of our scripts under tsx with the seed fixed. */
const node = ([script, ...args]: string[]) =>
  runScript(script as string, args, { env: { ...process.env, CCGW_SEED: "7" } });

/** Runs the suite on one family against the mock with the defect. */
function contract(reportDir: string, extra: string[]): Promise<ScriptResult> {
  const args = ["scripts/contract.ts", "--defect", "content-type-not-required", "--only", "callout.state"];
  return node([...args, "--report-dir", reportDir, ...extra]);
}

async function report(dir: string): Promise<ConformanceReport> {
  return JSON.parse(await readFile(join(dir, "conformance.json"), "utf8")) as ConformanceReport;
}

it("a baseline turns a known failure into a pass with a note, and an expired one back into a failure", {
  timeout: 240_000,
}, async () => {
  const file = join(work, "baseline.json");
  const first = await contract(join(work, "first"), ["--baseline", file, "--baseline-update"]);
  expect(first.code, first.output).toBe(1);
  const written = JSON.parse(await readFile(file, "utf8"));
  const entries = written.entries as { clause: string; case: string; reason: string; expires: string }[];
  expect(entries.map((e) => e.clause)).toContain(CLAUSE);
  expect(entries.every((e) => e.expires > new Date().toISOString().slice(0, 10))).toBe(true);

  const known = await contract(join(work, "known"), ["--baseline", file]);
  expect(known.code, known.output).toBe(0);
  const accepted = await report(join(work, "known"));
  const row = accepted.clauses.find((c) => c.id === CLAUSE);
  expect(row?.verdict).toBe("pass");
  expect(row?.notes.map((n) => n.kind)).toContain("known");
  expect(accepted.baseline).toMatchObject({ known: entries.length, expired: [], unused: [] });
  const junit = await readFile(join(work, "known", "junit.xml"), "utf8");
  const testcase = junit
    .split("<testcase")
    .find((t) => t.includes(`[${CLAUSE}]`) && t.includes("<skipped/>"));
  expect(testcase).toMatch(/<property name="known-failure" value="[^"]*accepted by --baseline-update/);
  expect(junit).not.toContain("<failure");

  const stale = entries.map((e) => ({ ...e, expires: "2020-01-01" }));
  await writeFile(file, JSON.stringify({ entries: stale }));
  const expired = await contract(join(work, "expired"), ["--baseline", file]);
  expect(expired.code, expired.output).toBe(1);
  const failed = await report(join(work, "expired"));
  expect(failed.clauses.find((c) => c.id === CLAUSE)?.verdict).toBe("fail");
  expect(failed.baseline?.expired.length).toBe(entries.length);
  expect(expired.output).toContain("expired after 2020-01-01");

  // The two runs' diff names the clause that went from pass (known failure) to fail (expired entry).
  const diff = await node(["scripts/report.ts", "--diff", join(work, "known"), join(work, "expired")]);
  expect(diff.code, diff.output).toBe(1);
  expect(diff.output).toContain(`${CLAUSE} (pass -> fail)`);
});
