/**
 * A suite agent against a scripted loopback gateway (a few lines of node:http): an answer about the session to a
 * request that does not test it is never recorded as a verdict (no pass, fail or open choice), the request goes
 * once more on a re-established session, a second such answer leaves the case not tested, and a call placed
 * after a new sign-in has its events counted from the send that was answered, not from before the sign-in.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { EVENT, pathFor } from "../../contracts/index.ts";
import type { TargetProfile } from "../../lib/target-profile.ts";
import { placeCall } from "./judges.ts";
import { NotTested, Recorder } from "./recorder.ts";
import { MOCK_DEADLINES } from "./run-files.ts";
import { SuiteAgent } from "./suite-agent.ts";
import { makeTarget } from "./target.ts";

const AGENT = { id: "1001", password: "pw", phone: "700001" };

/** What the scripted gateway answers: callouts and status probes in turn (the last repeats). */
interface Script {
  callouts: string[];
  status: string[];
}

interface Stub {
  profile: TargetProfile;
  /** Requests by operation: the Guid each carried. */
  seen: Record<string, (string | undefined)[]>;
  close(): Promise<void>;
}

const stubs: Stub[] = [];
afterEach(async () => {
  for (const stub of stubs.splice(0)) await stub.close();
});

function answer(res: ServerResponse, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(200, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

async function gateway(script: Script): Promise<Stub> {
  let signIns = 0;
  let queue: string[] = [];
  const seen: Stub["seen"] = {};
  const next = (list: string[], op: string) => list[Math.min((seen[op]?.length ?? 1) - 1, list.length - 1)];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const url = req.url ?? "";
    const guid = req.headers.guid as string | undefined;
    const op = Object.entries({
      login: pathFor("login", AGENT.id),
      getAgentEvent: pathFor("getAgentEvent", AGENT.id),
      callout: pathFor("callout", AGENT.id),
      getAgentStatus: pathFor("getAgentStatus", AGENT.id),
      logout: pathFor("logout", AGENT.id),
    }).find(([, path]) => path === url)?.[0];
    if (!op) return answer(res, { message: "", retcode: "0", result: {} });
    seen[op] = [...(seen[op] ?? []), guid];
    if (op === "login") {
      signIns++;
      queue = [EVENT.inService, EVENT.ready];
      const session = `0000000${signIns}-0000-4000-8000-000000000000.AgentGateway0`;
      return answer(res, { message: "", retcode: "0", result: {} }, { "set-guid": `JSESSIONID=${session}` });
    }
    if (op === "getAgentEvent") {
      const type = queue.shift();
      const reply = () =>
        answer(res, {
          message: "",
          retcode: "0",
          event: type ? { eventType: type, workNo: AGENT.id, content: null } : null,
        });
      return type ? reply() : void setTimeout(reply, 50);
    }
    if (op === "callout") {
      const code = next(script.callouts, op) as string;
      if (code === "0") queue.push(EVENT.callOutFail);
      return answer(
        res,
        code === "0" ? { message: "", retcode: "0", result: "1700000000-1" } : { message: "", retcode: code },
      );
    }
    if (op === "getAgentStatus") {
      const code = next(script.status, op) as string;
      return answer(
        res,
        code === "0"
          ? { message: "", retcode: "0", result: { agentState: 4, isWorking: false } }
          : { message: "", retcode: code },
      );
    }
    return answer(res, { message: "", retcode: "0", result: null });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const profile = {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    called: [{ number: "4000002", outcome: "not-answered" }],
    agents: [AGENT],
  } as unknown as TargetProfile;
  const stub: Stub = {
    profile,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
  stubs.push(stub);
  return stub;
}

async function signedIn(
  stub: Stub,
): Promise<{ agent: SuiteAgent; rec: Recorder; close: () => Promise<void> }> {
  const target = makeTarget(stub.profile, { ...MOCK_DEADLINES, pollPauseMs: 20, promptMs: 1000 });
  const agent = new SuiteAgent(target, AGENT);
  await agent.login();
  await agent.until((events) => events.some((e) => e.eventType === EVENT.ready), {
    within: "prompt",
    what: "Ready",
  });
  const rec = new Recorder();
  agent.recorder = rec;
  return {
    agent,
    rec,
    close: async () => {
      agent.recorder = undefined;
      await agent.logout();
      await target.closeGateway();
    },
  };
}

describe("an answer about the session to a request that does not test it", () => {
  it("is re-sent once on a re-established session and never recorded: the second answer alone is judged", async () => {
    // The first callout is refused for the session, the probe of the agent's state too: a new sign-in follows.
    const stub = await gateway({ callouts: ["000-003", "0"], status: ["000-003", "0"] });
    const { agent, rec, close } = await signedIn(stub);
    const call = await placeCall(agent, rec, { called: "4000002" });
    expect(call.code).toBe("0");
    expect(stub.seen.login).toHaveLength(2);
    // Nothing of the refused answer became a finding: no pass, no fail, no open choice under any clause.
    expect(rec.findings.filter((f) => f.message.includes("000-003"))).toEqual([]);
    expect(rec.findings.some((f) => f.choice?.id === "error-http-status")).toBe(false);
    expect(agent.target.sessionAnswers).toEqual(["agent 1001: callout answered 000-003"]);
    // The call's events are counted from the send that was answered: the new sign-in's events come before it.
    const signInEvents = agent.events.slice(0, call.mark).map((e) => e.eventType);
    expect(signInEvents.filter((t) => t === EVENT.inService)).toHaveLength(2);
    await close();
  });

  it("a second answer about the session leaves the case not tested, with nothing recorded", async () => {
    const stub = await gateway({ callouts: ["100-006"], status: ["0"] });
    const { agent, rec, close } = await signedIn(stub);
    const error = await agent.call("callout", { called: "4000002" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotTested);
    expect((error as Error).message).toMatch(/100-006, then 100-006/);
    expect(stub.seen.callout).toHaveLength(2);
    expect(rec.findings).toEqual([]);
    await close();
  });

  it("a case that tests the session gets the answer as its verdict, sent once", async () => {
    const stub = await gateway({ callouts: ["000-003"], status: ["0"] });
    const { agent, rec, close } = await signedIn(stub);
    const reply = await agent.call("callout", { called: "4000002" }, { session: "judge" });
    expect(JSON.parse(reply.text).retcode).toBe("000-003");
    expect(stub.seen.callout).toHaveLength(1);
    expect(rec.findings.some((f) => f.choice?.id === "error-http-status")).toBe(true);
    await close();
  });
});
