/**
 * One test agent of the suite, on lib/gateway's session keeper: signed in, it keeps one poll open until it
 * signs out (so its Guid is always the gateway's current one), and every poll is judged as it comes (the
 * event's workNo, the shape of an empty poll, omitted null content, which polls hand the Guid over). A case
 * reads events from the agent's log from the moment its action began, and waits for them by deadline, judged
 * by what the gateway answered. An answer about the session to a request that does not test the session is
 * never a verdict on the request: the session is re-established and the request sent once more, and a second
 * such answer leaves the case not tested.
 */
import { appliedClauses } from "../../contracts/clauses-of.ts";
import {
  agentStateCode,
  EVENT_FLOWS,
  OPERATIONS,
  type OperationId,
  openChoice,
  type SchemaName,
  situation,
} from "../../contracts/index.ts";
import { HarnessError } from "../../lib/errors.ts";
import {
  type AgentChannel,
  AgentSession,
  agentHeaders,
  isSessionRefusal,
  type PollAnswer,
  type PolledEvent,
  type SendSpec,
  setGuidHeader,
  signInPolicy,
  type WaitResult,
} from "../../lib/gateway/index.ts";
import type { Agent } from "../../lib/target-profile.ts";
import { NotTested, type Recorder, validateReply } from "./recorder.ts";
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
 * Why a sign-in did not give a session: the pool stops using the agent ("refused"), signs nobody in any more
 * when the answer cannot be read or the password was refused (the profile's agents often share one password,
 * and accounts lock), or leaves it for later when it is signed in elsewhere and may not be taken over.
 */
export class SignInError extends HarnessError {
  readonly kind: "refused" | "password" | "unreadable" | "elsewhere";
  constructor(kind: SignInError["kind"], message: string) {
    super("CCGW_SIGN_IN_REFUSED", message);
    this.kind = kind;
  }
}

/** How a case's deadline is given: a kind of the target's event deadlines, or milliseconds. */
export type Within = "prompt" | "setup" | number;

export interface CallOptions {
  headers?: Record<string, string>;
  agentId?: string;
  expectEnvelope?: boolean;
  /**
   * "judge": the case tests the session, so an answer about it is the verdict. By default such an answer
   * (not signed in, Guid refused, signed in elsewhere) is about the agent, not the request: the session is
   * re-established, the request sent once more, and a second one makes the case not tested.
   */
  session?: "judge";
}

/** Codes that speak about the session rather than the request (a sign-in's: signed in elsewhere). */
function aboutSession(op: OperationId, code: string): boolean {
  if (op === "login" || op === "forceLogin") return situation("already-signed-in").codes.includes(code);
  return isSessionRefusal(code);
}

