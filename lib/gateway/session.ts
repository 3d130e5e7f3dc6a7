/**
 * One agent's session, kept as a real agent client keeps it: sign in, then exactly one poll open until sign-out
 * (the poll is the gateway's heartbeat and, under dynamic authentication, how the current Guid arrives: the
 * channel takes every Set-GUID), every event appended to the agent's log as it comes. Waiting for events ends
 * by what the gateway answered, never by a timer alone: an event is missing once a poll sent after its deadline
 * came back empty without it (a gateway queues events, so that poll would have carried it). The suite and the
 * load engine each put their own checks around this one keeper.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { OperationId } from "../../contracts/index.ts";
import type { Agent } from "../target-profile.ts";
import { envelopeOf, isSituation, retcodeOf, SUCCESS } from "./answer.ts";
import { AgentChannel, type GatewayReply, type SendSpec } from "./client.ts";
import { type SignInOutcome, type SignInPolicy, signIn, signOut } from "./sign-in-out.ts";

/** An event as a poll carried it. */
export interface PolledEvent {
  eventType: string;
  workNo?: unknown;
  content?: unknown;
  eventGenTime?: unknown;
}

/** What one poll came back with. */
export type PollKind = "event" | "empty" | "lost" | "failed";

export interface PollAnswer<R extends GatewayReply = GatewayReply> {
  kind: PollKind;
  /** When the poll was sent and when its answer came (epoch ms). */
  sentAt: number;
  answeredAt: number;
  reply: R;
  /** The retcode, or what came instead (lib/gateway's retcodeOf). */
  code: string;
  event?: PolledEvent;
  /**
   * The poll carried a Guid an earlier poll had handed over (Set-GUID), not the sign-in's: a refusal of it says
   * the gateway does not honour the Guids it rotates in.
   */
  rotatedGuid?: boolean;
  /** With rotatedGuid: when the poll whose answer handed that Guid over was sent (epoch ms). */
  guidHandedAt?: number;
}

/** Sends one request of the agent over its channel (the suite adds evidence, the load engine sampling). */
export type Transport<R extends GatewayReply> = (spec: SendSpec, channel: AgentChannel) => Promise<R>;

export interface SessionOptions<R extends GatewayReply> {
  /** Pause after an empty answer before the next poll (the vendor asks for 200–500 ms). */
  pollPauseMs: number;
  /** Pause after an answer that is neither an event nor empty (a failure code, a network error). @default 500 */
  retryPauseMs?: number;
  /** Keep every event in `events` (the suite); the load engine reads them from onPoll only. @default true */
  keepLog?: boolean;
  /** Every poll's answer, as it comes (validation, metrics, the load agent's state machine). */
  onPoll?: (answer: PollAnswer<R>) => void;
}

/**
 * Where the session stands as far as this client knows: signed out ("out"), polling ("in"), refused by the
 * gateway while polling ("lost": the Guid no longer works), or not known (a sign-out that was refused).
 */
export type SessionState = "out" | "in" | "lost" | "unknown";

/**
 * How a wait ended: the awaited events came ("complete"); a poll sent after the deadline came back empty
 * without them ("missing"); no empty answer within the grace after the deadline ("no-empty-answer"); the
 * session was lost or is not polling; the wait was stopped.
 */
export type WaitEnd = "complete" | "missing" | "no-empty-answer" | "lost" | "not-polling" | "stopped";

export interface WaitResult {
  /** The events from `from` on when the wait ended. */
  events: PolledEvent[];
  end: WaitEnd;
  /** The end in words, for a report. */
  reason: string;
}

export interface WaitOptions {
  /** Index in `events` to read from (where the action began). @default the log's end */
  from?: number;
  /** Epoch ms after which a missing event is missing: a poll sent at or after it came back empty. */
  deadlineAt: number;
  /** Past deadlineAt + graceMs the wait ends even without an empty answer (a gateway that never answers empty). */
  graceMs: number;
  signal?: AbortSignal;
}

