/**
 * End-to-end tests of the main job (scripts/run.ts as a process): clear failures for a bad profile and for each
 * way a gateway can be wrong, the dry run, the caps and the remote-load refusal sending nothing, no secret in any
 * output, and no agent left signed in after Ctrl-C. Servers run on 127.0.0.1, started here.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_EDITION } from "../contracts/index.ts";
import { CallLedger } from "../lib/call-ledger.ts";
import type { TargetProfile } from "../lib/target-profile.ts";
import { mockProfile, type RunningGateway, startGateway } from "../mock/index.ts";
import { suiteMockOptions } from "../scenarios/setup/suite-mock.ts";

const ROOT = join(import.meta.dirname, "..");
const GUID_SHAPE = /[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}/;

let work: string;
let gateway: RunningGateway;
const servers: Server[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ccgw-run-test-"));
  gateway = await startGateway({ quiet: true, tls: true, timing: "fast", selfCheck: false });
});
afterAll(async () => {
  await gateway.close();
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  await rm(work, { recursive: true, force: true });
});

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(args: string[]): { child: ChildProcess; done: Promise<Result>; output: () => string } {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/run.ts", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    // Neither colour variable: output to a pipe must come without ANSI codes by itself.
    env: withoutColourVariables(process.env),
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<Result>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, output: () => stdout + stderr };
}

function withoutColourVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { FORCE_COLOR: _force, NO_COLOR: _none, ...rest } = env;
  return rest;
}

async function run(args: string[]): Promise<Result> {
  return start(args).done;
}

let counter = 0;
async function profileFile(profile: unknown): Promise<string> {
  counter += 1;
  const path = join(work, `profile-${counter}.json`);
  await writeFile(path, JSON.stringify(profile), { mode: 0o600 });
  return path;
}

async function listen(server: Server): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  server.on("request", () => {
    hits += 1;
  });
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
}

/** A clear failure: exit 2, the code on one stderr line, no stack trace, and a page saying what happened. */
function expectClearFailure(result: Result, code: string, reportDir: string): void {
  expect(result.code).toBe(2);
  const lines = result.stderr.split("\n").filter((l) => l.includes(code));
  expect(lines.length).toBeGreaterThanOrEqual(1);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stdout).toMatch(/^verdict: ERROR/m);
  const page = readFileSync(join(reportDir, "index.html"), "utf8");
  expect(page).toContain(code);
  expect(page).toContain("ERROR: the run could not be completed");
}

describe("clear failures", { timeout: 30_000 }, () => {
  it.concurrent("names the field and the rule of a bad profile", async () => {
    const dir = join(work, "bad-profile");
    const target = await profileFile({
      baseUrl: "ftp://x",
      agents: [{ id: "1", password: "p", phone: "1" }],
    });
    const result = await run(["--target", target, "--report-dir", dir, "--skip-contract", "--skip-load"]);
    expectClearFailure(result, "CCGW_PROFILE_INVALID", dir);
    expect(result.stderr).toContain("/baseUrl");
    expect(result.stderr).toMatch(/called/);
  });

  it.concurrent("calls a closed port unreachable", async () => {
    const server = createServer();
    const { url } = await listen(server);
    await new Promise<void>((done) => server.close(() => done()));
    const dir = join(work, "closed");
    const target = await profileFile({ ...mockProfile(gateway), baseUrl: url });
    const result = await run(["--target", target, "--report-dir", dir, "--skip-contract", "--skip-load"]);
    expectClearFailure(result, "CCGW_TARGET_UNREACHABLE", dir);
  });

  it.concurrent("calls an untrusted certificate a TLS failure", async () => {
    const dir = join(work, "tls");
    const { tls: _tls, ...profile } = mockProfile(gateway);
    const result = await run([
      "--target",
      await profileFile(profile),
      "--report-dir",
      dir,
      "--skip-contract",
      "--skip-load",
    ]);
    expectClearFailure(result, "CCGW_TARGET_TLS", dir);
  });

  it.concurrent("calls an HTML answer not JSON", async () => {
    const { url } = await listen(
      createServer((_req, res) => {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<!doctype html><h1>Login portal</h1>");
      }),
    );
    const dir = join(work, "html");
    const target = await profileFile({ ...mockProfile(gateway), baseUrl: url, tls: undefined });
    const result = await run(["--target", target, "--report-dir", dir, "--skip-contract", "--skip-load"]);
    expectClearFailure(result, "CCGW_TARGET_NOT_JSON", dir);
  });

  it.concurrent("calls a wrong password a refused sign-in, without printing it", async () => {
    const dir = join(work, "password");
    const { agentRange: _range, ...base } = mockProfile(gateway);
    const profile = { ...base, agents: [{ id: "1001", password: "Wrong-Pass-123", phone: "700001" }] };
    const result = await run([
      "--target",
      await profileFile(profile),
      "--report-dir",
      dir,
      "--skip-contract",
      "--skip-load",
    ]);
    expectClearFailure(result, "CCGW_SIGN_IN_REFUSED", dir);
    expect(result.stdout + result.stderr).not.toContain("Wrong-Pass-123");
    expect(readFileSync(join(dir, "index.html"), "utf8")).not.toContain("Wrong-Pass-123");
  });
});

