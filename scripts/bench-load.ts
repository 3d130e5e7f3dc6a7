/**
 * npm run bench:load: figures of the load engine itself on this machine, each against a mock in its own
 * process: (1) the call cycle's request rate beside wrk sending callout + release to the same mock (ratio),
 * (2) the engine's CPU per request, (3) the most agents signed in and polling with the mock on the same machine
 * (poll gap, memory), (4) how faithfully a known latency distribution and a stall are reported, (5) how close
 * the capacity search comes to a known knee. Figures only; nothing here passes or fails a build.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command, Option } from "commander";
import { EXIT } from "../lib/errors.ts";
import {
  capacity,
  type Fidelity,
  fidelity,
  type Knee,
  type Scale,
  scale,
  type Throughput,
  throughput,
} from "./bench-load/sections.ts";
import { positive } from "./cli-args.ts";
import { exitWith } from "./cli-exit.ts";

const SECTIONS = ["throughput", "scale", "fidelity", "capacity"] as const;
type Section = (typeof SECTIONS)[number];

const program = new Command("bench:load")
  .description(
    "Benchmark the load engine against a mock in its own process; prints the figures (--json for JSON).\n" +
      "Exit codes: 0 figures printed, 1 a run failed, 2 usage.",
  )
  .option("--seconds <n>", "length of each throughput run", positive("--seconds", true), 20)
  .option(
    "--offered <list>",
    "call attempts per second offered to the call cycle, comma-separated; the best is kept",
    positiveList("--offered"),
    [1200, 1800, 2400],
  )
  .option(
    "--throughput-agents <n>",
    "agents of the throughput runs",
    positive("--throughput-agents", true),
    400,
  )
  .option("--agents <n>", "agents of the scale run", positive("--agents", true), 50_000)
  .option(
    "--fidelity-rate <n>",
    "calls per second of the fidelity runs",
    positive("--fidelity-rate", true),
    100,
  )
  .option(
    "--fidelity-seconds <n>",
    "schedule of each fidelity run, s",
    positive("--fidelity-seconds", true),
    30,
  )
  .option(
    "--knee <n>",
    "the mock's callouts per second for the capacity search",
    positive("--knee", true),
    20,
  )
  .addOption(
    new Option("--only <sections...>", "run only these sections")
      .choices([...SECTIONS])
      .default([...SECTIONS]),
  )
  .option("--no-install", "do not install wrk when it is missing (its row is then skipped, saying why)")
  .option("--json", "print the figures as JSON")
  .exitOverride();

/** A comma-separated list of positive integers (each checked like a single value). */
function positiveList(name: string): (value: string) => number[] {
  const one = positive(name, true);
  return (value) => value.split(",").map((v) => one(v));
}

interface Figures {
  throughput?: Throughput;
  scale?: Scale;
  fidelity?: Fidelity;
  capacity?: Knee;
}

function lines(f: Figures): string[] {
  const out: string[] = [];
  const t = f.throughput;
  if (t) {
    const rates = t.engine.map((e) => `${e.offered}: ${e.requestsPerSecond}`).join(", ");
    out.push(
      `throughput: engine ${t.best.requestsPerSecond} req/s (best at ${t.best.offered} calls/s offered; ${rates})` +
        (t.wrk
          ? `, wrk ${t.wrk.requestsPerSecond} req/s, ratio ${t.ratio} (target >= 0.8)`
          : `, wrk skipped: ${t.wrkSkipped}`),
      `cost: ${t.best.cpuUsPerRequest} µs engine CPU per request (target <= 40); mock ${t.engine.find((e) => e.offered === t.best.offered)?.mockCpuUsPerRequest} µs; ` +
        `the client alone (callout + release loop): ${t.floor.cpuUsPerRequest} µs at ${t.floor.requestsPerSecond} req/s`,
    );
  }
  const s = f.scale;
  if (s) {
    out.push(
      `scale: ${s.agents} agents${s.limitedBy ? ` (of ${s.asked} asked: ${s.limitedBy})` : ""}, ${s.signedIn} signed in at the peak, ${s.signInFailures} sign-in failures, ` +
        `poll gap p95 ${Math.round(s.pollGapP95Ms ?? Number.NaN)} ms (target < 500), engine RSS ${s.rssMb} MB (target < 1024)`,
    );
  }
  const d = f.fidelity;
  if (d) {
    const r = (n: number) => Math.round(n * 10) / 10;
    out.push(
      `fidelity: injected p50/p95/p99 ${r(d.injected.p50)}/${r(d.injected.p95)}/${r(d.injected.p99)} ms, reported ` +
        `${r(d.reported.p50)}/${r(d.reported.p95)}/${r(d.reported.p99)} ms (${d.deviation.p50}%/${d.deviation.p95}%/${d.deviation.p99}%, target ±5%)`,
      `stall: mock stopped ${d.stall.ms} ms; callout p99 ${r(d.stall.p99)} ms, from the intended start ${r(d.stall.p99Intended)} ms, max ${r(d.stall.max)} ms`,
    );
  }
  const c = f.capacity;
  if (c)
    out.push(
      `capacity: knee ${c.knee} calls/s, found ${c.sustainable} (${c.deviationPct}%, target ±10%) in ${c.steps} steps`,
    );
  return out;
}

async function main(argv: string[]): Promise<number> {
  program.parse(argv);
  const o = program.opts<{
    seconds: number;
    offered: number[];
    throughputAgents: number;
    agents: number;
    fidelityRate: number;
    fidelitySeconds: number;
    knee: number;
    only: Section[];
    install: boolean;
    json?: boolean;
  }>();
  const log = (line: string) => process.stderr.write(`bench:load: ${line}\n`);
  const dir = mkdtempSync(join(tmpdir(), "ccgw-bench-load-"));
  const figures: Figures = {};
  const failed: string[] = [];
  // Each section on its own: one that fails is named, and the figures of the others are still printed.
  const section = async <K extends keyof Figures>(name: K, run: () => Promise<Figures[K]>) => {
    if (!o.only.includes(name)) return;
    try {
      figures[name] = await run();
    } catch (error) {
      failed.push(`${name}: ${(error as Error).message}`);
      log(`${name} failed: ${(error as Error).message}`);
    }
  };
  try {
    const throughputRun = {
      offered: o.offered,
      seconds: o.seconds,
      agents: o.throughputAgents,
      install: o.install,
    };
    await section("throughput", () => throughput(dir, throughputRun, log));
    await section("fidelity", () => fidelity(dir, { rate: o.fidelityRate, seconds: o.fidelitySeconds }, log));
    await section("capacity", () => capacity(dir, o.knee, log));
    // Last: the scale run raises this process's open-file limit and leaves many sockets to close.
    await section("scale", () => scale(dir, o.agents, log));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const output = o.json
    ? JSON.stringify({ ...figures, failed }, null, 2)
    : [...lines(figures), ...failed.map((f) => `FAILED ${f}`)].join("\n");
  process.stdout.write(`${output}\n`);
  return failed.length > 0 ? EXIT.FAIL : EXIT.PASS;
}

await exitWith("bench:load", () => main(process.argv));