/** A poll refused for its session: the Guid no longer works, or the agent is no longer signed in. */
export function isSessionRefusal(reply: GatewayReply | string): boolean {
  return isSituation(reply, "not-signed-in") || isSituation(reply, "guid-wrong");
}

export class AgentSession<R extends GatewayReply = GatewayReply> {
  readonly agent: Agent;
  /** The agent's Guid and cookies; a new one for every sign-in, so a late answer of an ended session changes nothing. */
  channel = new AgentChannel();
  state: SessionState = "out";
  /** The code that refused a poll, when the session was lost. */
  lostCode: string | undefined;
  /** Every event polled since the agent was made, in arrival order (unless keepLog is false). */
  readonly events: PolledEvent[] = [];
  /** Send time of the latest poll that came back empty: nothing was queued for the agent when it was sent. */
  lastEmptySentAt = Number.NEGATIVE_INFINITY;
  /** Polls answered in this session. */
  polls = 0;
  /** Send time of the poll in flight, if one is. */
  inFlightSince: number | undefined;
  /** The channel's Guid came from a poll's Set-GUID (a rotation), not from the sign-in. */
  private guidFromPoll = false;
  /** When the poll that handed the current Guid over was sent. */
  private guidHandedAt: number | undefined;
  private readonly transport: Transport<R>;
  private readonly options: SessionOptions<R>;
  /** Each start of polling has its number: answers of an earlier one are ignored. */
  private generation = 0;
  private polling = false;
  private loop: Promise<void> = Promise.resolve();
  private readonly waiters = new Set<() => boolean>();
  /** The latest poll answer (for nextPoll). */
  private lastAnswer: PollAnswer<R> | undefined;

  constructor(agent: Agent, transport: Transport<R>, options: SessionOptions<R>) {
    this.agent = agent;
    this.transport = transport;
    this.options = options;
  }

  /** True while one poll is kept open. */
  get isPolling(): boolean {
    return this.polling;
  }

  /** One request of the agent (sign-in sends no Guid; every other request the channel's current one). */
  send(op: OperationId, body?: unknown, headers?: Record<string, string>): Promise<R> {
    // Built without spreads: a load run sends one of these per poll.
    const spec: SendSpec = { operation: op, agentId: this.agent.id };
    if (body !== undefined) spec.body = body;
    if (headers) spec.headers = headers;
    return this.transport(spec, this.channel);
  }

  /**
   * Signs in (forced only where the policy allows it) on a new channel and, on success, keeps a poll open from
   * then on, as the vendor asks of agent clients.
   */
  async signIn(policy: SignInPolicy, extra: Record<string, unknown> = {}): Promise<SignInOutcome> {
    await this.stopPolling();
    this.channel = new AgentChannel();
    const before = this.state;
    this.guidFromPoll = false;
    const outcome = await signIn(
      (op, body, headers) => this.send(op, body, headers),
      this.agent,
      policy,
      extra,
    );
    if (outcome.ok && this.channel.guid !== undefined) {
      this.state = "in";
      this.lostCode = undefined;
      this.startPolling();
    } else {
      // A refused sign-in leaves an agent known to be signed out as it was; anything else is not known.
      const refused = !outcome.ok && outcome.kind !== "unreadable" && outcome.kind !== "elsewhere";
      this.state = before === "out" && refused ? "out" : "unknown";
    }
    return outcome;
  }

