/** Tests of the report page: reading a fixture run, the verdict, the summary, and a self-contained, redacted page. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clausesOf } from "../../../contracts/index.ts";
import { buildReport, type CaseResult, caseVerdict } from "../conformance.ts";
import { PLANTED_GUID, PLANTED_PASSWORD, writeFixtureRun } from "./fixtures.ts";
import { formatSummary, readRunDir, writeReport } from "./index.ts";
import { loadFiguresFromSummary } from "./load-summary.ts";
import { renderPage } from "./render.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ccgw-page-"));
  await writeFixtureRun(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("readRunDir on the fixture", () => {
  it("finds every part and fails the run on the failed clause", async () => {
    const model = await readRunDir(dir, { secrets: [PLANTED_PASSWORD] });
    expect(model.verdict).toBe("fail");
    expect(model.conformance?.clauses.filter((c) => c.verdict === "fail")).toHaveLength(1);
    expect(model.load?.calls).toBeGreaterThan(0);
    expect(model.load?.p95SetupMs).toBe(930);
    expect(model.load?.setupMetric).toBe("ccgw_call_setup_alerting");
    expect(Object.keys(model.load?.errorsByRetcode ?? {}).sort()).toEqual(["000-003", "100-007"]);
    expect(model.series?.t.length).toBe(40);
    expect(model.series?.callsPerSecond[15]).toBe(12);
    expect(model.histogram?.counts.reduce((a, b) => a + b, 0)).toBe(
      model.series?.callsPerSecond.reduce((a, b) => a + b, 0),
    );
    expect(model.capacity?.curve).toHaveLength(7);
    expect(model.capacity?.curve[6]).toMatchObject({
      rate: 48,
      achieved: 30,
      setupP95Ms: 204,
      errorRate: 18 / 48,
    });
    expect(model.capacity).toMatchObject({ sustainable: 28, firstFailing: 32 });
    expect(model.capacity?.method?.trialS).toBe(20);
    expect(model.links.map((l) => l.href)).toEqual(
      expect.arrayContaining([
        "contract/junit.xml",
        "load/index.html",
        "load/phase.log",
        "load/summary.json",
      ]),
    );
    expect(model.missing).toEqual([]);
  });

  it("masks planted Guids and the given passwords in what it read", async () => {
    const model = await readRunDir(dir, { secrets: [PLANTED_PASSWORD] });
    const text = JSON.stringify(model);
    expect(text).not.toContain(PLANTED_PASSWORD);
    expect(text).not.toContain(PLANTED_GUID.slice(0, 8));
  });

  it("reports an empty folder as an error with what is missing, without throwing", async () => {
    const empty = await mkdtemp(join(tmpdir(), "ccgw-page-empty-"));
    try {
      const model = await readRunDir(empty);
      expect(model.missing.join("\n")).toContain("run.json");
      expect(model.missing.join("\n")).toContain("conformance.json");
      expect(renderPage(model)).toContain("Not available in this run");
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});

describe("the page", () => {
  it("has every section, charts data, no external resource and no secret", async () => {
    const { page, model } = await writeReport(dir, { secrets: [PLANTED_PASSWORD] });
    const html = await readFile(page, "utf8");
    for (const id of ["verdict", "conformance", "load", "errors", "files"])
      expect(html).toContain(`id="${id}"`);
    for (const chart of ["chart-latency", "chart-throughput", "chart-histogram", "chart-capacity"])
      expect(html).toContain(`id="${chart}"`);
    expect(html).toContain("uPlot");
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+href=/i);
    // Nothing fetched from a network: no remote src/href, no remote CSS url(), no import() or fetch().
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?https?:/i);
    expect(html).not.toMatch(/\bfetch\(|\bimport\(/);
    expect(html).not.toContain(PLANTED_PASSWORD);
    expect(html).not.toContain(PLANTED_GUID.slice(0, 8));
    expect(html.indexOf('id="verdict"')).toBeLessThan(html.indexOf('id="conformance"'));
    expect(model.verdict).toBe("fail");
    // The call-center figures of summary.json, each with its definition; every class of the contracts listed.
    const k = model.load?.kpis;
    expect(k?.sessionEstablishmentRatio).toBe(0.6125);
    expect(html).toContain(
      '<tr><th>session establishment ratio</th><td class="num">61.3 %</td><td>answered ÷ ',
    );
    expect(html).toContain('<tr><th>concurrent calls, peak</th><td class="num">31.40</td>');
    expect(html).toContain('<tr><th>ineffective: http</th><td class="num">0</td>');
    expect(html).toContain('<tr><th>ineffective: setup-failed</th><td class="num">0</td>');
    expect(html).toMatch(
      /post-dial delay p50 \/ p95 \/ p99<\/th><td class="num">550 ms \/ 930 ms \/ 1\.30 s</,
    );
    expect(html).toContain("Loss criterion: at most 1% of call attempts lost.");
    expect(html).toContain("200 calls; 2 release(s) without Ready by the deadline");
  });

  it("escapes text from the run so it cannot inject markup", async () => {
    const model = await readRunDir(dir);
    model.run.target.name = "<script>alert(1)</script>";
    const first = model.conformance?.clauses[0];
    if (first) first.notes = [{ kind: "fail", text: "</script><b>x</b>" }];
    const html = renderPage(model);
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).not.toContain("<b>x</b>");
  });
});

describe("summary", () => {
  it("names verdict, clauses, rate, p95 setup, errors by retcode and the page", async () => {
    const model = await readRunDir(dir);
    const text = formatSummary(model, "reports/x/index.html");
    expect(text).toMatch(/^verdict: FAIL/);
    expect(text).toMatch(/clauses: \d+ passed, 1 failed/);
    expect(text).toMatch(/calls\/s, p95 setup 930 ms/);
    expect(text).toMatch(/errors: {2}100-007 ×\d+, 000-003 ×\d+/);
    expect(text).toContain("report:  reports/x/index.html");
  });
});

describe("input shapes", () => {
  it("names a conformance.json of another shape as missing, with where it differs, and judges no clause from it", async () => {
    const odd = await mkdtemp(join(tmpdir(), "ccgw-page-conformance-"));
    try {
      // A common test reporter's shape: clauses keyed by id with counts, no results.
      await writeFile(
        join(odd, "conformance.json"),
        JSON.stringify({ clauses: { "callout/method": { status: "failed", passed: 1, failed: 2 } } }),
      );
      const model = await readRunDir(odd);
      expect(model.conformance).toBeUndefined();
      const line = model.missing.find((m) => m.startsWith("conformance.json: "));
      expect(line).toMatch(/interface is required/);
      expect(line).toMatch(/and \d+ more$/);
    } finally {
      await rm(odd, { recursive: true, force: true });
    }
  });

  it("reads errors by retcode and threshold verdicts from the load summary", () => {
    const figures = loadFiguresFromSummary({
      metrics: {
        ccgw_callout_duration: {
          type: "trend",
          values: { "p(95)": 12 },
          thresholds: { "p(95)<10": { ok: false } },
        },
        ccgw_callouts: { type: "counter", values: { count: 10, rate: 2 } },
        "ccgw_callouts{retcode:0}": { type: "counter", values: { count: 7 } },
        "ccgw_callouts{retcode:100-007}": { type: "counter", values: { count: 3 } },
      },
    });
    expect(figures.thresholds).toEqual([
      { metric: "ccgw_callout_duration", expression: "p(95)<10", ok: false },
    ]);
    expect(figures.calls).toBe(10);
    expect(figures.p95CalloutMs).toBe(12);
    expect(figures.errorsByRetcode).toEqual({ "100-007": 3 });
  });

  it("names a series.json of another shape as missing, and draws no chart from it", async () => {
    const odd = await mkdtemp(join(tmpdir(), "ccgw-page-series-"));
    try {
      await writeFile(join(odd, "summary.json"), JSON.stringify({ metrics: {} }));
      await writeFile(join(odd, "series.json"), JSON.stringify({ series: { t: [1] } }));
      const model = await readRunDir(odd);
      expect(model.series).toBeUndefined();
      expect(model.missing.find((m) => m.startsWith("series.json: "))).toMatch(/histogram is required/);
      // Lists of a series that disagree in length: what the schema cannot say.
      const series = { intervalSeconds: 1, t: [1, 2], callsPerSecond: [1], errorsPerSecond: [0, 0] };
      const histogram = { metric: "m", edgesMs: [0, 1], counts: [1] };
      await writeFile(
        join(odd, "series.json"),
        JSON.stringify({ series: { ...series, p50Ms: [1, 1], p95Ms: [1, 1], metric: "m" }, histogram }),
      );
      const again = await readRunDir(odd);
      expect(again.series).toBeUndefined();
      expect(again.missing.find((m) => m.startsWith("series.json: "))).toMatch(/disagree in length/);
    } finally {
      await rm(odd, { recursive: true, force: true });
    }
  });

  it("treats an unreadable conformance file as missing, not as a crash", async () => {
    const broken = await mkdtemp(join(tmpdir(), "ccgw-page-broken-"));
    try {
      await writeFile(join(broken, "conformance.json"), "{ not json");
      const model = await readRunDir(broken);
      expect(model.missing.some((m) => m.startsWith("conformance.json"))).toBe(true);
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });
});

/** A case of the suite's own result model. */
function suiteCase(
  id: string,
  findings: CaseResult["findings"],
  extra: Partial<CaseResult> = {},
): CaseResult {
  const clause = findings[0]?.clause ?? "callout/body/called";
  return {
    id,
    title: id,
    group: "g",
    clause,
    verdict: caseVerdict(findings),
    findings,
    evidence: [],
    durationMs: 1,
    ...extra,
  };
}

