/**
 * Between cases: an agent brought back to a state where it can call out (any call released, held ones too, and
 * its Ready read), and a call a case left unfollowed read to its last event, so its late events never reach the
 * next case's log. Neither records a finding.
 */
import { agentStateCode, calloutFailureEvents, releaseEndEvents } from "../../contracts/index.ts";
import type { SuiteAgent } from "./suite-agent.ts";
import { envelopeOf, retcodeOf } from "./transport.ts";

/** The events that end the release flow (AgentState_Ready, or AgentState_Work). */
const READY = releaseEndEvents();

/** Runs `work` with the agent's recorder put aside: nothing it sends is a finding. */
async function unrecorded<T>(s: SuiteAgent, work: () => Promise<T>): Promise<T> {
  const recorder = s.recorder;
  s.recorder = undefined;
  try {
    return await work();
  } finally {
    s.recorder = recorder;
  }
}

/**
 * Reads a call that was not followed to its end (after settle released it) until its last event: a failure
 * event, or Ready after the release, by the call's setup deadline; then until nothing more is queued.
 */
export async function finishLeftCall(s: SuiteAgent): Promise<void> {
  const call = s.callInFlight;
  if (!call) return;
  await unrecorded(s, async () => {
    const ends = new Set([...calloutFailureEvents(), ...READY]);
    await s.until((events) => events.some((e) => ends.has(e.eventType)), {
      within: "setup",
      what: "the end of a call the case left",
      from: call.mark,
      since: call.at,
    });
    if (await s.quiet()) s.callInFlight = undefined;
  });
}

/**
 * Releases any call (held ones too) and waits, poll by poll, until the agent's state is no longer talking.
 * False when the state cannot be read (the session is gone: the caller recovers it) or never leaves talking.
 */
export async function settleAgent(s: SuiteAgent): Promise<boolean> {
  s.waiting = `the end of agent ${s.id}'s call`;
  try {
    return await unrecorded(s, async () => {
      const talking = agentStateCode("talking");
      const deadline = Date.now() + s.target.deadlines.setupMs;
      for (let i = 0; i < 3; i++) {
        const mark = s.events.length;
        if (retcodeOf(await s.callOnce("release", undefined, {})) !== "0") break;
        // A released call's events follow it (Ready last): read them here, not in the next case's log.
        await s.until((events) => events.some((e) => READY.includes(e.eventType)), {
          within: "prompt",
          what: "AgentState_Ready after the release",
          from: mark,
        });
      }
      while (Date.now() < deadline && !s.stop?.aborted && s.session.state === "in") {
        const reply = await s.callOnce("getAgentStatus", undefined, {});
        const state = (envelopeOf(reply)?.body.result as { agentState?: unknown } | undefined)?.agentState;
        if (typeof state !== "number") return false;
        if (state !== talking) return true;
        await s.callOnce("release", undefined, {});
        // Waiting for the state to change is waiting for the next event: the poll answers as soon as one comes.
        await s.session.nextPoll(s.target.deadlines.requestMs);
      }
      return false;
    });
  } finally {
    s.waiting = undefined;
  }
}
