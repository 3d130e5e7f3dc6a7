/**
 * One simulated agent of the Node load engine, on lib/gateway's client (its own Guid and cookies): signs in,
 * keeps exactly one poll outstanding (the poll is its heartbeat), places a call when the schedule hands it one,
 * follows the call's events to a terminal event under a deadline, talks, releases, waits for AgentState_Ready,
 * and signs out with lib/gateway's sweep. Callout latency is recorded from the actual send and from the
 * attempt's intended start (coordinated omission corrected), so a stalled gateway shows in the percentiles.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type Contracts, EVENT, EVENT_FLOWS, OPERATIONS, type OperationId } from "../../contracts/index.ts";
import {
  AgentChannel,
  envelopeOf,
  type GatewayClient,
  type GatewayReply,
  isSituation,
  retcodeOf,
  signIn,
  signInPolicy,
  signOut,
} from "../../lib/gateway/index.ts";
import { assertCalloutAllowed, type SafetyPolicy } from "../../lib/safety.ts";
import type { Agent, TargetProfile } from "../../lib/target-profile.ts";
import type { LoadPlan } from "../plan.ts";
import type { Metrics } from "./metrics.ts";

/** Terminal event of the answered flow (AgentEvent_Talking), read from the documented flows. */
const TALKING = EVENT_FLOWS["callout-answered"]?.steps.find((s) => s.terminal)?.event ?? EVENT.talking;
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
/** Events whose delivery latency (eventGenTime to arrival) is recorded. */
const DELIVERY_TIMED = new Set([EVENT.customerAlerting, TALKING, ...FAILURES, ...READY]);

type State = "out" | "idle" | "dialing" | "talking" | "releasing" | "settling";
type Outcome = "answered" | "not-answered" | "failed" | "lost";

interface Call {
  intendedAt: number;
  sentAt: number;
  alerted: boolean;
  agentBusy: boolean;
  done: boolean;
}

/** What the agents of one worker share. */
export interface AgentContext {
  plan: LoadPlan;
  profile: TargetProfile;
  client: GatewayClient;
  metrics: Metrics;
  policy: SafetyPolicy;
  contracts: Contracts;
  /** Fraction of answers validated against their contract. */
  sample: () => boolean;
}

export class LoadAgent {
  readonly agent: Agent;
  state: State = "out";
  private readonly ctx: AgentContext;
  private readonly channel = new AgentChannel();
  private call: Call | undefined;
  private polling = false;
  private pollDone: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(agent: Agent, ctx: AgentContext) {
    this.agent = agent;
    this.ctx = ctx;
  }

  /** True when the schedule may hand this agent a call. */
  get idle(): boolean {
    return this.state === "idle";
  }

  private async send(
    op: OperationId,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<GatewayReply> {
    const reply = await this.ctx.client.send(
      {
        operation: op,
        agentId: this.agent.id,
        ...(body === undefined ? {} : { body }),
        ...(headers ? { headers } : {}),
      },
      this.channel,
    );
    if (this.ctx.sample() && reply.json !== undefined) {
      const violations = this.ctx.contracts.validate(OPERATIONS[op].response, reply.json);
      this.ctx.metrics.rate("ccgw_contract_violations", violations.length > 0);
    }
    return reply;
  }

  /** Signs in (forced only where the profile allows it) and starts the poll loop; false when refused. */
  async signIn(): Promise<boolean> {
    const outcome = await signIn(
      (op, body, headers) => this.send(op, body, headers),
      this.agent,
      signInPolicy(this.ctx.profile),
    );
    if (!outcome.ok || !this.channel.guid) {
      this.ctx.metrics.count("ccgw_sign_in_failures", outcome.ok ? "no-guid" : outcome.code);
      return false;
    }
    this.state = "idle";
    this.polling = true;
    this.pollDone = this.pollLoop();
    return true;
  }

  /** One outstanding poll at all times; re-polls at once after an event, after pollPauseMs after an empty one. */
  private async pollLoop(): Promise<void> {
    let answeredAt = 0;
    let maxGap = 0;
    while (this.polling) {
      if (answeredAt > 0) maxGap = Math.max(maxGap, Date.now() - answeredAt);
      const rotations = this.channel.rotations;
      const reply = await this.send("getAgentEvent");
      answeredAt = Date.now();
      if (this.channel.rotations > rotations) this.ctx.metrics.count("ccgw_guid_rotations");
      if (!this.polling) break;
      const code = retcodeOf(reply);
      if (code !== "0") {
        if (isSituation(code, "not-signed-in") || isSituation(code, "guid-wrong")) {
          // The gateway dropped the session (missed heartbeat, Guid refused): this agent is out of the run.
          this.ctx.metrics.count("ccgw_sign_in_failures", `poll ${code}`);
          this.polling = false;
          this.state = "out";
          break;
        }
        await sleep(500);
        continue;
      }
      const event = envelopeOf(reply)?.body.event as
        | { eventType?: unknown; eventGenTime?: unknown }
        | null
        | undefined;
      if (event && typeof event.eventType === "string")
        this.onEvent(event.eventType, event.eventGenTime, answeredAt);
      else await sleep(this.ctx.plan.pollPauseMs);
    }
    if (answeredAt > 0) this.ctx.metrics.time("ccgw_poll_gap", maxGap);
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

  private finish(call: Call, outcome: Outcome): void {
    call.done = true;
    this.ctx.metrics.count("ccgw_call_outcomes", outcome);
    // Every placed call ends here exactly once: one sample of the lost rate and of the error rate.
    this.ctx.metrics.rate("ccgw_call_lost", outcome === "lost");
    this.ctx.metrics.rate("ccgw_call_errors", outcome === "lost");
    if (outcome === "lost") this.ctx.metrics.series.error(Date.now());
  }

  /**
   * Places one call whose intended start was `intendedAt` (the schedule's time), and returns once the callout
   * is answered; the call's outcome follows by events.
   */
  async placeCall(request: Record<string, unknown>, intendedAt: number): Promise<void> {
    // Dial guard where the request is made (lib/safety.ts): a number outside the profile's list never leaves.
    assertCalloutAllowed(this.ctx.policy, request);
    const { metrics, plan } = this.ctx;
    const call: Call = { intendedAt, sentAt: Date.now(), alerted: false, agentBusy: false, done: false };
    this.call = call;
    this.state = "dialing";
    const reply = await this.send("callout", request);
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
        metrics.rate("ccgw_call_errors", true);
        if (this.state === "dialing") this.state = "idle";
      }
      return;
    }
    if (call.done) return;
    this.later(Math.max(0, call.sentAt + plan.terminalTimeoutMs - Date.now()), () => {
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
      this.ctx.metrics.count("ccgw_ready_timeouts");
      this.state = "idle";
    });
    await this.send("release");
  }

  /** Stops polling and signs out with lib/gateway's sweep; resolves when the last poll has come back. */
  async signOut(): Promise<void> {
    if (this.state === "out" && !this.polling) return;
    this.cancelTimer();
    this.polling = false;
    this.state = "out";
    await signOut(
      (op, body, headers) => this.send(op, body, headers),
      this.agent,
      signInPolicy(this.ctx.profile),
      true,
    );
    await this.pollDone;
  }
}
