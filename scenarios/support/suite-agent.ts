/**
 * One test agent of the suite, on lib/gateway's session keeper: signed in, it keeps one poll open until it
 * signs out (so its Guid is always the gateway's current one), and every poll is judged as it comes
 * (poll-judge.ts). A case reads events from the agent's log from the moment its action began, and waits for
 * them by deadline, judged by what the gateway answered. An answer about the session to a request that does not
 * test the session is never a verdict on the request: the session is re-established and the request sent once
 * more, and a second such answer leaves the case not tested.
 */
import { OPERATIONS, type OperationId, signInFlow } from "../../contracts/index.ts";
import {
  type AgentChannel,
  AgentSession,
  agentHeaders,
  isSessionRefusal,
  type PolledEvent,
  type SendSpec,
  signInPolicy,
  type WaitResult,
  watchStalls,
} from "../../lib/gateway/index.ts";
import type { Agent } from "../../lib/target-profile.ts";
import { finishLeftCall, settleAgent } from "./agent-settle.ts";
import { checkFlow } from "./event-order.ts";
import { checkSetGuid, judgePoll, STALLED, stalledAround } from "./poll-judge.ts";
import { NotTested, type Recorder, validateReply } from "./recorder.ts";
import { SignInError, type SignInEvents, type SignInTracker } from "./sign-ins.ts";
import type { Target } from "./target.ts";
import { callSlot, envelopeOf, type Reply, retcodeOf, send } from "./transport.ts";

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

