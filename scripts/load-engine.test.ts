/**
 * The Node load engine (load/engine/) against the embedded mock, for real (in scripts/, which may start the mock
 * in-process): the smoke profile in one share in this thread (each agent keeping its node cookie) and split over
 * two worker threads adds up to the schedule, calls end answered or not answered, the service levels hold,
 * summary.json and junit.xml are written, and no agent is left signed in. A mock that stalls every callout shows in the latency from the intended start
 * (coordinated omission corrected) and breaks the callout SLO.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readRunFile } from "../lib/report/run-files.ts";
import { runScript } from "../lib/script-process.ts";
import { runEngine } from "../load/engine/engine.ts";
import { makePlan } from "../load/make-plan.ts";
import { expectedAttempts, scheduleSeconds } from "../load/plan.ts";
import { LOAD_PROFILES } from "../load/profiles.ts";
import { exactCounts } from "../load/summary.ts";
import { mockProfile, type RunningGateway, startGateway } from "../mock/index.ts";

const dirs: string[] = [];
const gateways: RunningGateway[] = [];
afterAll(async () => {
  for (const gw of gateways) await gw.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function mock(options: Parameters<typeof startGateway>[0] = {}): Promise<RunningGateway> {
  const gw = await startGateway({ timing: "brisk", pollWaitMs: 1000, quiet: true, ...options });
  gateways.push(gw);
  return gw;
}

function smokePlan(gw: RunningGateway, reportDir: string, durationS = 4) {
  return makePlan(mockProfile(gw), LOAD_PROFILES.smoke, {
    runId: "engine-test",
    reportDir,
    durationS,
    pollWaitMs: 1000,
    terminalTimeoutMs: 5000,
    contractSample: 1,
  });
}

describe.concurrent("the Node load engine", () => {
  for (const workers of [0, 2]) {
    // In this thread behind a load balancer (a node cookie per agent the mock checks); over two worker threads plain.
    const where =
      workers === 0
        ? "in one share in this thread, behind a load balancer's cookie"
        : "over two worker threads";
    it(`runs the smoke profile ${where}`, { timeout: 60_000 }, async () => {
      const gw = await mock({ stickyCookie: workers === 0 });
      const dir = await mkdtemp(join(tmpdir(), "ccgw-engine-"));
      dirs.push(dir);
      const plan = smokePlan(gw, dir);
      const { summary, broken, metrics } = await runEngine({
        plan,
        profile: mockProfile(gw),
        workers,
        reportDir: dir,
      });
      const attempts = summary.metrics.ccgw_call_attempts?.values.count ?? 0;
      expect(Math.abs(attempts - expectedAttempts(plan))).toBeLessThanOrEqual(2);
      const outcomes = metrics.tally("ccgw_call_outcomes");
      const placed = Object.values(metrics.tally("ccgw_callouts")).reduce((a, b) => a + b, 0);
      const dropped = summary.metrics.ccgw_call_attempts_dropped?.values.count ?? 0;
      expect(placed + dropped).toBe(attempts);
      expect(Object.values(outcomes).reduce((a, b) => a + b, 0)).toBe(placed);
      expect(outcomes.answered ?? 0).toBeGreaterThan(0);
      // The call-center figures follow from the counts: over the schedule as planned, unfinished calls left out,
      // every refused, failed or lost call in exactly one class of ineffective attempts.
      const kpis = summary.kpis;
      const scheduleS = scheduleSeconds(plan);
      const answered = outcomes.answered ?? 0;
      const judged = placed - (outcomes.unfinished ?? 0);
      expect(kpis?.intervalS).toBe(scheduleS);
      expect(kpis?.attemptsPerSecond).toEqual({
        offered: attempts / scheduleS,
        achieved: placed / scheduleS,
      });
      expect(kpis?.attempts).toBe(judged);
      expect(kpis?.sessionEstablishmentRatio).toBe(answered / judged);
      expect(kpis?.effectiveRatio).toBe((answered + (outcomes["not-answered"] ?? 0)) / judged);
      const ineffective = Object.values(kpis?.ineffective ?? {}).reduce((a, b) => a + b, 0);
      expect(ineffective).toBe((outcomes.failed ?? 0) + (outcomes.lost ?? 0));
      expect(kpis?.concurrentCalls.mean).toBeGreaterThan(0);
      expect(kpis?.concurrentCalls.peak).toBeGreaterThanOrEqual(kpis?.concurrentCalls.mean ?? 0);
      expect(kpis?.delays.postDial?.count).toBe(metrics.stat("ccgw_call_setup_alerting", "count"));
      expect(kpis?.delays.release?.count).toBeGreaterThan(0);
      // The rate SLOs (errors, lost calls, contract violations) hold; the latency ones depend on how loaded this
      // machine is while the other test files run, so only their verdicts are checked, not their outcome.
      const LATENCY = new Set(["ccgw_callout_duration", "ccgw_call_setup_alerting"]);
      expect(broken.filter((t) => !LATENCY.has(t.metric)).map((t) => `${t.metric} ${t.expression}`)).toEqual(
        [],
      );
      expect(summary.metrics.ccgw_contract_violations?.values.fails).toBeGreaterThan(0);
      const written = JSON.parse(await readFile(join(dir, "summary.json"), "utf8"));
      expect(Object.keys(written.metrics.ccgw_callout_duration.thresholds)).toEqual([
        `p(95)<${plan.slo.calloutP95Ms}`,
      ]);
      expect(await readFile(join(dir, "junit.xml"), "utf8")).toContain('tests="5"');
      const stats = (await gw.admin("/stats")) as { agentsSignedIn: number };
      expect(stats.agentsSignedIn).toBe(0);
    });
  }

  it("is what npm run load runs: summary.json, junit.xml with every SLO judged, series.json and the page", {
    timeout: 60_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccgw-engine-cli-"));
    dirs.push(dir);
    const run = await runScript("scripts/load.ts", [
      ...["--workers", "2", "--profile", "smoke", "--duration", "3", "--report-dir", dir],
    ]);
    // 0, or 1 when a latency SLO broke on this loaded machine; never 2 (usage).
    expect([0, 1], run.output).toContain(run.code);
    const summary = JSON.parse(await readFile(join(dir, "summary.json"), "utf8"));
    const judged = Object.values(summary.metrics as Record<string, { thresholds?: object }>).filter(
      (m) => m.thresholds,
    );
    expect(judged).toHaveLength(5);
    expect(summary.metrics["ccgw_callouts{retcode:0}"].values.count).toBeGreaterThan(0);
    expect(await readFile(join(dir, "junit.xml"), "utf8")).toContain('tests="5"');
    // The charts' series, second by second, counts every callout of the summary once, in whichever second.
    const { series, histogram } = JSON.parse(await readFile(join(dir, "series.json"), "utf8"));
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    expect(sum(series.callsPerSecond)).toBe(summary.metrics.ccgw_callouts.values.count);
    expect(sum(histogram.counts)).toBe(summary.metrics.ccgw_callouts.values.count);
    expect(await readFile(join(dir, "index.html"), "utf8")).toContain('id="chart-throughput"');
    const refused = await runScript("scripts/load.ts", ["--step-duration", "3", "--report-dir", dir]);
    expect(refused.code).toBe(2);
    expect(refused.output).toContain("CCGW_USAGE");
  });

  it("stops early when a threshold with abortOnFail breaks, or when told to, and signs every agent out", {
    timeout: 60_000,
  }, async () => {
    const stalled = await mock({ faults: { latency: { callout: { kind: "fixed", ms: 1500 } } } });
    const dir = await mkdtemp(join(tmpdir(), "ccgw-engine-"));
    dirs.push(dir);
    const long = smokePlan(stalled, dir, 30);
    const aborted = await runEngine({
      plan: long,
      profile: mockProfile(stalled),
      workers: 0,
      abortDelayS: 1,
      everyMs: 250,
    });
    expect(aborted.stopped).toMatch(/threshold ccgw_callout_duration p\(95\)<1000 broke/);
    expect(aborted.summary.metrics.ccgw_call_attempts?.values.count ?? 0).toBeLessThan(
      expectedAttempts(long) / 2,
    );
    expect(((await stalled.admin("/stats")) as { agentsSignedIn: number }).agentsSignedIn).toBe(0);

    const calm = await mock();
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 2500);
    const figures: { calls: number }[] = [];
    const interrupted = await runEngine({
      plan: smokePlan(calm, dir, 30),
      profile: mockProfile(calm),
      workers: 2,
      signal: stop.signal,
      everyMs: 250,
      onProgress: (f) => figures.push(f),
    });
    expect(interrupted.stopped).toBe("interrupted");
    const attempts = interrupted.summary.metrics.ccgw_call_attempts?.values.count ?? 0;
    expect(attempts).toBeLessThan(expectedAttempts(smokePlan(calm, dir, 30)) / 2);
    expect(figures.length).toBeGreaterThan(0);
    expect(((await calm.admin("/stats")) as { agentsSignedIn: number }).agentsSignedIn).toBe(0);
  });

  it("2 and 4 segments as separate processes add up to one run: the schedule's counts exact", {
    timeout: 120_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccgw-engine-seg-"));
    dirs.push(dir);
    // One mock per way of splitting (the runs go at once and must not share agents); passwords stay in the
    // environment (the mock put it in CCGW_MOCK_PASSWORD; the children inherit it).
    const profileOf = async (name: string) => {
      const base = mockProfile(await mock());
      const path = join(dir, `${name}.json`);
      const password = `\${CCGW_MOCK_PASSWORD}`;
      await writeFile(path, JSON.stringify({ ...base, agentRange: { ...base.agentRange, password } }));
      return path;
    };
    const run = (profilePath: string, args: string[]) =>
      runScript("scripts/load.ts", [
        ...["--workers", "1", "--target", profilePath, "--profile", "smoke", "--duration", "2"],
        ...["--yes", "--quiet", ...args],
      ]);
    // The KPIs of the counts merge exactly too: the same attempts and ratios over the same interval.
    const counts = async (reportDir: string) =>
      exactCounts(await readRunFile("summary.json", join(reportDir, "summary.json")));
    // One split after another (the machine also runs other test files); the segments of a split start together.
    const runs: Record<string, number | undefined>[] = [];
    for (const n of [1, 2, 4]) {
      const startAt = String(Date.now() + 3000);
      const profilePath = await profileOf(`split-${n}`);
      const parts = Array.from({ length: n }, (_, i) => join(dir, `split${n}-${i}`));
      const segmentArgs = (i: number) => (n === 1 ? [] : ["--segment", `${i}/${n}`]);
      const results = await Promise.all(
        parts.map((part, i) =>
          run(profilePath, [
            ...["--run-id", `split-${n}`, "--start-at", startAt, "--report-dir", part],
            ...segmentArgs(i),
          ]),
        ),
      );
      // A latency SLO may break on a loaded machine (exit 1); the counts are what is compared.
      for (const r of results) expect([0, 1], r.output.slice(-600)).toContain(r.code);
      if (n === 1) {
        runs.push(await counts(parts[0] as string));
        continue;
      }
      const mergedDir = join(dir, `merged${n}`);
      const merged = await run(profilePath, [
        "--run-id",
        `split-${n}`,
        "--merge",
        ...parts,
        "--report-dir",
        mergedDir,
      ]);
      expect([0, 1], merged.output).toContain(merged.code);
      runs.push(await counts(mergedDir));
    }
    const [single, two, four] = runs;
    expect(single?.ccgw_call_attempts).toBeGreaterThan(0);
    expect(two, "2 segments").toEqual(single);
    expect(four, "4 segments").toEqual(single);
    const incomplete = await run(await profileOf("bad"), [
      "--merge",
      join(dir, "split4-0"),
      "--report-dir",
      join(dir, "bad"),
    ]);
    expect(incomplete.code).toBe(2);
    expect(incomplete.output).toContain("CCGW_USAGE");
  });

  it("shows a gateway that stalls in the latency from the intended start, and breaks the callout SLO", {
    timeout: 60_000,
  }, async () => {
    const gw = await mock({ faults: { latency: { callout: { kind: "fixed", ms: 1500 } } } });
    const dir = await mkdtemp(join(tmpdir(), "ccgw-engine-"));
    dirs.push(dir);
    const { summary, broken } = await runEngine({
      plan: smokePlan(gw, dir, 3),
      profile: mockProfile(gw),
      workers: 0,
    });
    const fromSend = summary.metrics.ccgw_callout_duration?.values["p(95)"] ?? 0;
    const fromIntended = summary.metrics.ccgw_callout_duration_intended?.values["p(95)"] ?? 0;
    expect(fromSend).toBeGreaterThanOrEqual(1500);
    expect(fromIntended).toBeGreaterThanOrEqual(fromSend);
    expect(broken.map((t) => t.metric)).toContain("ccgw_callout_duration");
  });
});
