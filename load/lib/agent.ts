/**
 * One simulated agent inside a k6 virtual user: signs in, keeps exactly one poll outstanding (the poll is its
 * heartbeat, and Set-GUID on a poll replaces its Guid), places a call when the scheduler hands it one, follows
 * the call's events to a terminal event under a deadline, talks, releases, waits for AgentState_Ready, and signs
 * out. Everything is async (http.asyncRequest + k6/timers), so one VU hosts many agents.
 */
import http, { type Params, type RefinedResponse } from "k6/http";
import { clearTimeout, setTimeout } from "k6/timers";
import { EVENT_FLOWS, SITUATIONS } from "../../contracts/data.ts";
import { EVENT } from "../../contracts/event-types.ts";
import { pathFor } from "../../contracts/operations.ts";
import { assertCalloutAllowed, type SafetyPolicy } from "../../lib/safety.ts";
import { checkContract, notJson, sampled, type ValidatedOperation } from "./contracts.ts";
import * as m from "./metrics.ts";
import type { LoadPlan, PlanAgent } from "./plan.ts";

const ALERTING = EVENT.customerAlerting;
const AGENT_BUSY = EVENT.busy;
/** Terminal event of the answered flow (AgentEvent_Talking), read from the documented flows. */
const TALKING = terminalOf("callout-answered");
/** Failure events that end a callout: the terminal and `_Fail` steps of the failure flows. */
const FAILURES = new Set(
  Object.entries(EVENT_FLOWS)
    .filter(([id]) => id.startsWith("callout-") && id !== "callout-answered")
    .flatMap(([, flow]) =>
      flow.steps.filter((s) => s.terminal || s.event.endsWith("_Fail")).map((s) => s.event),
    ),
);
/** Events that end the release flow (AgentState_Ready or its alternative AgentState_Work). */
const READY = new Set(
  (EVENT_FLOWS.release?.steps ?? [])
    .filter((s) => s.terminal)
    .flatMap((s) => [s.event, ...(s.alternatives ?? [])]),
);
/** Events whose delivery latency is recorded: the ones a call's progress (and its setup times) depends on. */
const DELIVERY_TIMED = new Set([ALERTING, TALKING, ...FAILURES, ...READY]);
/** Sign-out during a call (the sign-out page's state error). */
const SIGN_OUT_IN_CALL = new Set(SITUATIONS["sign-out-during-call"]?.codes ?? []);
/** Retcodes that mean the session is gone (not signed in, Guid refused): stop polling. */
const SESSION_GONE = new Set([
  ...(SITUATIONS["not-signed-in"]?.codes ?? []),
  ...(SITUATIONS["guid-wrong"]?.codes ?? []),
]);
/** Sign-in of an agent that is signed in elsewhere: the documented recovery is a forced sign-in. */
const ALREADY_SIGNED_IN = new Set(SITUATIONS["already-signed-in"]?.codes ?? []);

function terminalOf(flowId: string): string {
  const step = EVENT_FLOWS[flowId]?.steps.find((s) => s.terminal);
  if (!step) throw new Error(`contracts: flow ${flowId} has no terminal step`);
  return step.event;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, ms);
  });
}

type State = "out" | "idle" | "dialing" | "talking" | "releasing" | "settling";

interface Call {
  startedAt: number;
  callid?: string;
  alerted: boolean;
  agentBusy: boolean;
  done: boolean;
  deadline: number;
}

interface Envelope {
  retcode?: unknown;
  result?: unknown;
  event?: { eventType?: unknown; eventGenTime?: unknown; content?: unknown } | null;
}

/** Parses a JSON body; samples a contract check; undefined when it is not JSON. */
function envelope(res: RefinedResponse<"text">, op: ValidatedOperation): Envelope | undefined {
  if (typeof res.body !== "string" || res.body.length === 0) {
    if (res.status !== 0) notJson(op);
    return undefined;
  }
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    notJson(op);
    return undefined;
  }
  if (sampled()) checkContract(op, body);
  return typeof body === "object" && body !== null ? (body as Envelope) : undefined;
}

function retcodeOf(res: RefinedResponse<"text">, body: Envelope | undefined): string {
  if (body && typeof body.retcode === "string") return body.retcode;
  return res.status === 0 ? "network-error" : `http-${res.status}`;
}

/** Everything an agent shares with the others of its VU. */
export interface AgentContext {
  plan: LoadPlan;
  /** Parameters shared by requests (TLS, timeouts); headers are per agent. */
  baseParams: Params;
  /** The dial policy of the target profile, made once per VU (not per call: this is the hot path). */
  policy: SafetyPolicy;
}

