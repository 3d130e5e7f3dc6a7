/**
 * One test agent of the suite: signs in the way the profile allows (forced sign-in only with allowForceLogin,
 * never after a refusal), keeps the latest Guid and every polled event, and judges what every poll shows: the
 * event's workNo, the shape of an empty poll, omitted null content, which polls hand the Guid over.
 */
import { appliedClauses } from "../../contracts/clauses-of.ts";
import {
  agentStateCode,
  OPERATIONS,
  type OperationId,
  openChoice,
  type SchemaName,
} from "../../contracts/index.ts";
import { HarnessError } from "../../lib/errors.ts";
import {
  AgentChannel,
  agentHeaders,
  setGuidHeader,
  signIn,
  signInPolicy,
  signOut,
} from "../../lib/gateway/index.ts";
import type { Agent } from "../../lib/target-profile.ts";
import type { PolledEvent } from "./event-order.ts";
import { type Recorder, validateReply } from "./recorder.ts";
import type { Target } from "./target.ts";
import { callSlot, envelopeOf, type Reply, retcodeOf, send } from "./transport.ts";

/** Tracks agents signed in by this process, so they can be signed out after a failure or an interrupt. */
export interface SignInTracker {
  signedIn(id: string): void;
  signedOut(id: string): void;
}

/** What the pool hears of an agent's sign-ins. */
export interface SignInEvents {
  signedIn(agent: SuiteAgent): void;
  failed(agent: SuiteAgent, error: SignInError): void;
}

/**
 * Why a sign-in did not give a session: the pool stops using the agent ("refused"), or signs nobody in any more
 * when the answer cannot be read or the password was refused (the profile's agents often share one password,
 * and accounts lock).
 */
export class SignInError extends HarnessError {
  readonly kind: "refused" | "password" | "unreadable";
  constructor(kind: "refused" | "password" | "unreadable", message: string) {
    super("CCGW_SIGN_IN_REFUSED", message);
    this.kind = kind;
  }
}

export class SuiteAgent {
  readonly target: Target;
  readonly agent: Agent;
  /** The agent's Guid and cookies, as lib/gateway's client keeps them. */
  readonly channel = new AgentChannel();
  recorder: Recorder | undefined;
  readonly events: PolledEvent[] = [];
  /** The last poll was refused (session lost): waiting for events is pointless. */
  refused = false;
  /** Whether the gateway holds a session of this agent, as far as the suite knows. */
  signedIn: boolean | "unknown" = false;
  /** What the agent is waiting for, for the watchdog's report. */
  waiting: string | undefined;
  /** When the agent last polled (the gateway's heartbeat). */
  lastPollAt = Date.now();
  /** Requests of this agent in flight. */
  private inFlight = 0;
  /** The poll in flight, which a second poll joins instead of opening another. */
  private pending: Promise<PolledEvent | null> | undefined;
  private readonly tracker: SignInTracker | undefined;
  private readonly stop: AbortSignal | undefined;
  private readonly signInEvents: SignInEvents | undefined;

  constructor(
    target: Target,
    agent: Agent,
    options: { tracker?: SignInTracker; signal?: AbortSignal; events?: SignInEvents } = {},
  ) {
    this.target = target;
    this.agent = agent;
    this.tracker = options.tracker;
    this.stop = options.signal;
    this.signInEvents = options.events;
  }

  get id(): string {
    return this.agent.id;
  }

  get guid(): string | undefined {
    return this.channel.guid;
  }

  set guid(value: string | undefined) {
    this.channel.guid = value;
  }

  /** Guids that replaced an earlier one since the agent was made (dynamic authentication rotations). */
  get rotations(): number {
    return this.channel.rotations;
  }

  /** Headers of an authenticated request. */
  headers(extra?: Record<string, string>): Record<string, string> {
    return agentHeaders(this.channel, extra);
  }

  /** Calls an operation for this agent with the current Guid; validates the answer. */
  async call(
    op: OperationId,
    body?: unknown,
    options: { headers?: Record<string, string>; agentId?: string; expectEnvelope?: boolean } = {},
  ): Promise<Reply> {
    const operation = OPERATIONS[op];
    // Waiting for the rate cap is not a request in flight: the heartbeat may poll meanwhile.
    if (op === "callout") await callSlot(this.target);
    this.inFlight++;
    const before = this.guid;
    let reply: Reply;
    try {
      reply = await send(
        this.target,
        {
          operation: op,
          agentId: options.agentId ?? this.id,
          headers: options.headers ?? this.headers(),
          ...(body === undefined ? {} : { body }),
        },
        this.channel,
      );
    } finally {
      this.inFlight--;
    }
    this.judgeSetGuid(reply, op, before);
    validateReply(this.target, this.recorder, operation.response, reply, options.expectEnvelope ?? true);
    if (operation.setsGuid === "always" && retcodeOf(reply) === "0") this.checkSetGuid(reply);
    return reply;
  }

