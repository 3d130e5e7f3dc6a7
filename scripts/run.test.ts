/**
 * End-to-end tests of the main job (scripts/run.ts as a process), before it sends anything: clear failures for a
 * bad profile and for each way a gateway can be wrong, the dry run, the caps and the remote-load refusal sending
 * nothing. Whole runs are in run-load.test.ts. Servers run on 127.0.0.1, started here.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mockProfile, type RunningGateway, startGateway } from "../mock/index.ts";
import { type MainJobResult, profileFile, runMainJob } from "../testing/main-job.ts";

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
function expectClearFailure(result: MainJobResult, code: string, reportDir: string): void {
  expect(result.code).toBe(2);
  const lines = result.stderr.split("\n").filter((l) => l.includes(code));
  expect(lines.length).toBeGreaterThanOrEqual(1);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stdout).toMatch(/^verdict: ERROR/m);
  const page = readFileSync(join(reportDir, "index.html"), "utf8");
  expect(page).toContain(code);
  expect(page).toContain("ERROR: the run could not be completed");
}

describe("clear failures", { timeout: 120_000 }, () => {
  it.concurrent("names the field and the rule of a bad profile", async () => {
    const dir = join(work, "bad-profile");
    const target = await profileFile(work, {
      baseUrl: "ftp://x",
      agents: [{ id: "1", password: "p", phone: "1" }],
    });
    const result = await runMainJob([
      "--target",
      target,
      "--report-dir",
      dir,
      "--skip-contract",
      "--skip-load",
    ]);
    expectClearFailure(result, "CCGW_PROFILE_INVALID", dir);
    expect(result.stderr).toContain("/baseUrl");
    expect(result.stderr).toMatch(/called/);
  });

  it.concurrent("calls a closed port unreachable", async () => {
    const server = createServer();
    const { url } = await listen(server);
    await new Promise<void>((done) => server.close(() => done()));
    const dir = join(work, "closed");
    const target = await profileFile(work, { ...mockProfile(gateway), baseUrl: url });
    const result = await runMainJob([
      "--target",
      target,
      "--report-dir",
      dir,
      "--skip-contract",
      "--skip-load",
    ]);
    expectClearFailure(result, "CCGW_TARGET_UNREACHABLE", dir);
  });

  it.concurrent("calls an untrusted certificate a TLS failure", async () => {
    const dir = join(work, "tls");
    const { tls: _tls, ...profile } = mockProfile(gateway);
    const result = await runMainJob([
      "--target",
      await profileFile(work, profile),
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
    const target = await profileFile(work, { ...mockProfile(gateway), baseUrl: url, tls: undefined });
    const result = await runMainJob([
      "--target",
      target,
      "--report-dir",
      dir,
      "--skip-contract",
      "--skip-load",
    ]);
    expectClearFailure(result, "CCGW_TARGET_NOT_JSON", dir);
  });

  it.concurrent("calls a wrong password a refused sign-in, without printing it", async () => {
    const dir = join(work, "password");
    const { agentRange: _range, ...base } = mockProfile(gateway);
    const profile = { ...base, agents: [{ id: "1001", password: "Wrong-Pass-123", phone: "700001" }] };
    const result = await runMainJob([
      "--target",
      await profileFile(work, profile),
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

describe("safety before sending", { timeout: 120_000 }, () => {
  it.concurrent("--dry-run prints the plan and sends nothing", async () => {
    const { url, hits } = await listen(createServer((_req, res) => res.end("{}")));
    const profile = { ...mockProfile(gateway), baseUrl: url, tls: undefined };
    const result = await runMainJob([
      "--target",
      await profileFile(work, profile),
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
    const result = await runMainJob(["--target", await profileFile(work, profile), "--report-dir", dir]);
    expectClearFailure(result, "CCGW_BUDGET_EXCEEDED", dir);
    expect(hits()).toBe(0);
  });

  it.concurrent("refuses a plan above maxTotalCalls before sending anything", async () => {
    const { url, hits } = await listen(createServer((_req, res) => res.end("{}")));
    const profile = { ...mockProfile(gateway), baseUrl: url, tls: undefined, maxTotalCalls: 3 };
    const dir = join(work, "budget");
    const result = await runMainJob(["--target", await profileFile(work, profile), "--report-dir", dir]);
    expectClearFailure(result, "CCGW_BUDGET_EXCEEDED", dir);
    expect(hits()).toBe(0);
  });

  it.concurrent("refuses a load run against a non-loopback gateway without --yes and without a terminal", async () => {
    // 192.0.2.0/24 is TEST-NET-1: never routed, and the refusal comes before any connection anyway.
    const profile = { ...mockProfile(gateway), baseUrl: "https://192.0.2.10:8043", tls: undefined };
    const dir = join(work, "remote");
    const result = await runMainJob([
      "--target",
      await profileFile(work, profile),
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
    const result = await runMainJob([
      "--target",
      await profileFile(work, profile),
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
