/**
 * One simulated agent of the Node load engine, on lib/gateway's session keeper (its own Guid and cookies, one
 * poll open from sign-in to sign-out: the poll is its heartbeat): places a call when the schedule hands it one,
 * follows the call's events to a terminal event under a deadline judged by the gateway's answers, talks,
 * releases, waits for AgentState_Ready, and signs out with lib/gateway's sweep. Callout latency is recorded from
 * the actual send and from the attempt's intended start (coordinated omission corrected), so a stalled gateway
 * shows in the percentiles.
 */
import {
  type Contracts,
  calloutFailureEvents,
  EVENT,
  EVENT_FLOWS,
  OPERATIONS,
  releaseEndEvents,
} from "../../contracts/index.ts";
import {
  type AgentChannel,
  AgentSession,
  type GatewayClient,
  type GatewayReply,
  type PollAnswer,
  retcodeOf,
  type SendSpec,
  signInPolicy,
} from "../../lib/gateway/index.ts";
import type { Agent, TargetProfile } from "../../lib/target-profile.ts";
import type { LoadPlan } from "../plan.ts";
import { INEFFECTIVE, ineffectiveClass, RELEASE_DELAY } from "./kpis.ts";
import type { Metrics } from "./metrics.ts";

/** Terminal event of the answered flow (AgentEvent_Talking), read from the documented flows. */
const TALKING = EVENT_FLOWS["callout-answered"]?.steps.find((s) => s.terminal)?.event ?? EVENT.talking;
/** Failure events that end a callout: the terminal and `_Fail` steps of the failure flows. */
const FAILURES = new Set(calloutFailureEvents());
/** Events that end the release flow (AgentState_Ready or its alternative AgentState_Work). */
const READY = new Set(releaseEndEvents());
/** Events whose delivery latency (eventGenTime to arrival) is recorded. */
const DELIVERY_TIMED = new Set([EVENT.customerAlerting, TALKING, ...FAILURES, ...READY]);

type State = "out" | "idle" | "dialing" | "talking" | "releasing" | "settling";
/** How a call ended; "unfinished": the end of the run cut it short (neither lost nor answered). */
type Outcome = "answered" | "not-answered" | "failed" | "lost" | "unfinished";

interface Call {
  intendedAt: number;
  sentAt: number;
  /** Past it, the call is lost once a poll sent after it comes back empty (terminalTimeoutMs after the send). */
  deadlineAt: number;
  alerted: boolean;
  agentBusy: boolean;
  done: boolean;
  /** The call is cleared (refused, failed, lost, released, or cut by the run's end): its time in progress is counted. */
  cleared: boolean;
}

/** What the agents of one worker share. */
export interface AgentContext {
  plan: LoadPlan;
  profile: TargetProfile;
  /** lib/gateway's client, opened with the share's call guard: a callout leaves only through it. */
  client: GatewayClient;
  metrics: Metrics;
  contracts: Contracts;
  /** Fraction of answers validated against their contract. */
  sample: () => boolean;
}

export class LoadAgent {
  readonly agent: Agent;
  state: State = "out";
  private readonly ctx: AgentContext;
  /** The agent's session, kept by lib/gateway's keeper: one poll open from sign-in to sign-out. */
  private readonly session: AgentSession;
  private call: Call | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Release → AgentState_Ready deadline, while releasing; when the release was sent, and whether it ends an answered call (the release delay is timed for those only). */
  private readyBy = 0;
  private releasedAt = 0;
  private releaseTimed = false;
  /** Answer time of the previous poll, and the longest gap between an answer and the next poll. */
  private answeredAt = 0;
  private maxGap = 0;
  private rotations = 0;

  constructor(agent: Agent, ctx: AgentContext) {
    this.agent = agent;
    this.ctx = ctx;
    this.session = new AgentSession(agent, (spec, channel) => this.send(spec, channel), {
      pollPauseMs: ctx.plan.pollPauseMs,
      keepLog: false,
      onPoll: (answer) => this.onPoll(answer),
    });
  }

  /** True when the schedule may hand this agent a call. */
  get idle(): boolean {
    return this.state === "idle";
  }