  /** A successful sign-in must hand the Guid over in the header contract's form (value never shown). */
  private checkSetGuid(reply: Reply): void {
    if (!this.recorder) return;
    const value = setGuidHeader(reply.headers);
    const schema: SchemaName = "onlineagent/set-guid.header";
    const violations = this.target.contracts.validate(schema, value);
    for (const v of violations) this.recorder.add(v.clause, v.open ? "open-recorded" : "fail", v.message);
    if (violations.length > 0) return;
    for (const { clause } of appliedClauses(this.target.contracts, schema, value)) {
      this.recorder.credit(clause, "sign-in handed over a Guid in the documented form");
    }
  }

  /** Which polls hand the Guid over is open: a successful poll without it, or one repeating it, says which. */
  private judgeSetGuid(reply: Reply, op: OperationId, before: string | undefined): void {
    if (op !== "getAgentEvent" || envelopeOf(reply)?.retcode !== "0") return;
    if (reply.setGuid === undefined) {
      this.recorder?.choice(
        "set-guid-on-polls",
        choiceOption("set-guid-on-polls", 0),
        "a poll without a Guid header",
      );
    } else if (reply.setGuid === before) {
      this.recorder?.choice(
        "set-guid-on-polls",
        choiceOption("set-guid-on-polls", 1),
        "a poll repeated the Guid",
      );
    }
  }

  /**
   * Signs in with the profile's sign-in options. An agent still signed in elsewhere is forced only when the
   * profile allows it; a refusal (wrong password, ...) is never retried, since accounts lock.
   * @param options optional sign-in fields sent besides the profile's, the password and the phone number
   */
  async login(options: Record<string, unknown> = {}): Promise<Reply> {
    try {
      const reply = await this.signIn(options);
      this.signInEvents?.signedIn(this);
      return reply;
    } catch (error) {
      if (error instanceof SignInError) this.signInEvents?.failed(this, error);
      throw error;
    }
  }

  private async signIn(options: Record<string, unknown>): Promise<Reply> {
    const outcome = await signIn(this.send, this.agent, signInPolicy(this.target.profile), options);
    if (outcome.ok) {
      this.markSignedIn(true);
      if (!this.guid) throw new SignInError("refused", `the sign-in of agent ${this.id} handed over no Guid`);
      return outcome.reply as Reply;
    }
    const { kind, code } = outcome;
    if (kind === "unreadable") {
      this.markSignedIn("unknown");
      throw new SignInError("unreadable", `the sign-in answer of agent ${this.id} cannot be read: ${code}`);
    }
    if (kind === "password") {
      throw new SignInError(
        "password",
        `the sign-in of agent ${this.id} was refused with ${code} (its credentials)`,
      );
    }
    const why =
      kind === "elsewhere"
        ? `agent ${this.id} is signed in elsewhere (${code}) and the profile does not allow a forced sign-in (allowForceLogin)`
        : `agent ${this.id} could not sign in: ${code}; it is not tried again`;
    throw new SignInError("refused", why);
  }