export class SuiteAgent {
  readonly target: Target;
  readonly agent: Agent;
  readonly session: AgentSession<Reply>;
  recorder: Recorder | undefined;
  /** What the agent is waiting for, for the watchdog's report. */
  waiting: string | undefined;
  /** Successful callouts since the agent was leased: a session lost after one cannot be started over mid-case. */
  callsInLease = 0;
  /**
   * A call was placed and not yet followed to its last event (or released and followed to Ready): its events
   * may still be on their way, so the agent is not handed to another case before its log is quiet.
   */
  callInFlight = false;
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
    this.session = new AgentSession<Reply>(agent, (spec, channel) => this.exchange(spec, channel), {
      pollPauseMs: target.deadlines.pollPauseMs,
      onPoll: (answer) => this.judgePoll(answer),
    });
  }

  get id(): string {
    return this.agent.id;
  }

  get channel(): AgentChannel {
    return this.session.channel;
  }

  get guid(): string | undefined {
    return this.channel.guid;
  }

  set guid(value: string | undefined) {
    this.channel.guid = value;
  }

  /** Guids that replaced an earlier one in this session (dynamic authentication rotations). */
  get rotations(): number {
    return this.channel.rotations;
  }

  /** Every event the agent polled, in arrival order. */
  get events(): PolledEvent[] {
    return this.session.events;
  }

  /** Whether the gateway holds a session of this agent, as far as the suite knows. */
  get signedIn(): boolean | "unknown" {
    const { state } = this.session;
    return state === "in" ? true : state === "out" ? false : "unknown";
  }

  /** A case that made the gateway do something unexpected says the agent's state is no longer known. */
  markUnknown(): void {
    this.session.state = "unknown";
  }

  /** A sign-out a case sent itself succeeded: no more polls, and the agent counts as signed out. */
  async markSignedOut(): Promise<void> {
    await this.session.stopPolling();
    this.session.state = "out";
    this.tracker?.signedOut(this.id);
  }

  /** Headers of an authenticated request. */
  headers(extra?: Record<string, string>): Record<string, string> {
    return agentHeaders(this.channel, extra);
  }

  /** Calls an operation for this agent with the current Guid; validates the answer (see CallOptions.session). */
  async call(op: OperationId, body?: unknown, options: CallOptions = {}): Promise<Reply> {
    const sentGuid = this.guid;
    const reply = await this.callOnce(op, body, options);
    const code = retcodeOf(reply);
    if (options.session === "judge" || !aboutSession(op, code)) return reply;
    this.target.sessionAnswers.push(`agent ${this.id}: ${op} answered ${code}`);
    const why = await this.reestablish(op, code, sentGuid);
    if (why) throw new NotTested(why);
    // The same request again, with the Guid of the session as it is now.
    const headers =
      options.headers && options.headers.guid === sentGuid && this.guid !== undefined
        ? { ...options.headers, guid: this.guid }
        : options.headers;
    const again = await this.callOnce(op, body, { ...options, ...(headers ? { headers } : {}) });
    const second = retcodeOf(again);
    if (aboutSession(op, second)) {
      throw new NotTested(
        `${op} was answered ${code}, then ${second} after the session was re-established: codes about the session, not the request, so the request was not tested`,
      );
    }
    return again;
  }

  private callOnce(op: OperationId, body: unknown, options: CallOptions): Promise<Reply> {
    return this.exchange(
      {
        operation: op,
        agentId: options.agentId ?? this.id,
        headers: options.headers ?? this.headers(),
        ...(body === undefined ? {} : { body }),
      },
      this.channel,
      options.expectEnvelope ?? true,
    );
  }

  /**
   * One request of this agent: a callout waits for the rate cap; the answer is validated against its contract
   * into the case's recorder, except a poll's, which judgePoll reads as the keeper hands it over.
   */
  private async exchange(spec: SendSpec, channel: AgentChannel, expectEnvelope = true): Promise<Reply> {
    const op = spec.operation;
    if (op === "callout") await callSlot(this.target);
    const reply = await send(this.target, spec, channel);
    if (!op || op === "getAgentEvent") return reply;
    const operation = OPERATIONS[op];
    validateReply(this.target, this.recorder, operation.response, reply, expectEnvelope);
    const code = retcodeOf(reply);
    if (operation.setsGuid === "always" && code === "0") this.checkSetGuid(reply);
    if (op === "callout" && code === "0") {
      this.callsInLease++;
      this.callInFlight = true;
    }
    return reply;
  }

  /**
   * After an answer about the session: a newer Guid may have come meanwhile (a poll took a rotation), the
   * session may still work (a probe says so), or it is gone and a new one is signed in, unless the case holds
   * a call on the old one. Returns why it could not be re-established, or undefined. Records nothing.
   */
  private async reestablish(
    op: OperationId,
    code: string,
    sentGuid: string | undefined,
  ): Promise<string | undefined> {
    const recorder = this.recorder;
    this.recorder = undefined;
    try {
      if (op === "login" || op === "forceLogin") {
        // Signed in elsewhere: the sweep signs the agent out (taking the session over only where allowed).
        await this.logout();
        return this.signedIn === false
          ? undefined
          : `agent ${this.id} is signed in elsewhere (${code}) and could not be signed out`;
      }
      if (this.session.state === "in" && this.guid !== sentGuid) return undefined;
      if (this.session.isPolling) {
        await this.session.nextPoll(this.target.deadlines.requestMs);
        if (this.session.state === "in" && this.guid !== sentGuid) return undefined;
      }
      const probe =
        this.session.state === "in" ? retcodeOf(await this.callOnce("getAgentStatus", undefined, {})) : code;
      if (probe === "0") return undefined;
      if (this.callsInLease > 0) {
        return `the agent's session was lost in the middle of the case (${code}, then ${probe} for its state), so the request was not tested`;
      }
      await this.logout();
      await this.login();
      await this.until((events) => events.length > 0, { within: "prompt", what: "the sign-in's events" });
      return undefined;
    } catch (error) {
      return `the agent's session could not be re-established after ${code}: ${(error as Error).message}`;
    } finally {
      this.recorder = recorder;
    }
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

  /**
   * Every poll the keeper makes: validated against its contract (evidence kept when it carries an event or a
   * failure), and what the pages leave open recorded: the empty poll's shape, which polls hand the Guid over.
   */
  private judgePoll(answer: PollAnswer<Reply>): void {
    if (answer.kind === "lost")
      this.target.sessionsLost.push(`agent ${this.id}: a poll answered ${answer.code}`);
    const rec = this.recorder;
    if (!rec) return;
    const { reply } = answer;
    validateReply(this.target, rec, OPERATIONS.getAgentEvent.response, reply, true, answer.kind !== "empty");
    if (answer.kind === "lost" || answer.kind === "failed") return;
    if (reply.setGuid === undefined) {
      rec.choice("set-guid-on-polls", choiceOption("set-guid-on-polls", 0), "a poll without a Guid header");
    } else if (reply.setGuid === reply.sentGuid) {
      rec.choice("set-guid-on-polls", choiceOption("set-guid-on-polls", 1), "a poll repeated the Guid");
    }
    if (answer.kind === "empty") {
      const raw = envelopeOf(reply)?.body.event;
      rec.choice(
        "empty-poll-shape",
        choiceOption("empty-poll-shape", raw === null ? 0 : 1),
        `after ${answer.answeredAt - answer.sentAt} ms`,
      );
      return;
    }
    if (answer.event) this.judgeEvent(rec, answer.event);
  }

  /** What every event must show: the polling agent's workNo; null content may also be left out (open). */
  private judgeEvent(rec: Recorder, event: PolledEvent): void {
    if (event.workNo === this.id)
      rec.credit("getAgentEvent/response/event/workNo", `events carry agent ${this.id}'s workNo`);
    else
      rec.add(
        "getAgentEvent/response/event/workNo",
        "fail",
        `${event.eventType} polled by agent ${this.id} carries workNo ${JSON.stringify(event.workNo)}`,
      );
    this.judgeGenTime(rec, event);
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
   * eventGenTime, where the edition carries it, is milliseconds since the epoch on the gateway's clock: within
   * the run's window on ours, give or take CLOCK_SKEW_MS (a value in seconds is decades off).
   */
  private judgeGenTime(rec: Recorder, event: PolledEvent): void {
    const gen = event.eventGenTime;
    if (gen === undefined) return;
    const from = this.target.startedAt - CLOCK_SKEW_MS;
    const to = Date.now() + CLOCK_SKEW_MS;
    const clause = "getAgentEvent/response/event/eventGenTime";
    if (typeof gen === "number" && gen >= from && gen <= to) {
      rec.credit(clause, "eventGenTime is milliseconds within the run's clock window");
      return;
    }
    const window = `${new Date(from).toISOString()} to ${new Date(to).toISOString()}`;
    rec.add(
      clause,
      "fail",
      `${event.eventType} carries eventGenTime ${JSON.stringify(gen)}, not milliseconds within the run's clock window (${window})`,
    );
  }

  /**
   * Signs in with the profile's sign-in options; from then on the agent keeps a poll open. An agent signed in
   * elsewhere is forced only when the profile allows it; a refusal (wrong password, ...) is never retried.
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
    const outcome = await this.session.signIn(signInPolicy(this.target.profile), options);
    if (outcome.ok) {
      this.tracker?.signedIn(this.id);
      if (!this.guid) {
        this.session.state = "unknown";
        throw new SignInError("refused", `the sign-in of agent ${this.id} handed over no Guid`);
      }
      return outcome.reply as Reply;
    }
    const { kind, code } = outcome;
    if (kind === "unreadable") {
      this.tracker?.signedIn(this.id);
      throw new SignInError("unreadable", `the sign-in answer of agent ${this.id} cannot be read: ${code}`);
    }
    if (kind === "password") {
      throw new SignInError(
        "password",
        `the sign-in of agent ${this.id} was refused with ${code} (its credentials)`,
      );
    }
    if (kind === "elsewhere") {
      this.session.state = "unknown";
      throw new SignInError(
        "elsewhere",
        `agent ${this.id} is signed in elsewhere (${code}) and the profile does not allow a forced sign-in (allowForceLogin)`,
      );
    }
    throw new SignInError("refused", `agent ${this.id} could not sign in: ${code}; it is not tried again`);
  }

  /**
   * Signs out (lib/gateway's sweep): sign-out, a call in the way released first; without a working session,
   * sign-in (forced only where the profile allows it; never when `takeOver` is false), release, sign-out. A
   * refused sign-out leaves the agent's state unknown, never signed out.
   */
  async logout(takeOver = true): Promise<Reply> {
    const { done, reply } = await this.session.signOut(signInPolicy(this.target.profile), takeOver);
    if (done) this.tracker?.signedOut(this.id);
    return reply ?? (await this.callOnce("logout", undefined, {}));
  }

  /** Milliseconds of a deadline. */
  deadlineMs(within: Within): number {
    if (typeof within === "number") return within;
    return within === "setup" ? this.target.deadlines.setupMs : this.target.deadlines.promptMs;
  }

  /**
   * Waits for events from `from` on (where the action began) until `done` says so, the deadline counted from
   * `since` passes by the gateway's answers (a poll sent after it came back empty), the session is lost, or the
   * run is stopped.
   */
  async until(
    done: (events: PolledEvent[]) => boolean,
    options: { within: Within; what: string; from?: number; since?: number },
  ): Promise<WaitResult> {
    const ms = this.deadlineMs(options.within);
    this.waiting = `${options.what} on agent ${this.id} (deadline ${ms} ms)`;
    try {
      return await this.session.waitFor(done, {
        from: options.from ?? this.events.length,
        deadlineAt: (options.since ?? Date.now()) + ms,
        graceMs: this.target.deadlines.requestMs,
        ...(this.stop ? { signal: this.stop } : {}),
      });
    } finally {
      this.waiting = undefined;
    }
  }

  /** Waits until everything queued for the agent so far has been read (a poll sent from now on came back empty). */
  async quiet(): Promise<boolean> {
    this.waiting = `an empty poll on agent ${this.id}`;
    try {
      return await this.session.quiet(this.target.deadlines.requestMs, this.stop);
    } finally {
      this.waiting = undefined;
    }
  }

  /** The agent's state code, or undefined when the answer has none. */
  async state(): Promise<number | undefined> {
    const reply = await this.call("getAgentStatus");
    const value = (envelopeOf(reply)?.body.result as { agentState?: unknown } | undefined)?.agentState;
    return typeof value === "number" ? value : undefined;
  }

  /**
   * Brings the agent back to a state where it can call out: releases any call (held ones too) and waits, poll
   * by poll, until the state is no longer talking. Never records findings.
   */
  async settle(): Promise<boolean> {
    const recorder = this.recorder;
    this.recorder = undefined;
    this.waiting = `the end of agent ${this.id}'s call`;
    try {
      const talking = agentStateCode("talking");
      const deadline = Date.now() + this.target.deadlines.setupMs;
      for (let i = 0; i < 3; i++) {
        const mark = this.events.length;
        if (retcodeOf(await this.callOnce("release", undefined, {})) !== "0") break;
        // A released call's events follow it (Ready last): read them here, not in the next case's log.
        await this.until((events) => events.some((e) => READY.includes(e.eventType)), {
          within: "prompt",
          what: "AgentState_Ready after the release",
          from: mark,
        });
      }
      while (Date.now() < deadline && !this.stop?.aborted && this.session.state === "in") {
        const reply = await this.callOnce("getAgentStatus", undefined, {});
        const state = (envelopeOf(reply)?.body.result as { agentState?: unknown } | undefined)?.agentState;
        // No state at all: the session is gone (a Guid that stopped working); the caller recovers it.
        if (typeof state !== "number") return false;
        if (state !== talking) return true;
        await this.callOnce("release", undefined, {});
        // Waiting for the state to change is waiting for the next event: the poll answers as soon as one comes.
        await this.session.nextPoll(this.target.deadlines.requestMs);
      }
      return false;
    } finally {
      this.recorder = recorder;
      this.waiting = undefined;
    }
  }
}

/** How far the gateway's clock may be from ours before an eventGenTime is outside the run's window. */
const CLOCK_SKEW_MS = 60 * 60_000;

/** The events that end the release flow (AgentState_Ready, or AgentState_Work). */
const READY = (EVENT_FLOWS.release?.steps ?? [])
  .filter((step) => step.terminal)
  .flatMap((step) => [step.event, ...(step.alternatives ?? [])]);

function choiceOption(id: string, index: number): string {
  return openChoice(id).options[index] ?? String(index);
}