  /**
   * Stops polling and signs out with lib/gateway's sweep: a call in the
   * way released first; without a working session, sign-in (forced only where allowed; never when `takeOver` is
   * false), release, sign-out. Only a success counts: after a refused sign-out the state is "unknown", never "out".
   */
  async signOut(policy: SignInPolicy, takeOver = true): Promise<{ done: boolean; reply: R | undefined }> {
    // The Guid this client holds is tried first, whatever the state: an unreadable sign-in may have opened one.
    const hasSession = this.state !== "out" && this.channel.guid !== undefined;
    // No new poll from now on; the one in flight ends with the session (a gateway answers it at sign-out).
    const stopped = this.stopPolling();
    const result = await signOut(
      (op, body, headers) => this.send(op, body, headers),
      this.agent,
      policy,
      hasSession,
      takeOver,
      // A new session is opened on a new channel once the old one's poll is back: its late Set-GUID lands on the
      // old channel, never on the new session's.
      async () => {
        await stopped;
        this.channel = new AgentChannel();
      },
    );
    await stopped;
    // The sweep may have signed in to sign out: whatever it did, no poll of it is open.
    this.state = result.done ? "out" : "unknown";
    this.channel.guid = undefined;
    this.notify();
    return { done: result.done, reply: result.reply as R | undefined };
  }

  /** Keeps one poll open from now on (after a sign-in made elsewhere). */
  startPolling(): void {
    if (this.polling) return;
    this.polling = true;
    this.polls = 0;
    const generation = ++this.generation;
    // After the loop of an earlier start has ended: never two polls at once.
    this.loop = this.loop.then(() => this.pollLoop(generation));
  }

  /** No more polls; resolves when the poll in flight has come back (bounded by the request time limit). */
  async stopPolling(): Promise<void> {
    this.polling = false;
    this.generation++;
    this.notify();
    await this.loop;
    this.inFlightSince = undefined;
  }

  private async pollLoop(generation: number): Promise<void> {
    const { pollPauseMs, retryPauseMs = 500 } = this.options;
    while (this.polling && generation === this.generation) {
      const sentAt = Date.now();
      const guid = this.channel.guid;
      this.inFlightSince = sentAt;
      this.notify();
      const reply = await this.send("getAgentEvent");
      if (generation !== this.generation) return;
      this.inFlightSince = undefined;
      const answer = this.read(reply, sentAt);
      if (this.guidFromPoll && guid === this.channel.guid) {
        answer.rotatedGuid = true;
        answer.guidHandedAt = this.guidHandedAt;
      }
      // Refused with a Guid another answer replaced meanwhile: the next poll carries the new one.
      if (answer.kind === "lost" && this.channel.guid !== guid) answer.kind = "failed";
      // A Guid a poll hands over is the one the next request carries.
      if (reply.setGuid !== undefined && this.channel.guid !== guid) {
        this.guidFromPoll = true;
        this.guidHandedAt = sentAt;
      }
      this.polls++;
      if (answer.kind === "event" && answer.event && this.options.keepLog !== false) {
        this.events.push(answer.event);
      }
      if (answer.kind === "empty") this.lastEmptySentAt = sentAt;
      if (answer.kind === "lost") {
        this.state = "lost";
        this.lostCode = answer.code;
        this.polling = false;
      }
      this.lastAnswer = answer;
      this.options.onPoll?.(answer);
      this.notify();
      if (!this.polling) return;
      const pause = answer.kind === "event" ? 0 : answer.kind === "empty" ? pollPauseMs : retryPauseMs;
      if (pause > 0) await sleep(pause);
    }
  }

  private read(reply: R, sentAt: number): PollAnswer<R> {
    const answer: PollAnswer<R> = {
      kind: "failed",
      sentAt,
      answeredAt: Date.now(),
      reply,
      code: retcodeOf(reply),
    };
    if (answer.code !== SUCCESS) {
      if (isSessionRefusal(answer.code)) answer.kind = "lost";
      return answer;
    }
    const raw = envelopeOf(reply)?.body.event;
    if (raw === undefined || raw === null) answer.kind = "empty";
    // An event without a type cannot be placed in any flow; it is an answer, not an empty one.
    else if (typeof raw === "object" && typeof (raw as PolledEvent).eventType === "string") {
      answer.kind = "event";
      answer.event = raw as PolledEvent;
    }
    return answer;
  }

