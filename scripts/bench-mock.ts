/**
 * Benchmark of the mock gateway over HTTP on loopback: callout throughput and the full sign-in, callout, poll,
 * release, sign-out cycle, each against a bare node:http server answering the same bytes in the same run, plus
 * the memory of the mock holding 10,000 signed-in agents. Servers run in child processes; this process drives
 * them with undici keep-alive pools and a fixed, bounded number of requests.
 */
import { readFile } from "node:fs/promises";
import { Command } from "commander";
import { Pool } from "undici";
import { EVENT, pathFor } from "../contracts/index.ts";
import { EXIT, HarnessError } from "../lib/errors.ts";
import { guidOfSetGuid, setGuidHeader } from "../lib/gateway/index.ts";
import { type ServerProcess, startServerProcess } from "../lib/script-process.ts";
import { DEFAULT_AGENT_RANGE } from "../mock/index.ts";
import { positive } from "./cli-args.ts";
import { exitWith } from "./cli-exit.ts";

const PASSWORD = DEFAULT_AGENT_RANGE.password;
const JSON_TYPE = "application/json; charset=UTF-8";

const program = new Command("bench:mock")
  .description(
    "Throughput of the mock vs a bare node:http server on loopback, and RSS with many agents signed in.",
  )
  .option("--requests <n>", "callouts in the callout benchmark", positive("--requests", true), 20000)
  .option("--cycles <n>", "cycles in the full-cycle benchmark", positive("--cycles", true), 2000)
  .option("--concurrency <n>", "concurrent clients (one agent each)", positive("--concurrency", true), 32)
  .option("--agents <n>", "agents signed in for the memory figure", positive("--agents", true), 10000)
  .option("--json", "print the figures as one JSON line")
  .showHelpAfterError()
  .exitOverride();

type Server = ServerProcess;

/** Starts a server child and waits (with a deadline) for its one JSON line with the url. */
function startChild(args: string[], env: Record<string, string> = {}): Promise<Server> {
  return startServerProcess(args, { env: { ...process.env, ...env }, echoStderr: true });
}

async function stopChild(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.kill("SIGTERM");
  await exited;
}

async function rssMiB(pid: number | undefined): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** A bare node:http server answering canned bytes: fixed bodies per route, polls cycling per agent. */
const BARE_SERVER = `
const http = require("node:http");
const routes = JSON.parse(process.env.BARE_ROUTES);
const cursors = new Map();
const server = http.createServer((req, res) => {
  req.on("data", () => {});
  req.on("end", () => {
    const url = req.url;
    let r;
    if (url.includes("/agentevent/")) {
      const id = url.slice(url.lastIndexOf("/") + 1);
      const i = cursors.get(id) || 0;
      cursors.set(id, (i + 1) % routes.polls.length);
      r = { body: routes.polls[i], headers: {} };
    } else if (url.endsWith("/callout")) r = routes.callout;
    else if (url.endsWith("/release")) r = routes.release;
    else if (url.endsWith("/logout")) r = routes.logout;
    else r = routes.login;
    res.writeHead(200, Object.assign({ "content-type": "application/json; charset=utf-8" }, r.headers));
    res.end(r.body);
  });
});
server.keepAliveTimeout = 72000;
server.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ url: "http://127.0.0.1:" + server.address().port })));
`;

interface Canned {
  body: string;
  headers: Record<string, string>;
}