  private async send(spec: SendSpec, channel: AgentChannel): Promise<GatewayReply> {
    const reply = await this.ctx.client.send(spec, channel);
    if (spec.operation && this.ctx.sample() && reply.json !== undefined) {
      const violations = this.ctx.contracts.validate(OPERATIONS[spec.operation].response, reply.json);
      this.ctx.metrics.rate("ccgw_contract_violations", violations.length > 0);
    }
    return reply;
  }

  /** Signs in (forced only where the profile allows it); the keeper then keeps a poll open. False when refused. */
  async signIn(): Promise<boolean> {
    const outcome = await this.session.signIn(signInPolicy(this.ctx.profile));
    if (!outcome.ok || this.session.state !== "in") {
      this.ctx.metrics.count("ccgw_sign_in_failures", outcome.ok ? "no-guid" : outcome.code);
      return false;
    }
    this.rotations = this.session.channel.rotations;
    this.state = "idle";
    return true;
  }

  /**
   * Every poll's answer, as the keeper hands it over: the poll gap, Guid rotations, a lost session, the call's
   * events, and the deadlines, which end by the gateway's answers: a call is lost, and a release unanswered by
   * Ready, once a poll sent after the deadline came back empty (never because a timer fired first on a busy
   * machine while the answer waited to be read).
   */
  private onPoll(answer: PollAnswer): void {
    const { metrics } = this.ctx;
    if (this.answeredAt > 0) this.maxGap = Math.max(this.maxGap, answer.sentAt - this.answeredAt);
    this.answeredAt = answer.answeredAt;
    const rotations = this.session.channel.rotations;
    if (rotations > this.rotations) metrics.count("ccgw_guid_rotations");
    this.rotations = rotations;
    if (answer.kind === "lost") {
      // The gateway dropped the session (missed heartbeat, Guid refused): this agent is out of the run.
      metrics.count("ccgw_sign_in_failures", `poll ${answer.code}`);
      this.endCall("lost", "state");
      // An answered call ends with the session too.
      if (this.call) this.clear(this.call, answer.answeredAt);
      this.cancelTimer();
      this.state = "out";
      return;
    }
    if (answer.kind === "event" && answer.event) {
      this.onEvent(answer.event.eventType, answer.event.eventGenTime, answer.answeredAt);
      return;
    }
    if (answer.kind !== "empty") return;
    const call = this.call;
    if (call && !call.done && this.state === "dialing" && answer.sentAt >= call.deadlineAt) {
      this.endCall("lost");
      // Clean up on the gateway side as a client would: release whatever is left of the call.
      void this.release();
    } else if (this.state === "releasing" && answer.sentAt >= this.readyBy) {
      metrics.count("ccgw_ready_timeouts");
      this.state = "idle";
    }
  }

