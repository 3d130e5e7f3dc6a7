/**
 * What the profile needs for a clause no case aims at, when only some calls reach it: the steps of a callout's
 * flow need a number pinned to an outcome that leads to that flow, and the release and hold flows (with the
 * results of those operations) need an answered call. Read from the flow catalog (contracts/data/event-flows.json), so a
 * clause moved between flows moves here too. A clause some other flow reaches (sign-in's Ready) needs nothing.
 */
import { EVENT_FLOWS, type EventFlow } from "../../contracts/index.ts";
import type { ProfileNeed } from "../../lib/report/conformance.ts";
import type { Outcome } from "../../lib/target-profile.ts";
import { flowsFor, OUTCOMES } from "./judges.ts";
import { NEED } from "./profile-needs.ts";
import type { Target } from "./target.ts";

/** Operations on an answered call: their flows and their answers are reached only through one. */
const ANSWERED_CALL_OPERATIONS = ["release", "hold"];

const clausesOf = (flow: EventFlow | undefined): string[] =>
  flow ? [flow["x-spec"], ...flow.steps.map((s) => s["x-spec"])] : [];

/** The outcomes whose calls reach a clause; undefined when any run reaches it, or no call does. */
function outcomesReaching(clause: string): Outcome[] | undefined {
  const callFlows = OUTCOMES.map((outcome) => ({ outcome, flow: flowsFor({ number: "", outcome })[0] }));
  const answeredCall = ANSWERED_CALL_OPERATIONS.map((op) => EVENT_FLOWS[op]);
  const tied = new Set([...callFlows.map((c) => c.flow), ...answeredCall]);
  // Reached by a flow tied to no outcome (a sign-in): no call is needed.
  if (Object.values(EVENT_FLOWS).some((f) => !tied.has(f) && clausesOf(f).includes(clause))) return undefined;
  const reaching = callFlows.filter((c) => clausesOf(c.flow).includes(clause)).map((c) => c.outcome);
  const ofAnsweredCall =
    answeredCall.some((f) => clausesOf(f).includes(clause)) ||
    ANSWERED_CALL_OPERATIONS.some((op) => clause === `${op}/response/result`);
  if (ofAnsweredCall && !reaching.includes("answered")) reaching.unshift("answered");
  return reaching.length > 0 ? reaching : undefined;
}

/**
 * What the profile lacks for a clause only calls of some outcomes reach: undefined when it needs no call, or the
 * profile pins a number to one of those outcomes.
 */
export function clauseNeed(
  target: Target,
  clause: string,
): { need: ProfileNeed; reason: string } | undefined {
  const outcomes = outcomesReaching(clause);
  if (!outcomes || outcomes.some((o) => target.called.some((n) => n.outcome === o))) return undefined;
  const [first] = outcomes as [Outcome];
  return {
    need: NEED.outcome(first),
    reason: `only a call whose number is pinned to outcome ${outcomes.map((o) => `'${o}'`).join(" or ")} reaches it`,
  };
}