  private notify(): void {
    if (this.waiters.size === 0) return;
    for (const waiter of [...this.waiters]) if (waiter()) this.waiters.delete(waiter);
  }

  /**
   * Waits until `done` holds for the events since `from`, or the gateway shows they are missing: a poll sent
   * at or after the deadline came back empty without them. Also ends when the session is lost or stopped, when
   * the signal aborts, and past deadlineAt + graceMs without an empty answer.
   */
  waitFor(done: (events: PolledEvent[]) => boolean, options: WaitOptions): Promise<WaitResult> {
    const from = options.from ?? this.events.length;
    const { deadlineAt, graceMs, signal } = options;
    return new Promise<WaitResult>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (end: WaitEnd): true => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.waiters.delete(check);
        resolve({ events: this.events.slice(from), end, reason: this.describe(end, graceMs) });
        return true;
      };
      const check = (): boolean => {
        if (done(this.events.slice(from))) return finish("complete");
        if (this.state === "lost") return finish("lost");
        if (!this.polling) return finish("not-polling");
        if (this.lastEmptySentAt >= deadlineAt) return finish("missing");
        return false;
      };
      const onAbort = (): void => void finish("stopped");
      if (signal?.aborted) return void finish("stopped");
      if (check()) return;
      this.waiters.add(check);
      signal?.addEventListener("abort", onAbort);
      timer = setTimeout(() => finish("no-empty-answer"), Math.max(0, deadlineAt + graceMs - Date.now()));
    });
  }

  private describe(end: WaitEnd, graceMs: number): string {
    switch (end) {
      case "complete":
        return "the events came";
      case "missing":
        return "a poll sent after the deadline came back empty";
      case "no-empty-answer":
        return `no poll sent after the deadline came back empty within ${graceMs} ms of it`;
      case "lost":
        return `the session was lost: a poll was refused with ${this.lostCode}`;
      case "not-polling":
        return "the agent is not polling";
      default:
        return "the wait was stopped";
    }
  }

  /**
   * Waits until everything queued for the agent so far has been read: a poll sent from now on came back empty.
   * True when it did; false when the session was lost or stopped, or no empty answer came within graceMs.
   */
  async quiet(graceMs: number, signal?: AbortSignal): Promise<boolean> {
    const at = Date.now();
    const result = await this.waitFor(() => false, {
      deadlineAt: at,
      graceMs,
      ...(signal ? { signal } : {}),
    });
    return result.end === "missing";
  }

  /** The send time of the next poll sent from now on, or undefined when polling ends first or graceMs passes. */
  nextPollSent(graceMs: number): Promise<number | undefined> {
    const after = Date.now();
    return this.settled(graceMs, () => {
      const sent = this.inFlightSince;
      if (this.polling && (sent === undefined || sent < after)) return undefined;
      return { value: this.polling ? sent : undefined };
    });
  }

  /** The next poll answer of this session, or undefined when polling ends first or graceMs passes. */
  nextPoll(graceMs: number): Promise<PollAnswer<R> | undefined> {
    const seen = this.polls;
    const generation = this.generation;
    return this.settled(graceMs, () => {
      if (this.polls === seen && this.polling && this.generation === generation) return undefined;
      return { value: this.polls > seen ? this.lastAnswer : undefined };
    });
  }

  /**
   * Resolves with the value `probe` settles on, checked now and after every poll sent or answered, or with
   * undefined when graceMs passes first.
   */
  private settled<T>(
    graceMs: number,
    probe: () => { value: T | undefined } | undefined,
  ): Promise<T | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        resolve(undefined);
      }, graceMs);
      const check = (): boolean => {
        const found = probe();
        if (!found) return false;
        clearTimeout(timer);
        resolve(found.value);
        return true;
      };
      if (!check()) this.waiters.add(check);
    });
  }
}