  private onEvent(type: string, genTime: unknown, at: number): void {
    const { metrics, plan } = this.ctx;
    metrics.count("ccgw_events", type);
    if (typeof genTime === "number" && DELIVERY_TIMED.has(type))
      metrics.time("ccgw_event_delivery", Math.max(0, at - genTime));
    const call = this.call;
    if (call && !call.done && this.state === "dialing") {
      if (type === EVENT.customerAlerting) {
        if (!call.alerted) {
          metrics.time("ccgw_call_setup_alerting", at - call.sentAt);
          metrics.series.setup(at, at - call.sentAt);
        }
        call.alerted = true;
      } else if (type === EVENT.busy) call.agentBusy = true;
      else if (type === TALKING) {
        this.finish(call, "answered");
        metrics.time("ccgw_call_setup_talking", at - call.sentAt);
        this.state = "talking";
        this.later(plan.talkMs, () => void this.release());
      } else if (FAILURES.has(type)) {
        // The customer side was reached (agent connected or customer rang): not answered; otherwise failed.
        this.finish(call, call.alerted || call.agentBusy ? "not-answered" : "failed");
        this.state = "settling";
        this.later(plan.settleMs, () => {
          if (this.state === "settling") this.state = "idle";
        });
      }
      return;
    }
    if (READY.has(type) && (this.state === "releasing" || this.state === "settling")) {
      if (this.state === "releasing") {
        if (this.releaseTimed) metrics.time(RELEASE_DELAY, at - this.releasedAt);
        if (this.call) this.clear(this.call, at);
      }
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

  /** Ends the call in progress, if any, with this outcome. */
  private endCall(outcome: Outcome, ineffective?: string): void {
    const call = this.call;
    if (call && !call.done) this.finish(call, outcome, ineffective);
  }

  /** Ends a call; a lost one is ineffective as a timeout unless `ineffective` names another class. */
  private finish(call: Call, outcome: Outcome, ineffective = "timeout"): void {
    call.done = true;
    const { metrics } = this.ctx;
    metrics.count("ccgw_call_outcomes", outcome);
    // An answered call is in progress until its release is answered; any other ends here.
    if (outcome !== "answered") this.clear(call, Date.now());
    if (outcome === "lost") metrics.count(INEFFECTIVE, ineffective);
    if (outcome === "failed") metrics.count(INEFFECTIVE, "setup-failed");
    if (outcome === "unfinished") return;
    // Every placed call ends here exactly once: one sample of the lost rate and of the error rate.
    metrics.rate("ccgw_call_lost", outcome === "lost");
    metrics.rate("ccgw_call_errors", outcome === "lost");
    if (outcome === "lost") metrics.series.error(Date.now());
  }

  /**
   * Places one call whose intended start was `intendedAt` (the schedule's time), and returns once the callout
   * is answered; the call's outcome follows by events.
   */
  async placeCall(request: Record<string, unknown>, intendedAt: number): Promise<void> {
    const { metrics, plan } = this.ctx;
    const sentAt = Date.now();
    const call: Call = {
      intendedAt,
      sentAt,
      deadlineAt: sentAt + plan.terminalTimeoutMs,
      alerted: false,
      agentBusy: false,
      done: false,
      cleared: false,
    };
    const before = this.state;
    this.call = call;
    this.state = "dialing";
    let reply: Awaited<ReturnType<typeof this.session.send>>;
    try {
      reply = await this.session.send("callout", request);
    } catch (error) {
      // The client's call guard refused it (a number outside the list, a spent budget): nothing was sent.
      if (this.call === call) this.call = undefined;
      if (this.state === "dialing") this.state = before;
      throw error;
    }
    const answeredAt = Date.now();
    metrics.time("ccgw_callout_duration", answeredAt - call.sentAt);
    metrics.time("ccgw_callout_duration_intended", answeredAt - call.intendedAt);
    const code = retcodeOf(reply);
    metrics.count("ccgw_callouts", code);
    metrics.series.callout(answeredAt, answeredAt - call.sentAt, code !== "0");
    if (code !== "0") {
      if (!call.done) {
        call.done = true;
        metrics.count("ccgw_call_outcomes", "failed");
        metrics.count(INEFFECTIVE, ineffectiveClass(reply));
        this.clear(call, answeredAt);
        metrics.rate("ccgw_call_errors", true);
        if (this.state === "dialing") this.state = "idle";
      }
    }
  }

  /** Releases the current call; Ready (by event) makes the agent idle again, or the release's deadline passes. */
  async release(): Promise<void> {
    this.cancelTimer();
    // The call this release ends: by the time its answer is back, Ready may have let the agent take another.
    const call = this.call;
    this.releaseTimed = this.state === "talking";
    this.state = "releasing";
    this.releasedAt = Date.now();
    this.readyBy = this.releasedAt + this.ctx.plan.readyTimeoutMs;
    const reply = await this.session.send("release");
    if (call) this.clear(call, Date.now());
    // Refused (no call left to release): no Ready is on its way.
    if (retcodeOf(reply) !== "0" && this.state === "releasing") this.state = "idle";
  }

  /** The call's time in progress (callout sent to cleared), once, for the concurrent-call figures. */
  private clear(call: Call, at: number): void {
    if (call.cleared) return;
    call.cleared = true;
    this.ctx.metrics.series.inCall(call.sentAt, Math.max(call.sentAt, at));
  }

  /**
   * Stops polling and signs out with lib/gateway's sweep, a session the gateway dropped too. A call still going
   * ends "unfinished": only the gateway's answers make a call lost, never the end of the run.
   */
  async signOut(): Promise<void> {
    if (this.session.state === "out") return;
    this.cancelTimer();
    this.endCall("unfinished");
    if (this.call) this.clear(this.call, Date.now());
    this.state = "out";
    await this.session.signOut(signInPolicy(this.ctx.profile));
    if (this.answeredAt > 0) this.ctx.metrics.time("ccgw_poll_gap", this.maxGap);
  }
}
