/**
 * The session keeper against a scripted loopback gateway (a few lines of node:http, so each answer is exactly
 * what a case needs): one poll open from sign-in to sign-out and never two, every Set-GUID taken, waits that end
 * by what the gateway answered (an empty poll sent after the deadline), a refused poll ending the session, and a
 * refused sign-out leaving the state unknown.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { EVENT, pathFor } from "../../contracts/index.ts";
import type { Agent, TargetProfile } from "../target-profile.ts";
import { GatewayClient, NO_CALLOUTS } from "./client.ts";
import { AgentSession } from "./session.ts";
import { signInPolicy } from "./sign-in-out.ts";

const AGENT: Agent = { id: "1001", password: "pw", phone: "700001" };
const GUID = "11111111-1111-4111-8111-111111111111.AgentGateway0";
const ROTATED = "22222222-2222-4222-8222-222222222222.AgentGateway0";

/** How the scripted gateway answers a poll: an event, empty after a hold, or a refusal; and a Set-GUID. */
interface PollScript {
  event?: string;
  holdMs?: number;
  retcode?: string;
  setGuid?: string;
}

interface Gateway {
  client: GatewayClient;
  /** Polls as they arrived: the Guid each carried, and how many were open at once at most. */
  polls: { guid: string | undefined; at: number }[];
  maxOpenPolls: number;
  /** Guids carried by requests other than polls. */
  guids: string[];
  logout: { retcode: string };
  close(): Promise<void>;
}

const open: Gateway[] = [];
afterEach(async () => {
  for (const g of open.splice(0)) await g.close();
});