class Client {
  readonly pool: Pool;
  constructor(url: string, connections: number) {
    this.pool = new Pool(url, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
  }
  async call(
    method: "PUT" | "GET" | "DELETE",
    path: string,
    guid?: string,
    body?: unknown,
  ): Promise<{ text: string; setGuid?: string }> {
    const response = await this.pool.request({
      method,
      path,
      headers: guid ? { "content-type": JSON_TYPE, guid } : { "content-type": JSON_TYPE },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.body.text();
    if (response.statusCode !== 200)
      throw new Error(`${method} ${path}: HTTP ${response.statusCode} ${text.slice(0, 200)}`);
    const setGuid = guidOfSetGuid(setGuidHeader(response.headers));
    return setGuid ? { text, setGuid } : { text };
  }
  close(): Promise<void> {
    return this.pool.close();
  }
}

function agentId(i: number): string {
  return String(DEFAULT_AGENT_RANGE.from + i);
}

async function login(client: Client, id: string): Promise<string> {
  const reply = await client.call("PUT", pathFor("login", id), undefined, {
    password: PASSWORD,
    phonenum: "1",
  });
  if (!reply.setGuid)
    throw new Error(`login ${id}: no Guid in the sign-in answer: ${reply.text.slice(0, 200)}`);
  return reply.setGuid;
}

/** Polls until the given event type; returns the number of polls. */
async function pollUntil(client: Client, id: string, guid: string, type: string): Promise<number> {
  for (let polls = 1; polls <= 50; polls++) {
    const reply = await client.call("GET", pathFor("getAgentEvent", id), guid);
    if (reply.text.includes(`"eventType":"${type}"`)) return polls;
  }
  throw new Error(`agent ${id}: no ${type} after 50 polls`);
}

/** Runs `total` jobs over `concurrency` workers; returns elapsed seconds. */
async function run(
  concurrency: number,
  total: number,
  job: (worker: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (next < total) {
        next++;
        await job(worker);
      }
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function calloutBench(url: string, concurrency: number, requests: number): Promise<number> {
  const client = new Client(url, concurrency);
  const guids = await Promise.all(Array.from({ length: concurrency }, (_, w) => login(client, agentId(w))));
  const body = { called: "4000003" };
  // Warm-up, not counted.
  await run(concurrency, Math.min(2000, requests), (w) =>
    client.call("PUT", pathFor("callout", agentId(w)), guids[w], body),
  );
  const seconds = await run(concurrency, requests, async (w) => {
    const reply = await client.call("PUT", pathFor("callout", agentId(w)), guids[w], body);
    if (!reply.text.includes('"retcode":"0"')) throw new Error(`callout refused: ${reply.text}`);
  });
  await client.close();
  return requests / seconds;
}

/** One full cycle for an agent; returns requests made. */
async function cycle(client: Client, id: string): Promise<number> {
  const guid = await login(client, id);
  let requests = 1 + (await pollUntil(client, id, guid, EVENT.ready));
  await client.call("PUT", pathFor("callout", id), guid, { called: "4000001" });
  requests += 1 + (await pollUntil(client, id, guid, EVENT.talking));
  await client.call("DELETE", pathFor("release", id), guid);
  requests += 1 + (await pollUntil(client, id, guid, EVENT.ready));
  await client.call("DELETE", pathFor("logout", id), guid);
  return requests + 1;
}

async function cycleBench(
  url: string,
  concurrency: number,
  cycles: number,
): Promise<{ cycles: number; requests: number }> {
  const client = new Client(url, concurrency);
  let requests = 0;
  const seconds = await run(concurrency, cycles, async (w) => {
    const made = await cycle(client, agentId(5000 + w));
    requests += made;
  });
  await client.close();
  return { cycles: cycles / seconds, requests: requests / seconds };
}

/** Records the mock's answers for one cycle, to be served by the bare server. */
async function record(url: string): Promise<Record<string, Canned | string[]>> {
  const client = new Client(url, 1);
  const id = agentId(9000);
  const loginReply = await client.pool.request({
    method: "PUT",
    path: pathFor("login", id),
    headers: { "content-type": JSON_TYPE },
    body: JSON.stringify({ password: PASSWORD, phonenum: "1" }),
  });
  const loginBody = await loginReply.body.text();
  const setGuid = setGuidHeader(loginReply.headers);
  const guid = guidOfSetGuid(setGuid) ?? "";
  const polls: string[] = [];
  const drain = async () => {
    for (;;) {
      const reply = await client.call("GET", pathFor("getAgentEvent", id), guid);
      if (reply.text.includes('"event":null')) return;
      polls.push(reply.text);
    }
  };
  await drain();
  const callout = await client.call("PUT", pathFor("callout", id), guid, { called: "4000001" });
  await drain();
  const release = await client.call("DELETE", pathFor("release", id), guid);
  await drain();
  const logout = await client.call("DELETE", pathFor("logout", id), guid);
  await client.close();
  return {
    login: { body: loginBody, headers: { "set-guid": setGuid ?? "" } },
    callout: { body: callout.text, headers: {} },
    release: { body: release.text, headers: {} },
    logout: { body: logout.text, headers: {} },
    polls,
  };
}

async function heldAgents(url: string, pid: number | undefined, agents: number, concurrency: number) {
  const client = new Client(url, concurrency);
  const before = await rssMiB(pid);
  let index = 0;
  await run(concurrency, agents, async () => {
    const i = index++;
    await login(client, agentId(i));
    if (i > 0 && i % 2000 === 0) process.stderr.write(`bench: ${i} agents signed in\n`);
  });
  const stats = JSON.parse((await client.call("GET", "/__mock/stats")).text) as { agentsSignedIn: number };
  await client.close();
  return { before, after: await rssMiB(pid), signedIn: stats.agentsSignedIn };
}

async function main(): Promise<number> {
  program.parse();
  const o = program.opts<{
    requests: number;
    cycles: number;
    concurrency: number;
    agents: number;
    json?: boolean;
  }>();
  if (o.agents > DEFAULT_AGENT_RANGE.count - 10000) {
    throw new HarnessError("CCGW_USAGE", `--agents must be at most ${DEFAULT_AGENT_RANGE.count - 10000}`);
  }
  const mockArgs = [
    "--import",
    "tsx",
    "scripts/mock.ts",
    "--http",
    "--timing",
    "fast",
    "--poll-wait-ms",
    "50",
    "--seed",
    "1",
  ];
  process.stderr.write("bench: starting the mock and recording one cycle\n");
  let mock = await startChild(mockArgs);
  const canned = await record(mock.url);
  const bare = await startChild(["-e", BARE_SERVER], { BARE_ROUTES: JSON.stringify(canned) });
  const figures: Record<string, number> = {};
  try {
    process.stderr.write(`bench: callout x ${o.requests}, concurrency ${o.concurrency}\n`);
    figures.calloutMock = await calloutBench(mock.url, o.concurrency, o.requests);
    figures.calloutBare = await calloutBench(bare.url, o.concurrency, o.requests);
    process.stderr.write(`bench: full cycle x ${o.cycles}\n`);
    const cycleMock = await cycleBench(mock.url, o.concurrency, o.cycles);
    const cycleBare = await cycleBench(bare.url, o.concurrency, o.cycles);
    figures.cycleMock = cycleMock.cycles;
    figures.cycleMockRequests = cycleMock.requests;
    figures.cycleBare = cycleBare.cycles;
    figures.cycleBareRequests = cycleBare.requests;
    // A fresh mock for the memory figure, so the benchmarks' queues do not count.
    await stopChild(mock);
    mock = await startChild(mockArgs);
    process.stderr.write(`bench: signing in ${o.agents} agents\n`);
    const held = await heldAgents(mock.url, mock.child.pid, o.agents, o.concurrency);
    figures.agentsSignedIn = held.signedIn;
    figures.rssIdleMiB = held.before;
    figures.rssWithAgentsMiB = held.after;
  } finally {
    await stopChild(mock);
    await stopChild(bare);
  }
  const calloutRatio = (figures.calloutMock ?? 0) / (figures.calloutBare ?? 1);
  const cycleRatio = (figures.cycleMock ?? 0) / (figures.cycleBare ?? 1);
  const memoryOk =
    (figures.rssWithAgentsMiB ?? Number.POSITIVE_INFINITY) < 1024 && figures.agentsSignedIn === o.agents;
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ ...figures, calloutRatio, cycleRatio, memoryOk })}\n`);
  } else {
    const f = (n: number | undefined) => (n ?? 0).toFixed(0).padStart(8);
    process.stdout.write(
      [
        `callout      mock ${f(figures.calloutMock)} req/s   bare ${f(figures.calloutBare)} req/s   ratio ${calloutRatio.toFixed(2)} (target >= 0.50)`,
        `full cycle   mock ${f(figures.cycleMock)} cyc/s   bare ${f(figures.cycleBare)} cyc/s   ratio ${cycleRatio.toFixed(2)}` +
          `   (${f(figures.cycleMockRequests)} vs ${f(figures.cycleBareRequests)} req/s)`,
        `memory       ${figures.agentsSignedIn} agents signed in: RSS ${f(figures.rssWithAgentsMiB)} MiB (idle ${f(figures.rssIdleMiB)} MiB; target < 1024)`,
        "",
      ].join("\n"),
    );
  }
  return calloutRatio >= 0.5 && memoryOk ? EXIT.PASS : EXIT.FAIL;
}

await exitWith("bench:mock", main);
