/**
 * One load agent against a scripted loopback gateway (a few lines of node:http, events handed out as the test
 * queues them): a call's time in progress ends where the call does, whatever order the answers come in. A
 * release answered after its Ready ends its own call, never the next one the agent took meanwhile; an answered
 * call ends when the session is lost, not at sign-out. The release delay is timed for answered calls only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { contractsFor, EVENT, pathFor, situation } from "../../contracts/index.ts";
import { GatewayClient } from "../../lib/gateway/index.ts";
import { CallGuard, policyFromProfile } from "../../lib/safety.ts";
import type { TargetProfile } from "../../lib/target-profile.ts";
import type { LoadPlan } from "../plan.ts";
import { LoadAgent } from "./agent.ts";
import { RELEASE_DELAY } from "./kpis.ts";
import { Metrics } from "./metrics.ts";

const AGENT = { id: "1001", password: "pw", phone: "700001" };
const GUID = "11111111-1111-4111-8111-111111111111.AgentGateway0";

/** The scripted gateway: polls hand out queued events (or wait for one); the test decides the rest. */
class Script {
  readonly events: string[] = [];
  private waiting: (() => void) | undefined;
  /** Retcode the next poll answers with instead of an event (a lost session). */
  refusePolls: string | undefined;
  /** Held until the test lets it go: the release's answer. */
  releaseHeld: Promise<void> = Promise.resolve();
  releases = 0;
  callouts = 0;

  push(...events: string[]): void {
    this.events.push(...events);
    this.waiting?.();
  }

  async nextEvent(): Promise<string | undefined> {
    if (this.events.length === 0 && this.refusePolls === undefined)
      await Promise.race([new Promise<void>((done) => (this.waiting = done)), sleep(200)]);
    this.waiting = undefined;
    return this.events.shift();
  }
}

const servers: { server: Server; client: GatewayClient }[] = [];
afterEach(async () => {
  for (const { server, client } of servers.splice(0)) {
    await client.close();
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }
});

function reply(res: ServerResponse, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(200, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

async function gateway(script: Script): Promise<{ profile: TargetProfile; client: GatewayClient }> {
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const url = req.url ?? "";
    if (url === pathFor("login", AGENT.id))
      return reply(res, { message: "", retcode: "0", result: {} }, { "set-guid": `JSESSIONID=${GUID}` });
    if (url === pathFor("getAgentEvent", AGENT.id)) {
      if (script.refusePolls) return reply(res, { message: "", retcode: script.refusePolls });
      const eventType = await script.nextEvent();
      const event = eventType ? { eventType, workNo: AGENT.id, content: null } : null;
      return reply(res, { message: "", retcode: "0", event });
    }
    if (url === pathFor("callout", AGENT.id)) {
      script.callouts++;
      return reply(res, { message: "", retcode: "0", result: `call-${script.callouts}` });
    }
    if (url === pathFor("release", AGENT.id)) {
      script.releases++;
      await script.releaseHeld;
      return reply(res, { message: "", retcode: "0", result: null });
    }
    reply(res, { message: "", retcode: "0", result: null });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const profile = {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    edition: "2025-03",
    authMode: "static",
    called: ["4000001"],
    agents: [AGENT],
  } as unknown as TargetProfile;
  const client = await GatewayClient.open(profile, {
    timeoutMs: 5000,
    guard: new CallGuard(policyFromProfile(profile)),
  });
  servers.push({ server, client });
  return { profile, client };
}

const PLAN = {
  talkMs: 10,
  terminalTimeoutMs: 60_000,
  readyTimeoutMs: 60_000,
  settleMs: 10,
  pollPauseMs: 10,
} as LoadPlan;

/** A load agent on the scripted gateway, with every call's time in progress recorded as [start, end]. */
async function agentOn(script: Script, plan: LoadPlan = PLAN) {
  const { profile, client } = await gateway(script);
  const metrics = new Metrics();
  const inCalls: [number, number][] = [];
  metrics.series.inCall = (start, end) => void inCalls.push([start, end]);
  const agent = new LoadAgent(AGENT, {
    plan,
    profile,
    client,
    metrics,
    contracts: contractsFor("2025-03"),
    sample: () => false,
  });
  // Every release the agent sends, to await its answer.
  const releases: Promise<void>[] = [];
  const release = agent.release.bind(agent);
  agent.release = () => {
    const sent = release();
    releases.push(sent);
    return sent;
  };
  expect(await agent.signIn()).toBe(true);
  return { agent, metrics, inCalls, releases };
}

/** Waits (bounded) until the condition holds: the agent acts on the gateway's answers, not on a timer. */
async function until(what: string, done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await sleep(10);
  if (!done()) throw new Error(`never: ${what}`);
}

const ANSWERED = [EVENT.customerAlerting, EVENT.talking];

describe("a load agent's calls in progress", () => {
  it("ends an answered call at its Ready, and the release answered later leaves the next call running", async () => {
    const script = new Script();
    let letGo = () => {};
    script.releaseHeld = new Promise<void>((done) => (letGo = done));
    const { agent, metrics, inCalls, releases } = await agentOn(script);
    await agent.placeCall({ called: "4000001" }, Date.now());
    script.push(...ANSWERED);
    await until("the release is sent", () => script.releases === 1);
    script.push(EVENT.ready);
    await until("Ready makes the agent idle", () => agent.idle);
    // The next call, placed while the first call's release is still unanswered; its events never come.
    await agent.placeCall({ called: "4000001" }, Date.now());
    const secondSent = Date.now();
    letGo();
    await releases[0];
    // A moment on, so a call ended by that answer would show an end before this one.
    await sleep(30);
    const end = Date.now();
    await agent.signOut();
    expect(inCalls).toHaveLength(2);
    const [first, second] = inCalls as [[number, number], [number, number]];
    expect(first[1]).toBeLessThanOrEqual(secondSent);
    // The second call ran until the sign-out: the late release answer did not end it.
    expect(second[1]).toBeGreaterThanOrEqual(end);
    expect(metrics.stat(RELEASE_DELAY, "count")).toBe(1);
  });

  it("ends an answered call when the session is lost, not at sign-out", async () => {
    const script = new Script();
    // A long talk: the call is still going when the gateway drops the session.
    const { agent, inCalls } = await agentOn(script, { ...PLAN, talkMs: 60_000 });
    await agent.placeCall({ called: "4000001" }, Date.now());
    script.push(...ANSWERED);
    await until("the call is answered", () => agent.state === "talking");
    script.refusePolls = situation("guid-wrong").codes[0];
    script.push();
    await until("the session is lost", () => agent.state === "out");
    const lostSeen = Date.now();
    await sleep(50);
    await agent.signOut();
    expect(inCalls).toHaveLength(1);
    expect(inCalls[0]?.[1]).toBeLessThanOrEqual(lostSeen);
  });
});