function answer(res: ServerResponse, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(200, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** A gateway whose polls follow `script` (one entry per poll; the last one repeats). */
async function gateway(script: PollScript[]): Promise<Gateway> {
  let next = 0;
  let openPolls = 0;
  const state = { polls: [] as Gateway["polls"], maxOpenPolls: 0, guids: [] as string[] };
  const logout = { retcode: "0" };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const url = req.url ?? "";
    const guid = req.headers.guid as string | undefined;
    if (url === pathFor("login", AGENT.id)) {
      answer(res, { message: "", retcode: "0", result: {} }, { "set-guid": `JSESSIONID=${GUID}` });
      return;
    }
    if (url === pathFor("getAgentEvent", AGENT.id)) {
      const step = script[Math.min(next++, script.length - 1)] as PollScript;
      state.polls.push({ guid, at: Date.now() });
      openPolls++;
      state.maxOpenPolls = Math.max(state.maxOpenPolls, openPolls);
      setTimeout(() => {
        openPolls--;
        const headers = step.setGuid ? { "set-guid": `JSESSIONID=${step.setGuid}` } : undefined;
        const body = step.retcode
          ? { message: "", retcode: step.retcode }
          : {
              message: "",
              retcode: "0",
              event: step.event ? { eventType: step.event, workNo: AGENT.id, content: null } : null,
            };
        answer(res, body, headers);
      }, step.holdMs ?? 0);
      return;
    }
    if (guid) state.guids.push(guid);
    if (url === pathFor("logout", AGENT.id)) {
      answer(res, { message: "", retcode: logout.retcode, result: null });
      return;
    }
    answer(res, { message: "", retcode: "0", result: {} });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const profile = {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    called: ["4000001"],
    agents: [AGENT],
  } as TargetProfile;
  const client = await GatewayClient.open(profile, { timeoutMs: 5000, guard: NO_CALLOUTS });
  const g: Gateway = {
    client,
    get polls() {
      return state.polls;
    },
    get maxOpenPolls() {
      return state.maxOpenPolls;
    },
    guids: state.guids,
    logout,
    close: async () => {
      await client.close();
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
  open.push(g);
  return g;
}

function session(g: Gateway): AgentSession {
  return new AgentSession(AGENT, (spec, channel) => g.client.send(spec, channel), { pollPauseMs: 20 });
}

const POLICY = signInPolicy({
  baseUrl: "http://x",
  called: ["1"],
  agents: [AGENT],
} as unknown as TargetProfile);

describe("the session keeper", () => {
  it("keeps one poll open from sign-in on, never two, and sends every request with the Guid a poll handed over", async () => {
    const g = await gateway([
      { event: EVENT.inService },
      { event: EVENT.ready, setGuid: ROTATED },
      { holdMs: 50 },
    ]);
    const s = session(g);
    expect((await s.signIn(POLICY)).ok).toBe(true);
    expect(s.isPolling).toBe(true);
    const done = await s.waitFor((events) => events.some((e) => e.eventType === EVENT.ready), {
      deadlineAt: Date.now() + 2000,
      graceMs: 2000,
    });
    expect(done.end).toBe("complete");
    expect(done.events.map((e) => e.eventType)).toEqual([EVENT.inService, EVENT.ready]);
    // The poll after the one that handed the new Guid over carries it, and so does every other request.
    await s.nextPoll(2000);
    expect(g.polls.at(-1)?.guid).toBe(ROTATED);
    await s.send("getAgentStatus");
    expect(g.guids.at(-1)).toBe(ROTATED);
    expect(g.maxOpenPolls).toBe(1);
    expect((await s.signOut(POLICY)).done).toBe(true);
    expect(s.state).toBe("out");
    expect(s.isPolling).toBe(false);
  });

  it("calls an event missing only once a poll sent after the deadline came back empty", async () => {
    // Every poll is held 300 ms and comes back empty.
    const g = await gateway([{ holdMs: 300 }]);
    const s = session(g);
    await s.signIn(POLICY);
    const sent = await s.nextPollSent(2000);
    // The deadline falls inside the wait of the poll just sent: that poll comes back empty after the deadline,
    // but was sent before it, so it proves nothing; the next one, sent after it, does.
    const deadlineAt = (sent ?? Date.now()) + 100;
    const result = await s.waitFor(() => false, { deadlineAt, graceMs: 5000 });
    const endedAt = Date.now();
    expect(result.end).toBe("missing");
    // Ended by a poll sent after the deadline: no earlier than the deadline and one whole hold of 300 ms.
    expect(endedAt - deadlineAt).toBeGreaterThanOrEqual(300);
    expect(g.polls.some((p) => p.at >= deadlineAt)).toBe(true);
    await s.signOut(POLICY);
  });

  it("ends a wait past the deadline and its grace when no poll comes back empty (a gateway that never answers empty)", async () => {
    const g = await gateway([{ event: "SomethingElse", holdMs: 30 }]);
    const s = session(g);
    await s.signIn(POLICY);
    const result = await s.waitFor(() => false, { deadlineAt: Date.now() + 50, graceMs: 200 });
    expect(result.end).toBe("no-empty-answer");
    await s.signOut(POLICY);
  });

  it("a poll refused for its session ends the session: polling stops and waits end with the code", async () => {
    const g = await gateway([{ event: EVENT.inService }, { retcode: "000-003" }]);
    const s = session(g);
    await s.signIn(POLICY);
    const result = await s.waitFor(() => false, { deadlineAt: Date.now() + 5000, graceMs: 5000 });
    expect(result.end).toBe("lost");
    expect(result.reason).toContain("000-003");
    expect(s.state).toBe("lost");
    expect(s.isPolling).toBe(false);
  });

  it("says when a refused poll carried the Guid an earlier poll handed over (a rotation not honoured)", async () => {
    const g = await gateway([{ event: EVENT.inService, setGuid: ROTATED }, { retcode: "000-003" }]);
    const answers: { kind: string; rotatedGuid?: boolean }[] = [];
    const s = new AgentSession(AGENT, (spec, channel) => g.client.send(spec, channel), {
      pollPauseMs: 20,
      onPoll: (a) => answers.push({ kind: a.kind, ...(a.rotatedGuid ? { rotatedGuid: true } : {}) }),
    });
    await s.signIn(POLICY);
    await s.waitFor(() => false, { deadlineAt: Date.now() + 5000, graceMs: 5000 });
    expect(answers).toEqual([{ kind: "event" }, { kind: "lost", rotatedGuid: true }]);
    // The sign-in's own Guid refused is a lost session, not a rotation the gateway failed to honour.
    const h = await gateway([{ retcode: "000-003" }]);
    const plain: { kind: string; rotatedGuid?: boolean }[] = [];
    const t = new AgentSession(AGENT, (spec, channel) => h.client.send(spec, channel), {
      pollPauseMs: 20,
      onPoll: (a) => plain.push({ kind: a.kind, ...(a.rotatedGuid ? { rotatedGuid: true } : {}) }),
    });
    await t.signIn(POLICY);
    await t.waitFor(() => false, { deadlineAt: Date.now() + 5000, graceMs: 5000 });
    expect(plain).toEqual([{ kind: "lost" }]);
  });

  it("a refused sign-out leaves the state unknown, never signed out", async () => {
    const g = await gateway([{ holdMs: 30 }]);
    g.logout.retcode = "000-003";
    const s = session(g);
    await s.signIn(POLICY);
    // The sweep then signs in again to sign out, and that sign-out is refused too.
    const out = await s.signOut(POLICY);
    expect(out.done).toBe(false);
    expect(s.state).toBe("unknown");
  });
});