export class AgentSession {
  readonly agent: PlanAgent;
  state: State = "out";
  private readonly ctx: AgentContext;
  private readonly urls: Record<
    "login" | "forceLogin" | "logout" | "getAgentEvent" | "callout" | "release",
    string
  >;
  private readonly headers: Record<string, string> = { "Content-Type": "application/json; charset=UTF-8" };
  private readonly pollParams: Params;
  private call: Call | undefined;
  private polling = false;
  private timer: number | undefined;
  private pollDone: Promise<void> = Promise.resolve();

  constructor(agent: PlanAgent, ctx: AgentContext) {
    this.agent = agent;
    this.ctx = ctx;
    const base = ctx.plan.baseUrl;
    this.urls = {
      login: base + pathFor("login", agent.id),
      forceLogin: base + pathFor("forceLogin", agent.id),
      logout: base + pathFor("logout", agent.id),
      getAgentEvent: base + pathFor("getAgentEvent", agent.id),
      callout: base + pathFor("callout", agent.id),
      release: base + pathFor("release", agent.id),
    };
    this.pollParams = {
      ...ctx.baseParams,
      headers: this.headers,
      timeout: `${ctx.plan.pollTimeoutMs}ms`,
      tags: { name: "getAgentEvent" },
    };
  }

  private readonly paramsByName: Record<string, Params> = {};

  /** Request parameters per operation, made once per agent: they share the agent's mutable headers object. */
  private params(name: string): Params {
    let p = this.paramsByName[name];
    if (!p) {
      p = { ...this.ctx.baseParams, headers: this.headers, tags: { name } };
      this.paramsByName[name] = p;
    }
    return p;
  }

  /** Takes a Guid from Set-GUID (`JSESSIONID=<guid>`); true when there was one. */
  private takeGuid(res: RefinedResponse<"text">): boolean {
    const raw = res.headers["Set-Guid"] ?? res.headers["Set-GUID"];
    if (!raw) return false;
    const guid = raw.startsWith("JSESSIONID=") ? raw.slice("JSESSIONID=".length) : raw;
    this.headers.Guid = guid;
    return true;
  }

  /** Signs in (forceLogin when the agent is already signed in) and starts the poll loop. */
  async signIn(): Promise<boolean> {
    const body = JSON.stringify({ password: this.agent.password, phonenum: this.agent.phone });
    delete this.headers.Guid;
    let res = await http.asyncRequest("PUT", this.urls.login, body, this.params("login"));
    let env = envelope(res, "login");
    if (ALREADY_SIGNED_IN.has(retcodeOf(res, env))) {
      res = await http.asyncRequest("PUT", this.urls.forceLogin, body, this.params("forceLogin"));
      env = envelope(res, "login");
    }
    const retcode = retcodeOf(res, env);
    if (retcode !== "0" || !this.takeGuid(res)) {
      m.signInFailures.add(1, { retcode });
      return false;
    }
    this.state = "idle";
    this.polling = true;
    this.pollDone = this.pollLoop();
    return true;
  }

  /** One outstanding poll at all times; re-polls at once after an event, after pollPauseMs after an empty one. */
  private async pollLoop(): Promise<void> {
    const { pollPauseMs } = this.ctx.plan;
    let answeredAt = 0;
    // NOTE: a custom metric sample costs k6 tens of µs, more than parsing the answer; the poll is the hot path,
    // so the gap is kept as a per-agent maximum and reported once, at sign-out.
    let maxGap = 0;
    while (this.polling) {
      if (answeredAt > 0) {
        const gap = Date.now() - answeredAt;
        if (gap > maxGap) maxGap = gap;
      }
      const res = await http.asyncRequest("GET", this.urls.getAgentEvent, null, this.pollParams);
      answeredAt = Date.now();
      if (this.takeGuid(res)) m.guidRotations.add(1);
      if (!this.polling) break;
      const env = envelope(res, "getAgentEvent");
      const retcode = retcodeOf(res, env);
      if (retcode !== "0") {
        if (SESSION_GONE.has(retcode)) {
          // The gateway dropped the session (missed heartbeat, Guid refused): this agent is out of the run.
          m.signInFailures.add(1, { retcode, phase: "poll" });
          this.polling = false;
          this.state = "out";
          break;
        }
        await sleep(500);
        continue;
      }
      const event = env?.event;
      if (event && typeof event.eventType === "string")
        this.onEvent(event.eventType, event.eventGenTime, answeredAt);
      else await sleep(pollPauseMs);
    }
    if (answeredAt > 0) m.pollGap.add(maxGap);
  }

