/**
 * All mutable state of the mock behind one object with reset(): sessions by agent, the Guid index, call ids,
 * the event scripts in flight and the counters the admin API reports.
 */
import { agentStateCode, clausesOf, type Edition, EVENT } from "../../contracts/index.ts";
import type { Call, ScriptStep } from "./calls.ts";
import { CallIds } from "./calls.ts";
import type { Clock } from "./clock.ts";
import type { MockEvent } from "./event-queue.ts";
import type { Distribution, Rng } from "./random.ts";
import { newSession, type Session } from "./sessions.ts";

/** Event faults the store applies when it emits an event. */
export interface EventFaults {
  delay?: Distribution;
  lossRate?: number;
  /** Lose every Nth event the gateway makes (defect event-loss): deterministic, whatever its type. */
  loseEvery?: number;
}

export interface StoreOptions {
  edition: Edition;
  clock: Clock;
  rng: Rng;
  heartbeatTimeoutMs: number;
  maxQueuedEvents: number;
  /** Read on every event, so faults changed at run time apply at once. */
  eventFaults: () => EventFaults | undefined;
}

/** Counters for GET /__mock/stats. */
export interface Counters {
  /** Requests by operation (or "admin", "unknown") and answer: a retcode, or "http-<status>". */
  requests: Record<string, Record<string, number>>;
  callsStarted: number;
  eventsQueued: number;
  eventsDelivered: number;
  eventsLost: number;
  signOutsByTimeout: number;
}

const STATE = {
  signedOut: agentStateCode("signed-out"),
  busy: agentStateCode("busy"),
  idle: agentStateCode("idle"),
  wrapUp: agentStateCode("wrap-up"),
  talking: agentStateCode("talking"),
};

export class Store {
  readonly sessions = new Map<string, Session>();
  /** Every valid Guid to its agent, so a Guid of another agent can be recognised. */
  readonly guidOwners = new Map<string, string>();
  readonly callIds = new CallIds();
  /** Calls not yet ended (including held ones), for the capacity model. */
  readonly activeCalls = new Set<Call>();
  counters: Counters = emptyCounters();
  /** Events made since the start (the turn of defect event-loss). */
  private emitted = 0;
  private readonly withGenTime: boolean;

  private readonly options: StoreOptions;

  constructor(options: StoreOptions) {
    this.options = options;
    // eventGenTime belongs to the editions whose clause lists it (contracts/clauses.json).
    this.withGenTime = clausesOf(options.edition).some(
      (c) => c.id === "getAgentEvent/response/event/eventGenTime",
    );
  }

  get clock(): Clock {
    return this.options.clock;
  }

  /** Counts one answered request. */
  count(route: string, answer: string): void {
    let byAnswer = this.counters.requests[route];
    if (!byAnswer) {
      byAnswer = {};
      this.counters.requests[route] = byAnswer;
    }
    byAnswer[answer] = (byAnswer[answer] ?? 0) + 1;
  }

  /** The session of a signed-in agent, after applying the no-poll sign-out. */
  live(agentId: string): Session | undefined {
    const session = this.sessions.get(agentId);
    if (!session) return undefined;
    if (this.timedOut(session, this.clock.now())) {
      this.signOut(session);
      this.counters.signOutsByTimeout++;
      return undefined;
    }
    return session;
  }

  private timedOut(session: Session, now: number): boolean {
    return session.openPolls === 0 && now - session.lastPollAt >= this.options.heartbeatTimeoutMs;
  }

  /** Signs out every agent that stopped polling; returns how many. */
  sweep(): number {
    const now = this.clock.now();
    let count = 0;
    for (const session of this.sessions.values()) {
      if (this.timedOut(session, now)) {
        this.signOut(session);
        this.counters.signOutsByTimeout++;
        count++;
      }
    }
    return count;
  }

  /** Starts a new session, replacing (and signing out) any existing one of the agent. */
  signIn(agentId: string, phone: string, flags: Session["flags"]): Session {
    const old = this.sessions.get(agentId);
    if (old) this.signOut(old);
    const session = newSession(agentId, phone, flags, this.clock.now(), this.options.maxQueuedEvents);
    this.sessions.set(agentId, session);
    this.guidOwners.set(session.guids.current.value, agentId);
    return session;
  }

  /** Ends a session: its calls end without events, a waiting poll is answered, its Guids stop working. */
  signOut(session: Session): void {
    session.signedIn = false;
    session.state = STATE.signedOut;
    for (const call of [session.call, session.held]) if (call) this.endCall(call);
    session.call = undefined;
    session.held = undefined;
    this.guidOwners.delete(session.guids.current.value);
    if (session.guids.previous) this.guidOwners.delete(session.guids.previous.value);
    session.queue.clear();
    if (this.sessions.get(session.agentId) === session) this.sessions.delete(session.agentId);
  }