  /** Sends an operation of this agent as lib/gateway's sign-in and sign-out do (validated, recorded). */
  private readonly send = (
    op: OperationId,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Reply> => this.call(op, body, headers ? { headers } : {});

  private markSignedIn(state: boolean | "unknown"): void {
    this.signedIn = state;
    if (state === false) this.tracker?.signedOut(this.id);
    else this.tracker?.signedIn(this.id);
  }

  /**
   * Signs out (lib/gateway's sweep): sign-out, a call in the way released first; without a working session,
   * sign-in (forced only where the profile allows it), release, sign-out.
   */
  async logout(): Promise<Reply> {
    const hasSession = this.signedIn !== false && this.guid !== undefined;
    const { reply } = await signOut(this.send, this.agent, signInPolicy(this.target.profile), hasSession);
    this.markSignedIn(false);
    this.guid = undefined;
    return (reply ?? (await this.call("logout"))) as Reply;
  }

  /** One poll; the event (or null) is appended to `events`. */
  async poll(): Promise<PolledEvent | null> {
    this.pending ??= this.pollOnce().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /**
   * The gateway's heartbeat: a poll, when the agent is signed in, has no request in flight and has not polled
   * for `idleMs`. Whatever a case does with the agent meanwhile, a second poll joins this one.
   */
  heartbeat(idleMs: number): Promise<unknown> | undefined {
    if (this.signedIn !== true || this.inFlight > 0 || Date.now() - this.lastPollAt < idleMs)
      return undefined;
    return this.poll().catch(() => null);
  }

  /** The poll in flight, if any. */
  get polling(): Promise<unknown> | undefined {
    return this.pending;
  }

  private async pollOnce(): Promise<PolledEvent | null> {
    this.lastPollAt = Date.now();
    const reply = await this.call("getAgentEvent");
    this.lastPollAt = Date.now();
    this.refused = retcodeOf(reply) !== "0";
    if (this.refused) return null;
    const body = envelopeOf(reply)?.body ?? {};
    const raw = body.event;
    if (raw === undefined || raw === null) {
      this.recorder?.choice(
        "empty-poll-shape",
        choiceOption("empty-poll-shape", raw === null ? 0 : 1),
        `after ${reply.ms} ms`,
      );
      return null;
    }
    const event = raw as PolledEvent & { workNo?: unknown };
    if (typeof event.eventType !== "string") return null;
    this.judgeEvent(event);
    this.events.push(event);
    return event;
  }

  /** What every event must show: the polling agent's workNo; null content may also be left out (open). */
  private judgeEvent(event: PolledEvent & { workNo?: unknown }): void {
    const rec = this.recorder;
    if (!rec) return;
    if (event.workNo === this.id)
      rec.credit("getAgentEvent/response/event/workNo", `events carry agent ${this.id}'s workNo`);
    else
      rec.add(
        "getAgentEvent/response/event/workNo",
        "fail",
        `${event.eventType} polled by agent ${this.id} carries workNo ${JSON.stringify(event.workNo)}`,
      );
    const content = this.target.contracts.schemas[`events/${event.eventType}` as SchemaName]?.properties as
      | { content?: { type?: unknown } }
      | undefined;
    if (content?.content?.type === "null") {
      const omitted = !("content" in event);
      rec.choice(
        "null-content-omitted",
        choiceOption("null-content-omitted", omitted ? 1 : 0),
        event.eventType,
      );
    }
  }

  /**
   * Polls until `done` says so, the deadline passes or the run is stopped; returns the events since `from`.
   * @param done called with the events since `from` after each poll
   * @param from index in `events` to read from: where the action began (a heartbeat poll may have read its first
   * events before this wait started)
   */
  async pollUntil(
    done: (events: PolledEvent[]) => boolean,
    deadlineMs = this.target.deadlines.flowMs,
    what = "events",
    from = this.events.length,
  ): Promise<{ events: PolledEvent[]; timedOut: boolean }> {
    const start = from;
    const deadline = Date.now() + deadlineMs;
    this.waiting = `${what} on agent ${this.id} (deadline ${deadlineMs} ms)`;
    try {
      while (Date.now() < deadline && !this.stop?.aborted) {
        const event = await this.poll();
        const events = this.events.slice(start);
        if (done(events)) return { events, timedOut: false };
        if (event === null && (this.refused || this.guid === undefined)) break;
      }
      return { events: this.events.slice(start), timedOut: true };
    } finally {
      this.waiting = undefined;
    }
  }

  /** Polls until one poll comes back empty: everything queued so far has been read. */
  async drain(deadlineMs = this.target.deadlines.flowMs): Promise<PolledEvent[]> {
    const start = this.events.length;
    const deadline = Date.now() + deadlineMs;
    this.waiting = `an empty poll on agent ${this.id} (deadline ${deadlineMs} ms)`;
    try {
      while (Date.now() < deadline && !this.stop?.aborted) {
        if ((await this.poll()) === null) break;
      }
    } finally {
      this.waiting = undefined;
    }
    return this.events.slice(start);
  }

  /** The agent's state code, or undefined when the answer has none. */
  async state(): Promise<number | undefined> {
    const reply = await this.call("getAgentStatus");
    const value = (envelopeOf(reply)?.body.result as { agentState?: unknown } | undefined)?.agentState;
    return typeof value === "number" ? value : undefined;
  }

  /**
   * Brings the agent back to a state where it can call out: releases any call (held ones too) and waits until
   * the state is no longer talking. Never records findings.
   */
  async settle(): Promise<boolean> {
    const recorder = this.recorder;
    this.recorder = undefined;
    this.waiting = `the end of agent ${this.id}'s call`;
    try {
      const talking = agentStateCode("talking");
      const deadline = Date.now() + this.target.deadlines.flowMs;
      for (let i = 0; i < 3; i++) {
        if (retcodeOf(await this.call("release")) !== "0") break;
      }
      // NOTE: no drain to an empty poll here: on a real gateway each empty poll is a whole long-poll wait.
      while (Date.now() < deadline && !this.stop?.aborted) {
        const state = await this.state();
        if (state !== undefined && state !== talking) return true;
        // No state at all: the session is gone (a Guid that stopped working); the caller recovers it.
        if (state === undefined) return false;
        await this.call("release");
        // Waiting for the state to change is waiting for the next event: a poll answers as soon as one comes.
        await this.poll();
        if (this.refused) return false;
      }
      return false;
    } finally {
      this.recorder = recorder;
      this.waiting = undefined;
    }
  }
}

function choiceOption(id: string, index: number): string {
  return openChoice(id).options[index] ?? String(index);
}