  private onEvent(type: string, genTime: unknown, at: number): void {
    // Counted in the VU and flushed every few seconds (CounterTally): one sample per type, not per event.
    m.tally.events.count(type);
    if (typeof genTime === "number" && DELIVERY_TIMED.has(type))
      m.eventDelivery.add(Math.max(0, at - genTime));
    const call = this.call;
    if (call && !call.done && this.state === "dialing") {
      if (type === ALERTING) {
        if (!call.alerted) m.setupAlerting.add(at - call.startedAt);
        call.alerted = true;
      } else if (type === AGENT_BUSY) call.agentBusy = true;
      else if (type === TALKING) {
        this.finish(call, "answered");
        m.setupTalking.add(at - call.startedAt);
        this.state = "talking";
        this.later(this.ctx.plan.talkMs, () => {
          void this.release();
        });
      } else if (FAILURES.has(type)) {
        // The customer side was reached (agent connected or customer rang): not answered; otherwise failed.
        this.finish(call, call.alerted || call.agentBusy ? "not-answered" : "failed");
        this.state = "settling";
        this.later(this.ctx.plan.settleMs, () => {
          if (this.state === "settling") this.state = "idle";
        });
      }
      return;
    }
    if (READY.has(type) && (this.state === "releasing" || this.state === "settling")) {
      this.cancelTimer();
      this.state = "idle";
    }
  }

  private later(ms: number, fn: () => void): void {
    this.cancelTimer();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      fn();
    }, ms);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private finish(call: Call, outcome: "answered" | "not-answered" | "failed" | "lost"): void {
    call.done = true;
    if (outcome === "answered") m.tally.answered.count();
    else if (outcome === "not-answered") m.tally.notAnswered.count();
    else if (outcome === "failed") m.tally.failed.count();
    // Every placed call ends here exactly once: one sample of the lost rate and of the per-attempt error rate.
    const isLost = outcome === "lost";
    if (isLost) m.tally.lost.count();
    m.lostRate.add(isLost ? 1 : 0);
    m.callErrors.add(isLost ? 1 : 0);
  }

  /** True when the scheduler may hand this agent a call. */
  get idle(): boolean {
    return this.state === "idle";
  }

  /**
   * Places one call (does not wait for its outcome beyond the callout answer). Events may arrive before the
   * callout answer does, so the call is tracked from the moment the request is sent.
   */
  async placeCall(request: { called: string }): Promise<void> {
    // Dial guard where the request is made (lib/safety.ts): a number outside the profile's list never leaves.
    // The object checked is the one serialised below (checking it before JSON.stringify saves a JSON.parse).
    assertCalloutAllowed(this.ctx.policy, request);
    const body = JSON.stringify(request);
    const call: Call = { startedAt: Date.now(), alerted: false, agentBusy: false, done: false, deadline: 0 };
    this.call = call;
    this.state = "dialing";
    const res = await http.asyncRequest("PUT", this.urls.callout, body, this.params("callout"));
    m.calloutDuration.add(res.timings.duration);
    const env = envelope(res, "callout");
    const retcode = retcodeOf(res, env);
    m.tally.callouts.count(retcode);
    if (retcode !== "0") {
      if (!call.done) {
        call.done = true;
        m.tally.failed.count();
        m.callErrors.add(1);
        if (this.state === "dialing") this.state = "idle";
      }
      return;
    }
    if (typeof env?.result === "string") call.callid = env.result;
    if (call.done) return;
    call.deadline = call.startedAt + this.ctx.plan.terminalTimeoutMs;
    this.later(Math.max(0, call.deadline - Date.now()), () => {
      if (call.done) return;
      this.finish(call, "lost");
      // Clean up on the gateway side as a client would: release whatever is left of the call.
      void this.release();
    });
  }

  /** Releases the current call and waits (by event) for the agent to be ready again. */
  async release(): Promise<void> {
    this.state = "releasing";
    this.later(this.ctx.plan.readyTimeoutMs, () => {
      if (this.state !== "releasing") return;
      m.readyTimeouts.add(1);
      this.state = "idle";
    });
    const res = await http.asyncRequest("DELETE", this.urls.release, null, this.params("release"));
    envelope(res, "release");
  }

  /** Stops polling and signs out; resolves when the last poll has come back. */
  async signOut(): Promise<void> {
    if (this.state === "out" && !this.polling) return;
    this.cancelTimer();
    this.polling = false;
    this.state = "out";
    // Sign-out is refused while the agent is still in a call (the gateway may not have ended it yet): release
    // what is left and try again, a few times, so no agent stays signed in after the run.
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await http.asyncRequest("DELETE", this.urls.logout, null, this.params("logout"));
      if (!SIGN_OUT_IN_CALL.has(retcodeOf(res, envelope(res, "logout")))) break;
      const rel = await http.asyncRequest("DELETE", this.urls.release, null, this.params("release"));
      envelope(rel, "release");
      await sleep(this.ctx.plan.settleMs);
    }
    await this.pollDone;
  }
}