  /** Rotates the session's Guid (dynamic authentication); the previous one stays in the index while valid. */
  rotateGuid(session: Session, at = this.clock.now()): string {
    const dropped = session.guids.previous;
    if (dropped) this.guidOwners.delete(dropped.value);
    const value = session.guids.rotate(at);
    this.guidOwners.set(value, session.agentId);
    return value;
  }

  /** Rotation on the gateway's clock: makes the Guids due by now, whether or not the agent polled. */
  rotateOnClock(session: Session, intervalMs: number): void {
    for (const at of session.guids.dueRotations(this.clock.now(), intervalMs)) this.rotateGuid(session, at);
  }

  /**
   * Emits an event to the agent: applies its effect on state now, and queues it (subject to event faults). A
   * silent event (a defect that loses it) changes the state but never reaches the agent.
   */
  emit(session: Session, eventType: string, content: unknown, silent = false): void {
    if (!session.signedIn) return;
    this.applyEffect(session, eventType);
    this.emitted++;
    if (silent) {
      this.counters.eventsLost++;
      return;
    }
    const now = this.clock.now();
    const event: MockEvent = this.withGenTime
      ? { eventType, workNo: session.agentId, content, eventGenTime: now }
      : { eventType, workNo: session.agentId, content };
    const faults = this.options.eventFaults();
    const lostInTurn = faults?.loseEvery !== undefined && this.emitted % faults.loseEvery === 0;
    if (lostInTurn || (faults?.lossRate && this.options.rng.chance(faults.lossRate))) {
      this.counters.eventsLost++;
      return;
    }
    const delay = faults?.delay ? this.options.rng.sample(faults.delay) : 0;
    const visibleAt = Math.max(now + delay, session.eventWatermark);
    if (visibleAt <= now) {
      this.push(session, event);
      return;
    }
    session.eventWatermark = visibleAt;
    this.clock.setTimer(() => {
      if (session.signedIn) this.push(session, event);
    }, visibleAt - now);
  }

  private push(session: Session, event: MockEvent): void {
    const before = session.queue.overflowed;
    this.counters.eventsQueued++;
    if (session.queue.push(event)) this.counters.eventsDelivered++;
    this.counters.eventsLost += session.queue.overflowed - before;
  }

  private applyEffect(session: Session, eventType: string): void {
    const call = session.call;
    switch (eventType) {
      case EVENT.busy:
        session.state = STATE.talking;
        break;
      case EVENT.talking:
        if (call && call.phase === "setup") call.phase = "talking";
        break;
      case EVENT.callOutFail:
        if (call) {
          this.endCall(call);
          session.call = undefined;
        }
        break;
      case EVENT.ready:
        session.state = STATE.idle;
        break;
      case EVENT.work:
        session.state = STATE.wrapUp;
        break;
      case EVENT.setNotReady:
        session.state = STATE.busy;
        break;
    }
  }

  /** Plays a script: steps with no delay are emitted at once, the rest on the clock, in order. */
  play(session: Session, call: Call | undefined, steps: readonly ScriptStep[], from = 0): void {
    let i = from;
    for (; i < steps.length; i++) {
      const step = steps[i];
      if (!step) break;
      if (step.delayMs > 0) {
        const timerOwner = call;
        const handle = this.clock.setTimer(() => {
          if (timerOwner) timerOwner.timer = undefined;
          if (!session.signedIn || (timerOwner && timerOwner.phase === "ended")) return;
          this.emit(session, step.eventType, step.content, step.silent);
          this.play(session, call, steps, i + 1);
        }, step.delayMs);
        if (call) call.timer = handle;
        return;
      }
      this.emit(session, step.eventType, step.content, step.silent);
    }
  }

  /** Registers a new call as active. */
  startCall(call: Call): void {
    this.activeCalls.add(call);
    this.counters.callsStarted++;
  }

  /** Marks a call ended and stops its script. */
  endCall(call: Call): void {
    call.phase = "ended";
    if (call.timer) this.clock.clearTimer(call.timer);
    call.timer = undefined;
    this.activeCalls.delete(call);
  }

  /** Drops all state and counters. */
  reset(): void {
    for (const session of [...this.sessions.values()]) this.signOut(session);
    this.sessions.clear();
    this.guidOwners.clear();
    this.activeCalls.clear();
    this.callIds.reset();
    this.counters = emptyCounters();
  }

  /** Figures for GET /__mock/stats. */
  stats(): Record<string, unknown> {
    let queued = 0;
    for (const session of this.sessions.values()) queued += session.queue.length;
    return {
      agentsSignedIn: this.sessions.size,
      activeCalls: this.activeCalls.size,
      eventsWaiting: queued,
      ...this.counters,
    };
  }
}

function emptyCounters(): Counters {
  return {
    requests: {},
    callsStarted: 0,
    eventsQueued: 0,
    eventsDelivered: 0,
    eventsLost: 0,
    signOutsByTimeout: 0,
  };
}

export { STATE };
