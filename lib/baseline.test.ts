/** Tests of known findings: reading a baseline, applying it to a case, what a run made of it, writing it again. */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { clausesOf } from "../contracts/index.ts";
import {
  applyBaseline,
  type BaselineEntry,
  baselineFromRun,
  baselineUse,
  dayOf,
  loadBaseline,
  parseBaseline,
  writeBaseline,
} from "./baseline.ts";
import { HarnessError } from "./errors.ts";
import { buildReport, type CaseResult, caseVerdict, failingClauses } from "./report/conformance.ts";

const CLAUSE = "callout/errors/000-002";
const entry = (over: Partial<BaselineEntry> = {}): BaselineEntry => ({
  clause: CLAUSE,
  case: "c1",
  reason: "vendor ticket 42",
  expires: "2026-12-31",
  ...over,
});

function failing(id = "c1", clause = CLAUSE): CaseResult {
  const findings: CaseResult["findings"] = [
    { clause: "callout/body/called", verdict: "pass", message: "refused as documented" },
    { clause, verdict: "fail", message: "got 100-007" },
  ];
  return {
    id,
    title: id,
    group: "g",
    clause,
    verdict: caseVerdict(findings),
    findings,
    evidence: [],
    durationMs: 1,
  };
}

const meta = {
  runId: "r",
  edition: "2025-03",
  authMode: "static",
  target: { baseUrl: "https://127.0.0.1:1" },
  seed: 1,
  startedAt: "2026-12-02T00:00:00.000Z",
  finishedAt: "2026-12-02T00:00:01.000Z",
  durationMs: 1000,
};

describe("parseBaseline", () => {
  it("names the field and the rule of a bad entry", () => {
    const bad = { entries: [{ clause: CLAUSE, case: "c1", reason: "x", expires: "next week" }] };
    expect(() => parseBaseline(bad, "b.json")).toThrow(/\/entries\/0\/expires: must match format "date"/);
    expect(() => parseBaseline({ entries: [{ clause: CLAUSE, case: "c1" }] })).toThrow(HarnessError);
    expect(parseBaseline({ entries: [entry()] }).entries).toHaveLength(1);
  });

  it("refuses an unreadable file, and reads a missing one as empty only when asked", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccgw-baseline-"));
    try {
      await expect(loadBaseline(join(dir, "none.json"))).rejects.toThrow(/cannot read baseline/);
      expect(await loadBaseline(join(dir, "none.json"), { missingIsEmpty: true })).toEqual({ entries: [] });
      await writeFile(join(dir, "broken.json"), "{");
      await expect(loadBaseline(join(dir, "broken.json"))).rejects.toThrow(/is not JSON/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("applyBaseline", () => {
  it("turns a listed failure into a known one: the case passes, the clause passes with a known note", () => {
    const result = applyBaseline(failing(), [entry()], "2026-12-02");
    expect(result.verdict).toBe("pass");
    expect(result.findings[1]?.known).toEqual({ reason: "vendor ticket 42", expires: "2026-12-31" });
    const report = buildReport(meta, [result], clausesOf("2025-03"));
    expect(failingClauses(report)).toEqual([]);
    const row = report.clauses.find((c) => c.id === CLAUSE);
    expect(row?.verdict).toBe("pass");
    expect(row?.notes.map((n) => n.kind)).toEqual(["known"]);
    expect(row?.notes[0]?.text).toContain("known until 2026-12-31: vendor ticket 42");
    expect(report.cases.known).toBe(1);
  });

  it("holds an entry through its last day and no longer", () => {
    expect(applyBaseline(failing(), [entry()], "2026-12-31").verdict).toBe("pass");
    const late = applyBaseline(failing(), [entry()], "2027-01-01");
    expect(late.verdict).toBe("fail");
    expect(late.findings[1]?.known).toBeUndefined();
    expect(late.findings[1]?.message).toContain("expired after 2026-12-31");
  });

  it("accepts a failure only under its own clause and case", () => {
    expect(applyBaseline(failing("c2"), [entry()], "2026-12-02").verdict).toBe("fail");
    expect(applyBaseline(failing("c1", "callout/errors/100-006"), [entry()], "2026-12-02").verdict).toBe(
      "fail",
    );
  });
});

describe("what a run made of its baseline", () => {
  it("counts known failures, names expired entries that failed again and entries nothing matched", () => {
    const day = "2026-12-02";
    const baseline = {
      entries: [entry(), entry({ case: "c2", expires: "2026-11-30" }), entry({ case: "gone" })],
    };
    const results = [failing("c1"), failing("c2")].map((r) => applyBaseline(r, baseline.entries, day));
    expect(baselineUse(results, baseline, day, "b.json")).toEqual({
      file: "b.json",
      entries: 3,
      known: 1,
      expired: [`${CLAUSE} / c2`],
      unused: [`${CLAUSE} / gone`],
    });
  });

  it("writes one entry per failure: old entries keep reason and date, fixed ones go, new ones get the defaults", async () => {
    const previous = { entries: [entry({ expires: "2026-01-01" }), entry({ case: "fixed" })] };
    const next = baselineFromRun([failing("c1"), failing("c3")], previous, {
      reason: "new",
      expires: "2027-02-01",
    });
    expect(next.entries.map((e) => [e.case, e.reason, e.expires])).toEqual([
      ["c1", "vendor ticket 42", "2026-01-01"],
      ["c3", "new", "2027-02-01"],
    ]);
    expect(next.entries[1]?.finding).toBe("got 100-007");
    const dir = await mkdtemp(join(tmpdir(), "ccgw-baseline-"));
    try {
      await writeBaseline(join(dir, "b.json"), next);
      expect(JSON.parse(await readFile(join(dir, "b.json"), "utf8"))).toEqual(next);
      expect(await loadBaseline(join(dir, "b.json"))).toEqual(next);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("judges expiry by the UTC day", () => {
    expect(dayOf(new Date("2026-12-31T23:59:59.999Z"))).toBe("2026-12-31");
  });
});