/** Codes that speak about the session rather than the request: not signed in, a refused Guid. */
export function aboutSession(code: string): boolean {
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
   * A call placed and not yet followed to its last event (or released and followed to Ready), with where its
   * events begin: they may still be on their way, so the agent is not handed to another case before its end.
   */
  callInFlight: { mark: number; at: number } | undefined;
  /** Where the latest request other than a poll was sent: the log's length and the time (its events start there). */
  lastSend = { mark: 0, at: 0 };
  /** The sign-in options of the agent's latest sign-in, so a session re-established keeps them (a busy status). */
  private signInOptions: Record<string, unknown> = {};
  private readonly tracker: SignInTracker | undefined;
  /** The run's stop (its watchdog). */
  readonly stop: AbortSignal | undefined;
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
    // Verdicts on timing ask whether this process stalled meanwhile (lib/gateway/stall-watch.ts).
    watchStalls();
    this.session = new AgentSession<Reply>(agent, (spec, channel) => this.exchange(spec, channel), {
      pollPauseMs: target.deadlines.pollPauseMs,
      onPoll: (answer) => {
        if (answer.kind === "lost") {
          const stalled = stalledAround(answer) ? ` ${STALLED}` : "";
          target.sessionsLost.push(`agent ${agent.id}: a poll answered ${answer.code}${stalled}`);
        }
        judgePoll(target, this.recorder, agent.id, answer);
      },
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

  /**
   * Calls an operation for this agent with the current Guid; validates the answer (see CallOptions.session). An
   * answer about the session is recorded as evidence only, never as a finding, unless the case judges it.
   */
  async call(op: OperationId, body?: unknown, options: CallOptions = {}): Promise<Reply> {
    const judged = options.session === "judge" || op === "login" || op === "forceLogin";
    const sentGuid = this.guid;
    const first = await this.callOnce(op, body, options, false);
    const code = retcodeOf(first);
    const carriedOwnGuid = (options.headers?.guid ?? sentGuid) === sentGuid;
    if (!aboutSession(code)) return this.recorded(op, first, options);
    // A judged request that crossed a rotation (the Guid it carried was replaced while it was on its way) says
    // nothing yet: it goes once more with the current Guid.
    if (judged && !(carriedOwnGuid && sentGuid !== undefined && this.guid !== sentGuid)) {
      return this.recorded(op, first, options);
    }
    if (!judged) this.target.sessionAnswers.push(`agent ${this.id}: ${op} answered ${code}`);
    const why = judged ? undefined : await this.reestablish(code, sentGuid);
    if (why) throw new NotTested(why);
    // The same request again, with the Guid of the session as it is now.
    const headers =
      options.headers && options.headers.guid === sentGuid && this.guid !== undefined
        ? { ...options.headers, guid: this.guid }
        : options.headers;
    const again = await this.callOnce(op, body, { ...options, ...(headers ? { headers } : {}) }, false);
    const second = retcodeOf(again);
    if (!judged && aboutSession(second)) {
      throw new NotTested(
        `${op} was answered ${code}, then ${second} after the session was re-established: codes about the session, not the request, so the request was not tested`,
      );
    }
    return this.recorded(op, again, options);
  }

  /** Sends once: an answer about the session is not re-sent (settling, probes). */
  callOnce(op: OperationId, body: unknown, options: CallOptions, record = true): Promise<Reply> {
    return this.exchange(
      {
        operation: op,
        agentId: options.agentId ?? this.id,
        headers: options.headers ?? this.headers(),
        ...(body === undefined ? {} : { body }),
      },
      this.channel,
      options.expectEnvelope ?? true,
      record,
    );
  }

  /**
   * One request of this agent: a callout waits for the rate cap; the answer is kept as evidence and, when
   * `record`, validated against its contract into the case's recorder (a poll's is judged by judgePoll).
   */
  private async exchange(
    spec: SendSpec,
    channel: AgentChannel,
    expectEnvelope = true,
    record = true,
  ): Promise<Reply> {
    const op = spec.operation;
    if (op === "callout") await callSlot(this.target);
    if (op !== "getAgentEvent") this.lastSend = { mark: this.events.length, at: Date.now() };
    const reply = await send(this.target, spec, channel);
    if (!op || op === "getAgentEvent") return reply;
    if (op === "callout" && retcodeOf(reply) === "0") {
      this.callsInLease++;
      this.callInFlight = { ...this.lastSend };
    }
    this.recorder?.keep(reply.evidence);
    if (record) this.record(op, reply, expectEnvelope);
    return reply;
  }

  /** Validates an answer into the case's recorder (and a sign-in's Set-GUID); its evidence is kept already. */
  private record(op: OperationId, reply: Reply, expectEnvelope: boolean): void {
    const operation = OPERATIONS[op];
    validateReply(this.target, this.recorder, operation.response, reply, expectEnvelope, false);
    if (operation.setsGuid === "always" && retcodeOf(reply) === "0")
      checkSetGuid(this.target, this.recorder, reply);
  }

  /** The answer a call returns, recorded now that it is known not to be an answer about the session to pass over. */
  private recorded(op: OperationId, reply: Reply, options: CallOptions): Reply {
    this.record(op, reply, options.expectEnvelope ?? true);
    return reply;
  }

  /**
   * After an answer about the session: a newer Guid may have come meanwhile (a poll took a rotation), the
   * session may still work (a probe says so), or it is gone and a new one is signed in (with the same sign-in
   * options), unless the case holds a call on the old one. Returns why it could not be re-established, or
   * undefined. Records nothing.
   */
  private async reestablish(code: string, sentGuid: string | undefined): Promise<string | undefined> {
    const recorder = this.recorder;
    this.recorder = undefined;
    try {
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
      const mark = this.events.length;
      await this.login(this.signInOptions);
      const signIn = signInFlow(
        (this.signInOptions.status as number | undefined) ?? this.target.profile.signIn?.status,
      );
      await this.until((events) => checkFlow(signIn, events, undefined, false).complete, {
        within: signIn.deadline,
        what: "the sign-in flow",
        from: mark,
      });
      return undefined;
    } catch (error) {
      return `the agent's session could not be re-established after ${code}: ${(error as Error).message}`;
    } finally {
      this.recorder = recorder;
    }
  }

  /**
   * Signs in with the profile's sign-in options; from then on the agent keeps a poll open. An agent signed in
   * elsewhere is forced only when the profile allows it; a refusal (wrong password, ...) is never retried.
   * @param options optional sign-in fields sent besides the profile's, the password and the phone number
   */
  async login(options: Record<string, unknown> = {}): Promise<Reply> {
    this.signInOptions = options;
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
   * refused sign-out leaves the agent's state unknown, never signed out. Returns the sweep's last answer, if any.
   */
  async logout(takeOver = true): Promise<Reply | undefined> {
    const { done, reply } = await this.session.signOut(signInPolicy(this.target.profile), takeOver);
    if (done) this.tracker?.signedOut(this.id);
    return reply;
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

  /** Reads a call the case left unfollowed to its last event (agent-settle.ts). Records nothing. */
  finishCall(): Promise<void> {
    return finishLeftCall(this);
  }

  /** The agent's state code, or undefined when the answer has none. */
  async state(): Promise<number | undefined> {
    const reply = await this.call("getAgentStatus");
    const value = (envelopeOf(reply)?.body.result as { agentState?: unknown } | undefined)?.agentState;
    return typeof value === "number" ? value : undefined;
  }

  /** Brings the agent back to a state where it can call out (agent-settle.ts). Never records findings. */
  settle(): Promise<boolean> {
    return settleAgent(this);
  }
}
