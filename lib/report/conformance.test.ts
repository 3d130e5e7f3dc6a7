/** Tests of the conformance model and its writers: clause aggregation, verdicts, redaction, offline HTML. */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { clausesOf } from "../../contracts/index.ts";
import { buildReport, type CaseResult, caseVerdict, failingClauses } from "./conformance.ts";
import { renderConformanceHtml, writeConformance } from "./conformance-writers.ts";

const GUID = "0f8fad5b-d9cb-469f-a165-70867728950e.AgentGateway0";
const meta = {
  runId: "r1",
  edition: "2025-03",
  authMode: "dynamic",
  target: { name: "t", baseUrl: "https://127.0.0.1:1" },
  seed: 7,
  startedAt: "2025-01-01T00:00:00.000Z",
  finishedAt: "2025-01-01T00:00:01.000Z",
  durationMs: 1000,
};

function result(partial: Partial<CaseResult> & Pick<CaseResult, "id" | "clause" | "findings">): CaseResult {
  return {
    title: partial.id,
    group: "g",
    verdict: caseVerdict(partial.findings),
    evidence: [],
    durationMs: 1,
    ...partial,
  };
}

describe("buildReport", () => {
  const results = [
    result({
      id: "a",
      clause: "callout/body/called",
      findings: [{ clause: "callout/body/called", verdict: "pass", message: "ok" }],
    }),
    result({
      id: "b",
      clause: "callout/body/called",
      findings: [
        { clause: "callout/body/called", verdict: "pass", message: "refused" },
        { clause: "callout/errors/000-002", verdict: "fail", message: "got 100-007" },
      ],
    }),
    result({
      id: "c",
      clause: "callout/body/callappdata",
      findings: [{ clause: "callout/body/callappdata", verdict: "open-recorded", message: "accepted" }],
    }),
    result({ id: "d", clause: "made/up", findings: [{ clause: "made/up", verdict: "pass", message: "x" }] }),
    result({
      id: "e",
      clause: "callout/body",
      findings: [
        { clause: "callout/body", verdict: "pass", message: "a valid body" },
        { clause: "callout/body", verdict: "open-recorded", message: "unknown field ignored" },
      ],
    }),
  ];
  const report = buildReport(meta, results, clausesOf("2025-03"));
  const row = (id: string) => report.clauses.find((c) => c.id === id);

  it("has one row per clause of the edition, plus unlisted ids", () => {
    expect(report.clauses.length).toBe(clausesOf("2025-03").length + 1);
    expect(row("made/up")?.kind).toBe("unlisted");
  });

  it("aggregates verdicts: a failing finding fails its clause only", () => {
    expect(row("callout/body/called")?.verdict).toBe("pass");
    expect(row("callout/errors/000-002")?.verdict).toBe("fail");
    expect(row("callout/errors/000-002")?.notes[0]?.text).toMatch(/100-007/);
    expect(row("callout/body/callappdata")?.verdict).toBe("open-recorded");
    expect(row("callout/body")?.verdict).toBe("pass");
    expect(row("callout/body")?.notes[0]?.text).toMatch(/unknown field ignored/);
    expect(row("callout/errors/000-002")?.notes[0]?.kind).toBe("fail");
    expect(row("callout/body")?.notes.map((n) => n.kind)).not.toContain("fail");
    expect(row("callout/log-name")?.verdict).toBe("not-testable");
    expect(row("login/body/ip")?.verdict).toBe("not-tested");
    expect(failingClauses(report)).toEqual(["callout/errors/000-002"]);
    expect(report.cases).toMatchObject({ total: 5, pass: 3, fail: 1, open: 1 });
  });

  it("notes a clause no case observed, and names what the profile lacks as a to-do list", () => {
    expect(row("login/body/ip")?.notes).toEqual([
      { kind: "not-tested", text: "no case of this run observes this clause" },
    ]);
    const answered = { field: "called[].outcome", value: 'a called number with outcome "answered"' };
    const untested = (id: string, clause: string, needs = answered) =>
      result({ id, clause, findings: [], verdict: "not-tested", observed: "no number", needs });
    const withTodo = buildReport(
      meta,
      [
        ...results,
        untested("p", "callout/prerequisite/not-in-call"),
        untested("q", "callout/prerequisite/not-in-call"),
        untested("r", "callout/body/called", {
          field: "called[].number",
          value: "a called number with * or #",
        }),
      ],
      clausesOf("2025-03"),
    );
    // callout/body/called passed in other cases: the need would run a case, but no clause waits on it.
    expect(withTodo.todo).toEqual([
      {
        ...answered,
        cases: ["p", "q"],
        clauses: ["callout/prerequisite/not-in-call"],
        untested: ["callout/prerequisite/not-in-call"],
      },
      {
        field: "called[].number",
        value: "a called number with * or #",
        cases: ["r"],
        clauses: ["callout/body/called"],
        untested: [],
      },
    ]);
    const note = withTodo.clauses.find((c) => c.id === "callout/prerequisite/not-in-call")?.notes[0];
    expect(note?.text).toBe(
      'p: no number; testable with a called number with outcome "answered" (called[].outcome)',
    );
    expect(renderConformanceHtml(withTodo)).toMatch(
      /How to test more.*<code>called\[\]\.outcome<\/code>: a called number with outcome &quot;answered&quot; \(2 cases; would test <code>callout\/prerequisite\/not-in-call<\/code>/s,
    );
  });

  it("names what a clause no case reached needs, when only some calls reach it, and lists it to do", () => {
    const answered = { field: "called[].outcome", value: 'a called number with outcome "answered"' };
    const needOf = (clause: string) => (clause === "flows/release" ? answered : undefined);
    const report = buildReport(meta, results, clausesOf("2025-03"), needOf);
    const row = report.clauses.find((c) => c.id === "flows/release");
    expect(row?.notes).toEqual([
      {
        kind: "not-tested",
        text: 'no case of this run observes this clause; testable with a called number with outcome "answered" (called[].outcome)',
      },
    ]);
    expect(report.todo).toEqual([
      { ...answered, cases: [], clauses: ["flows/release"], untested: ["flows/release"] },
    ]);
    // A clause a case did reach needs nothing, whatever needOf says.
    expect(
      buildReport(meta, results, clausesOf("2025-03"), () => answered).todo.flatMap((t) => t.clauses),
    ).not.toContain("callout/body/called");
  });

  it("case verdicts: fail beats pass beats open", () => {
    expect(caseVerdict([])).toBe("not-tested");
    expect(caseVerdict([{ clause: "x", verdict: "open-recorded", message: "" }])).toBe("open-recorded");
  });
});

describe("writers", () => {
  it("write JSON and self-contained HTML without Guids or passwords", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccgw-conf-"));
    try {
      const results = [
        result({
          id: "x",
          clause: "auth/guid",
          findings: [{ clause: "auth/guid", verdict: "fail", message: `accepted ${GUID}` }],
          evidence: [
            {
              operation: "callout",
              request: {
                method: "PUT",
                path: "/p",
                headers: { guid: GUID },
                body: { called: "1", note: "<b>" },
              },
              response: { status: 200, body: { retcode: "0", result: "1-1", secret: "hunter22" } },
            },
          ],
        }),
      ];
      const report = buildReport(meta, results, clausesOf("2025-03"));
      const paths = await writeConformance(dir, report, ["hunter22"]);
      const json = await readFile(paths.json, "utf8");
      const html = await readFile(paths.html, "utf8");
      for (const text of [json, html]) {
        expect(text).not.toContain(GUID);
        expect(text).not.toContain("hunter22");
      }
      expect(JSON.parse(json).clauses.find((c: { id: string }) => c.id === "auth/guid").verdict).toBe("fail");
      expect(html).toContain("does not conform");
      expect(html).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)/);
      expect(html).toContain("&lt;b&gt;");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("says the target conforms when nothing failed", () => {
    const report = buildReport(meta, [], clausesOf("2023-09"));
    expect(renderConformanceHtml(report)).toContain("conforms (no clause failed)");
  });
});
