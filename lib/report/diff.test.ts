/**
 * Tests of the run-to-run diff: a clause that regressed, an open choice that changed, a threshold that broke,
 * and load percentiles read from the runs' HDR histograms (not from their summaries); the command's exit codes.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import hdr from "hdr-histogram-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLAUSES, clausesOf, OPEN_CHOICES } from "../../contracts/index.ts";
import { buildReport, type CaseResult, caseVerdict, type Finding } from "./conformance.ts";
import { diffRuns } from "./diff.ts";
import { writeDiff } from "./diff-page.ts";
import { writeFixtureRun } from "./page/index.ts";
import { writeRunFile } from "./run-files.ts";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const CHOICE = Object.values(OPEN_CHOICES)[0];
let work: string;

/** A load run's result.json whose callout latency histogram holds `values` (ms). */
async function writeResult(dir: string, values: number[]): Promise<void> {
  const h = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000,
    numberOfSignificantValueDigits: 3,
  });
  for (const v of values) h.recordValue(v);
  const snapshot = {
    trends: { ccgw_callout_duration: hdr.encodeIntoCompressedBase64(h) },
    counters: { ccgw_callouts: { "0": values.length } },
    rates: {},
    durationMs: 40_000,
  };
  const slo = { setupP95Ms: 3000, calloutP95Ms: 1000, errorRate: 0.01, lostRate: 0.01, violationRate: 0 };
  const segment = { index: 0, count: 1 };
  await writeRunFile("result.json", join(dir, "load", "result.json"), {
    runId: "r",
    profile: "smoke",
    slo,
    segment,
    snapshot,
  });
}

/** A suite's conformance.json in which the first open choice was seen taking `option`. */
async function writeChoice(dir: string, option: string): Promise<void> {
  if (!CHOICE) throw new Error("no open choice in the contracts");
  const findings: Finding[] = [
    {
      clause: CHOICE["x-spec"],
      verdict: "open-recorded",
      message: option,
      choice: { id: CHOICE.id, option },
    },
  ];
  const result: CaseResult = {
    ...{ id: "c", title: "c", group: "g", clause: CHOICE["x-spec"], evidence: [], durationMs: 1 },
    verdict: caseVerdict(findings),
    findings,
  };
  const meta = {
    ...{
      runId: "r",
      edition: "2025-03",
      authMode: "static",
      target: { baseUrl: "https://127.0.0.1:1" },
      seed: 1,
    },
    ...{ startedAt: "2026-01-01T00:00:00.000Z", finishedAt: "2026-01-01T00:00:01.000Z", durationMs: 1000 },
  };
  await mkdir(join(dir, "contract"), { recursive: true });
  await writeFile(
    join(dir, "contract", "conformance.json"),
    JSON.stringify(buildReport(meta, [result], clausesOf("2025-03"))),
  );
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ccgw-diff-"));
  await writeFixtureRun(join(work, "clean"), { failedClause: false });
  await writeFixtureRun(join(work, "failed"));
  await writeResult(
    join(work, "clean"),
    Array.from({ length: 100 }, (_, i) => 10 + (i % 10)),
  );
  await writeResult(
    join(work, "failed"),
    Array.from({ length: 100 }, (_, i) => 30 + (i % 10)),
  );
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("diffRuns", () => {
  it("names the clause that passed in A and fails in B, and only changed clauses", async () => {
    const diff = await diffRuns(join(work, "clean"), join(work, "failed"));
    const failing = CLAUSES[3]?.id;
    expect(diff.clauses).toEqual([
      expect.objectContaining({ id: failing, from: "pass", to: "fail", change: "regression" }),
    ]);
    expect(diff.regressions).toBe(1);
    const back = await diffRuns(join(work, "failed"), join(work, "clean"));
    expect(back.clauses.map((c) => c.change)).toEqual(["fixed"]);
    expect(back.regressions).toBe(0);
  });

  it("takes load percentiles from the HDR histograms, not from the summaries", async () => {
    const diff = await diffRuns(join(work, "clean"), join(work, "failed"));
    const p95 = diff.figures.find((f) => f.metric === "ccgw_callout_duration" && f.stat === "p95");
    // Both fixture summaries say p(95) 44.5; the histograms hold 10..19 and 30..39 ms.
    expect(p95).toMatchObject({ from: 19, to: 39, moved: true });
    expect(p95?.ratio).toBeCloseTo(39 / 19, 5);
    const count = diff.figures.find((f) => f.metric === "ccgw_callout_duration" && f.stat === "count");
    expect(count).toMatchObject({ from: 100, to: 100, moved: false });
  });

  it("names an open choice whose option changed and a threshold that broke", async () => {
    const a = join(work, "choice-a");
    const b = join(work, "choice-b");
    await writeChoice(a, CHOICE?.options[0] ?? "");
    await writeChoice(b, CHOICE?.options[1] ?? "");
    await mkdir(join(a, "load"), { recursive: true });
    await mkdir(join(b, "load"), { recursive: true });
    const summary = (ok: boolean) =>
      JSON.stringify({
        metrics: {
          ccgw_callout_duration: {
            type: "trend",
            values: { "p(95)": 5 },
            thresholds: { "p(95)<10": { ok } },
          },
        },
      });
    await writeFile(join(a, "load", "summary.json"), summary(true));
    await writeFile(join(b, "load", "summary.json"), summary(false));
    const diff = await diffRuns(a, b);
    expect(diff.choices).toEqual([
      { id: CHOICE?.id, title: CHOICE?.title, from: [CHOICE?.options[0]], to: [CHOICE?.options[1]] },
    ]);
    expect(diff.thresholds).toEqual([
      { metric: "ccgw_callout_duration", expression: "p(95)<10", from: true, to: false },
    ]);
    expect(diff.notes.join("\n")).toContain("no result.json");
    const page = await readFile(await writeDiff(join(work, "choice-out"), diff), "utf8");
    expect(page).toContain(`<code>${CHOICE?.id}</code>`);
    expect(page).toContain("broken");
    expect(JSON.parse(await readFile(join(work, "choice-out", "diff.json"), "utf8"))).toEqual(diff);
  });
});

function report(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/report.ts", ...args], { cwd: ROOT });
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  return new Promise((done) => child.on("close", (code) => done({ code, output })));
}

describe("npm run report -- --diff", { timeout: 60_000 }, () => {
  it("exits 1 on a regression, 0 without, 2 on bad input", async () => {
    const out = join(work, "out");
    const regressed = await report(["--diff", join(work, "clean"), join(work, "failed"), "--out", out]);
    expect(regressed.code, regressed.output).toBe(1);
    expect(regressed.output).toContain(`regression ${CLAUSES[3]?.id} (pass -> fail)`);
    expect(await readFile(join(out, "diff.html"), "utf8")).toContain("passed in A and fail in B");
    const fixed = await report(["--diff", join(work, "failed"), join(work, "clean"), "--out", out]);
    expect(fixed.code, fixed.output).toBe(0);
    const one = await report(["--diff", join(work, "clean")]);
    expect(one.code).toBe(2);
    expect(one.output).toContain("CCGW_USAGE: --diff takes two run folders, got 1");
    const none = await report(["--diff", join(work, "clean"), join(work, "nowhere")]);
    expect(none.code).toBe(2);
    expect(none.output).toContain("no such run folder");
  });
});