describe("safety before sending", { timeout: 30_000 }, () => {
  it.concurrent("--dry-run prints the plan and sends nothing", async () => {
    const { url, hits } = await listen(createServer((_req, res) => res.end("{}")));
    const profile = { ...mockProfile(gateway), baseUrl: url, tls: undefined };
    const result = await run([
      "--target",
      await profileFile(profile),
      "--dry-run",
      "--report-dir",
      join(work, "dry"),
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("dry run: nothing is sent");
    for (const field of ["agents:", "numbers:", "peak rate:", "duration:", "total calls (max):"])
      expect(result.stdout).toContain(field);
    expect(result.stdout).toContain("4000001");
    // The suite's plan: the mock's own profile presents no calling number, so the caller boundaries wait on one.
    expect(result.stdout).toMatch(/suite plan: .*\n(.*\n)*to test more(.*\n)* {2}caller, callers: a calling/);
    expect(hits()).toBe(0);
    expect(existsSync(join(work, "dry"))).toBe(false);
  });

  it.concurrent("refuses a plan above maxCallsPerSecond before sending anything", async () => {
    const { url, hits } = await listen(createServer((_req, res) => res.end("{}")));
    const profile = { ...mockProfile(gateway), baseUrl: url, tls: undefined, maxCallsPerSecond: 0.5 };
    const dir = join(work, "cap");
    const result = await run(["--target", await profileFile(profile), "--report-dir", dir]);
    expectClearFailure(result, "CCGW_BUDGET_EXCEEDED", dir);
    expect(hits()).toBe(0);
  });

  it.concurrent("refuses a plan above maxTotalCalls before sending anything", async () => {
    const { url, hits } = await listen(createServer((_req, res) => res.end("{}")));
    const profile = { ...mockProfile(gateway), baseUrl: url, tls: undefined, maxTotalCalls: 3 };
    const dir = join(work, "budget");
    const result = await run(["--target", await profileFile(profile), "--report-dir", dir]);
    expectClearFailure(result, "CCGW_BUDGET_EXCEEDED", dir);
    expect(hits()).toBe(0);
  });

  it.concurrent("refuses a load run against a non-loopback gateway without --yes and without a terminal", async () => {
    // 192.0.2.0/24 is TEST-NET-1: never routed, and the refusal comes before any connection anyway.
    const profile = { ...mockProfile(gateway), baseUrl: "https://192.0.2.10:8043", tls: undefined };
    const dir = join(work, "remote");
    const result = await run([
      "--target",
      await profileFile(profile),
      "--report-dir",
      dir,
      "--skip-contract",
    ]);
    expectClearFailure(result, "CCGW_USAGE", dir);
    expect(result.stderr).toContain("--yes");
  });

  it.concurrent("warns when TLS verification is off", async () => {
    const dir = join(work, "insecure");
    const profile = { ...mockProfile(gateway), tls: { insecure: true } };
    const result = await run([
      "--target",
      await profileFile(profile),
      "--report-dir",
      dir,
      "--skip-contract",
      "--skip-load",
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/WARNING: tls\.insecure/);
    expect(readFileSync(join(dir, "index.html"), "utf8")).toContain("TLS not verified");
  });
});

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

async function signedIn(gw: RunningGateway): Promise<number> {
  return ((await gw.admin("/stats")) as { agentsSignedIn: number }).agentsSignedIn;
}

describe("the main job with its load phase", () => {
  it.concurrent("leaves no password and no Guid in any output file, stdout or stderr", {
    timeout: 120_000,
  }, async () => {
    // The functional suite's mock settings (200 ms long poll), so its cases settle quickly.
    const target = await startGateway({
      ...suiteMockOptions(DEFAULT_EDITION, "dynamic", 1, []),
      quiet: true,
    });
    try {
      const profile: TargetProfile = mockProfile(target);
      const password = profile.agentRange?.password ?? "";
      expect(password.length).toBeGreaterThan(3);
      const dir = join(work, "secrets");
      const args = ["--target", await profileFile(profile), "--report-dir", dir, "--load-duration", "4"];
      const result = await run(args);
      expect([0, 1]).toContain(result.code);
      const outputs: [string, string][] = [
        ["stdout", result.stdout],
        ["stderr", result.stderr],
      ];
      for (const file of filesUnder(dir)) {
        const raw = readFileSync(file);
        outputs.push([file, file.endsWith(".gz") ? gunzipSync(raw).toString("utf8") : raw.toString("utf8")]);
      }
      expect(outputs.map(([name]) => name).some((n) => n.endsWith("summary.json"))).toBe(true);
      expect(outputs.map(([name]) => name).some((n) => n.endsWith("conformance.json"))).toBe(true);
      for (const [name, text] of outputs) {
        expect(text.includes(password), `${name} contains the agents' password`).toBe(false);
        expect(GUID_SHAPE.test(text), `${name} contains a Guid-shaped string`).toBe(false);
      }
      // A quiet console: no colour codes into a pipe, one summary block, the case listing only in the log file.
      expect(result.stdout + result.stderr).not.toContain("\u001b[");
      expect(result.stdout.match(/^verdict: /gm)).toHaveLength(1);
      expect(result.stdout + result.stderr).not.toMatch(/\[callout\//);
      const suiteLog = readFileSync(join(dir, "contract", "phase.log"), "utf8");
      expect(suiteLog).toMatch(/\[callout\//);
      expect(suiteLog).not.toContain("\u001b[");
      expect(readFileSync(join(dir, "load", "phase.log"), "utf8")).not.toMatch(/^verdict: /m);
      expect(await signedIn(target)).toBe(0);
    } finally {
      await target.close();
    }
  });

  it.concurrent("keeps one maxTotalCalls for the whole run: the load phase gets what the suite left", async () => {
    const target = await startGateway({
      ...suiteMockOptions(DEFAULT_EDITION, "dynamic", 1, []),
      quiet: true,
    });
    try {
      const dir = join(work, "budget-run");
      // 30 calls: the load plan alone (8) fits, but not after the suite's callouts.
      const profile = { ...mockProfile(target), maxTotalCalls: 30 };
      const result = await run([
        "--target",
        await profileFile(profile),
        "--report-dir",
        dir,
        "--load-duration",
        "4",
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("load: CCGW_BUDGET_EXCEEDED");
      const used = CallLedger.inReportDir(join(dir, "contract")).spent();
      expect(used).toBeGreaterThan(0);
      expect(used).toBeLessThanOrEqual(30);
      const stats = (await target.admin("/stats")) as { requests: Record<string, Record<string, number>> };
      const sent = Object.values(stats.requests.callout ?? {}).reduce((a, b) => a + b, 0);
      expect(sent).toBeLessThanOrEqual(30);
      expect(existsSync(join(dir, "load", "summary.json"))).toBe(false);
    } finally {
      await target.close();
    }
  }, 120_000);

  it("signs every agent out after Ctrl-C in the middle of the load phase", {
    timeout: 120_000,
  }, async () => {
    const target = await startGateway({ quiet: true, timing: "fast", selfCheck: false });
    try {
      const dir = join(work, "sigint");
      const job = start([
        "--target",
        await profileFile(mockProfile(target)),
        "--report-dir",
        dir,
        "--skip-contract",
        "--load-duration",
        "30",
        "--progress-ms",
        "500",
      ]);
      // Mid-run: the load phase has agents signed in.
      const deadline = Date.now() + 60_000;
      while ((await signedIn(target)) === 0) {
        if (Date.now() > deadline) throw new Error(`no agent signed in within 60 s:\n${job.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      job.child.kill("SIGINT");
      const result = await job.done;
      expect(result.code).toBe(130);
      expect(await signedIn(target)).toBe(0);
      const page = readFileSync(join(dir, "index.html"), "utf8");
      expect(page).toContain("interrupted");
    } finally {
      await target.close();
    }
  });
});

describe("Ctrl-C during the functional suite", () => {
  it("signs every agent out and writes the page", { timeout: 120_000 }, async () => {
    const target = await startGateway({
      ...suiteMockOptions(DEFAULT_EDITION, "dynamic", 1, []),
      quiet: true,
    });
    try {
      const dir = join(work, "sigint-contract");
      const job = start([
        "--target",
        await profileFile(mockProfile(target)),
        "--report-dir",
        dir,
        "--skip-load",
      ]);
      const deadline = Date.now() + 60_000;
      while ((await signedIn(target)) === 0) {
        if (Date.now() > deadline) throw new Error(`no agent signed in within 60 s:\n${job.output()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      job.child.kill("SIGINT");
      const result = await job.done;
      expect(result.code).toBe(130);
      expect(await signedIn(target)).toBe(0);
      expect(readFileSync(join(dir, "index.html"), "utf8")).toContain("interrupted");
    } finally {
      await target.close();
    }
  });
});
