/**
 * The session of one signed-in agent: Guids, CC-Gateway state code, event queue, current and held call, and
 * the time of the last poll (polling is the agent's heartbeat).
 */
import type { Call, ScriptContext } from "./calls.ts";
import { EventQueue } from "./event-queue.ts";
import { GuidBook } from "./guids.ts";

export interface Session {
  agentId: string;
  phone: string;
  signedIn: boolean;
  guids: GuidBook;
  /** CC-Gateway agent state code (contracts/data/agent-states.json). */
  state: number;
  flags: ScriptContext;
  loginTime: number;
  /** Last time a poll started or answered; an open poll also counts as alive. */
  lastPollAt: number;
  /** Number of polls currently waiting. */
  openPolls: number;
  queue: EventQueue;
  /** The call the agent is in (not held). */
  call: Call | undefined;
  /** A call on hold. */
  held: Call | undefined;
  /** Time before which delayed events (a fault) may not become visible, keeping their order. */
  eventWatermark: number;
}

export function newSession(
  agentId: string,
  phone: string,
  flags: ScriptContext,
  now: number,
  maxQueuedEvents: number,
): Session {
  return {
    agentId,
    phone,
    signedIn: true,
    guids: new GuidBook(now),
    state: 0,
    flags,
    loginTime: now,
    lastPollAt: now,
    openPolls: 0,
    queue: new EventQueue(maxQueuedEvents),
    call: undefined,
    held: undefined,
    eventWatermark: now,
  };
}

/** Reads a boolean sign-in flag sent as a boolean or as "true"/"false" (the vendor's examples use strings). */
export function flag(value: unknown, fallback: boolean): boolean {
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  return fallback;
}