/** The row of one clause in the page's matrix. */
function rowOf(html: string, id: string): string {
  const row = html.match(new RegExp(`<tr class="[^"]*"><td><code>${id}</code>.*?</tr>`))?.[0];
  if (!row) throw new Error(`no row for ${id}`);
  return row;
}

describe("notes and partial runs", () => {
  it("names a passing clause's open choices and untested cases as such, never as failures", async () => {
    const run = await mkdtemp(join(tmpdir(), "ccgw-page-notes-"));
    try {
      const report = buildReport(
        {
          runId: "notes",
          edition: "2025-03",
          authMode: "static",
          target: { baseUrl: "https://127.0.0.1:1" },
          seed: 1,
          startedAt: "2026-01-01T00:00:00.000Z",
          finishedAt: "2026-01-01T00:00:01.000Z",
          durationMs: 1000,
        },
        [
          suiteCase("a", [
            { clause: "callout/body/called", verdict: "pass", message: "refused as documented" },
            { clause: "callout/body/called", verdict: "open-recorded", message: "blanks trimmed" },
          ]),
          suiteCase("b", [], {
            clause: "callout/body/called",
            verdict: "not-tested",
            observed: "no number to dial",
            needs: { field: "called[].number", value: "a called number of 24 characters" },
          }),
          suiteCase("c", [{ clause: "callout/errors/000-002", verdict: "fail", message: "got 100-007" }]),
          suiteCase("d", [
            {
              clause: "callout/errors/100-006",
              verdict: "fail",
              message: "got 0",
              known: { reason: "vendor ticket 42", expires: "2027-01-31" },
            },
          ]),
        ],
        clausesOf("2025-03"),
      );
      await mkdir(join(run, "contract"), { recursive: true });
      await writeFile(join(run, "contract", "conformance.json"), JSON.stringify(report));
      const { model, page } = await writeReport(run);
      const html = await readFile(page, "utf8");
      const passing = rowOf(html, "callout/body/called");
      expect(model.conformance?.clauses.find((c) => c.id === "callout/body/called")?.verdict).toBe("pass");
      expect(passing).toContain('class="notes open"><summary>1 open choice<');
      expect(passing).toContain('class="notes not-tested"><summary>1 not tested<');
      expect(passing).toContain("blanks trimmed");
      expect(passing).not.toMatch(/notes fail|failure/);
      const failing = rowOf(html, "callout/errors/000-002");
      expect(failing).toContain('class="notes fail"><summary>1 failure<');
      const known = rowOf(html, "callout/errors/100-006");
      expect(known).toContain('class="notes known"><summary>1 known failure<');
      expect(known).toContain("known until 2027-01-31: vendor ticket 42");
      expect(known).not.toContain("notes fail");
      expect(known).toMatch(/^<tr class="pass">/);
      const { cases } = report;
      expect(html).toContain(
        `cases: ${cases.total} (${cases.pass} passed, ${cases.known} of them with known failures only, ${cases.fail} failed, ${cases.open} open, ${cases.notTested} not tested)`,
      );
      expect(html).toMatch(/<h1>FAIL: a contract clause failed<\/h1>/);
      expect(passing).toContain("testable with a called number of 24 characters (called[].number)");
      expect(html).toContain(
        "<h3>How to test more</h3><p>Cases this profile could not run, by what the profile would need. Add these and run again.</p><ul><li><code>called[].number</code>: a called number of 24 characters (1 case)</li></ul>",
      );
    } finally {
      await rm(run, { recursive: true, force: true });
    }
  });

  it("says a load run alone judged no clause, and misses no clause matrix", async () => {
    const run = await mkdtemp(join(tmpdir(), "ccgw-page-load-only-"));
    try {
      await writeFixtureRun(run);
      await rm(join(run, "contract"), { recursive: true });
      const record = JSON.parse(await readFile(join(run, "run.json"), "utf8"));
      record.phases = record.phases.filter((p: { name: string }) => p.name === "load");
      await writeFile(join(run, "run.json"), JSON.stringify(record));
      const { model, page } = await writeReport(run);
      const html = await readFile(page, "utf8");
      expect(model.verdict).toBe("pass");
      expect(model.missing.filter((m) => m.startsWith("conformance.json"))).toEqual([]);
      expect(html).toContain(
        "PASS: every load threshold held (the functional suite was not part of this run)",
      );
      expect(html).toContain("The functional suite was not part of this run.");
      expect(html).toContain("not in this run");
      expect(html).toContain("fixture lab");
      expect(html).toContain("2025-03, dynamic auth");
    } finally {
      await rm(run, { recursive: true, force: true });
    }
  });
});
