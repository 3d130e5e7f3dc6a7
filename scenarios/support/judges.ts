/**
 * How the suite judges an answer: a valid request must be accepted with a unique call id, an invalid one
 * refused with a code of its situation (contracts/data/retcodes.json), and where the page leaves the code
 * open the code is recorded. Also the request bodies every family builds from the profile.
 */
import {
  EVENT_FLOWS,
  type EventFlow,
  OPEN_CHOICES,
  type OpenChoice,
  type Situation,
  situation,
} from "../../contracts/index.ts";
import type { WaitResult } from "../../lib/gateway/index.ts";
import type { CalledNumber, Outcome } from "../../lib/target-profile.ts";
import { checkFlow, type PolledEvent, stepNames } from "./event-order.ts";
import { NEED } from "./profile-needs.ts";
import { NotTested, type Recorder } from "./recorder.ts";
import { aboutSession, type SuiteAgent } from "./suite-agent.ts";
import type { Target } from "./target.ts";
import { envelopeOf, type Reply, retcodeOf } from "./transport.ts";

/** The situation's codes and clause. */
export function codesOf(name: string): { codes: string[]; clause: string } {
  const s: Situation = situation(name);
  return { codes: s.codes, clause: s["x-spec"] };
}

/** A number of the profile (with the outcome asked for, when given). */
export function numberFor(target: Target, outcome?: Outcome): CalledNumber | undefined {
  if (outcome) return target.called.find((c) => c.outcome === outcome);
  return target.called[0];
}

/** A number whose calls end without talking: the one boundary cases dial (no call is answered). */
export function quietNumber(target: Target): CalledNumber | undefined {
  return numberFor(target, "not-answered") ?? numberFor(target, "busy") ?? numberFor(target);
}

/** A valid callout body around a number of the profile (with the profile's caller and skill when set). */
export function baseBody(target: Target, number: string): Record<string, unknown> {
  return {
    called: number,
    ...(target.profile.caller !== undefined ? { caller: target.profile.caller } : {}),
    ...(target.profile.skillId !== undefined ? { skillid: target.profile.skillId } : {}),
  };
}

export function callIdOf(reply: Reply): string | undefined {
  const result = envelopeOf(reply)?.body.result;
  return typeof result === "string" ? result : undefined;
}

/** A callout the suite placed: its answer, and where in the agent's log and when its events begin. */
export interface PlacedCall {
  reply: Reply;
  code: string;
  callId: string | undefined;
  /** Index in the agent's log from which the call's events come. */
  mark: number;
  /** When the callout was sent (its events' deadlines count from here). */
  sentAt: number;
}

/**
 * Places a callout and judges a success: retcode 0 with a call id no other call of the run had (the page: the
 * unique call id).
 */
export async function placeCall(
  s: SuiteAgent,
  rec: Recorder,
  body: Record<string, unknown>,
): Promise<PlacedCall> {
  const reply = await s.call("callout", body);
  // Where the call's events begin: the send that was answered (a session re-established before it signs in).
  const { mark, at: sentAt } = s.lastSend;
  const code = retcodeOf(reply);
  const callId = code === "0" ? callIdOf(reply) : undefined;
  if (callId !== undefined) {
    const earlier = s.target.callIds.get(callId);
    rec.check(
      "callout/response/result",
      earlier === undefined,
      earlier === undefined
        ? "the call id is new in this run"
        : `call id ${callId} was already returned to ${earlier}`,
    );
    if (earlier === undefined) s.target.callIds.set(callId, `agent ${s.id}`);
  }
  return { reply, code, callId, mark, sentAt };
}

/** The documented flows a call to this number may follow: its outcome's, or any of the callout flows. */
export function flowsFor(number: CalledNumber | undefined): EventFlow[] {
  const outcome = number?.outcome;
  if (outcome) return [flow(FLOW_OF[outcome])];
  return [flow("callout-answered"), flow("callout-not-answered"), flow("callout-agent-no-answer")];
}

const FLOW_OF: Record<Outcome, string> = {
  answered: "callout-answered",
  "not-answered": "callout-not-answered",
  busy: "callout-not-answered",
  "agent-no-answer": "callout-agent-no-answer",
};

/** Every outcome a number of the profile may pin. */
export const OUTCOMES = Object.keys(FLOW_OF) as Outcome[];

/** A call followed through its flow. */
export interface FollowedCall {
  flow: EventFlow;
  /** The call's events (from the callout on). */
  events: PolledEvent[];
  /** The flow's terminal event came in time (the flow itself may still have failed). */
  complete: boolean;
  answered: boolean;
}

/**
 * Follows a placed call through its documented flow, by the flow's deadlines: from the callout to the flow's
 * terminal event (the setup deadline), then, for the optional steps that may follow it (Connect_Fail, Ready),
 * a prompt deadline from there. Records the flow: every event in order with the callout's call id; an event
 * missing at its deadline fails its flow, its own clause and the delivery clause, naming the call id and what
 * did arrive.
 */
export async function followCall(
  s: SuiteAgent,
  rec: Recorder,
  call: PlacedCall,
  flows: EventFlow[],
): Promise<FollowedCall> {
  const first = flows[0] as EventFlow;
  const setup = await s.until((evs) => flows.some((f) => checkFlow(f, evs, undefined, false).complete), {
    within: first.deadline,
    what: `the end of call ${call.callId ?? "(no call id)"}'s setup`,
    from: call.mark,
    since: call.sentAt,
  });
  // The flow the events completed; of two that both end in the same event, the one they follow without fault.
  const completed = flows.filter((f) => checkFlow(f, setup.events, undefined, false).complete);
  const chosen =
    completed.find((f) => checkFlow(f, setup.events, call.callId, false).findings.length === 0) ??
    completed[0] ??
    first;
  let events = setup.events;
  let wait = setup;
  if (setup.end === "complete") {
    const terminal = chosen.steps.findIndex((step) => step.terminal);
    const last = chosen.steps.slice(terminal + 1).at(-1);
    if (last) {
      const tail = stepNames(last);
      wait = await s.until((evs) => evs.some((e) => tail.includes(e.eventType)), {
        within: "prompt",
        what: `what follows the end of call ${call.callId ?? "(no call id)"}'s setup`,
        from: call.mark,
      });
      events = wait.events;
    }
  }
  const complete = recordFlow(rec, chosen, events, call.callId, setup.end === "complete" ? undefined : setup);
  const answered = chosen["x-spec"] === "flows/callout-answered";
  // A call that ended by itself with every event read leaves nothing on its way; an answered one stays live.
  if (complete && wait.end === "complete" && !answered) s.callInFlight = undefined;
  return { flow: chosen, events, complete, answered };
}

/**
 * Releases the agent's call and follows the release flow (a prompt deadline): the release events with the
 * call's id, then Ready (or Work). Returns false when release was refused or the flow did not complete.
 */
export async function releaseCall(
  s: SuiteAgent,
  rec: Recorder,
  callId: string | undefined,
): Promise<boolean> {
  const release = await s.call("release");
  const { mark, at: sentAt } = s.lastSend;
  if (!rec.check("release/response", retcodeOf(release) === "0", `release answered ${retcodeOf(release)}`))
    return false;
  const releaseFlow = flow("release");
  const after = await s.until((evs) => checkFlow(releaseFlow, evs, undefined, false).complete, {
    within: releaseFlow.deadline,
    what: "the release flow",
    from: mark,
    since: sentAt,
  });
  const complete = recordFlow(
    rec,
    releaseFlow,
    after.events,
    callId,
    after.end === "complete" ? undefined : after,
  );
  if (complete) s.callInFlight = undefined;
  return complete;
}

/**
 * A call the customer answered, for cases that need the agent talking: calls the profile's answered number and
 * follows the call to AgentEvent_Talking (its flow recorded). NotTested when the profile or the gateway cannot
 * give one (no answered number, a refused callout, a flow that did not end in Talking).
 */
export async function talkingCall(
  s: SuiteAgent,
  rec: Recorder,
  number: CalledNumber | undefined,
): Promise<string | undefined> {
  if (!number)
    throw new NotTested("no number with outcome 'answered' in the profile", NEED.outcome("answered"));
  const call = await placeCall(s, rec, baseBody(s.target, number.number));
  if (call.code !== "0") throw new NotTested(`the callout was refused (${call.code})`);
  const followed = await followCall(s, rec, call, [flow("callout-answered")]);
  if (!followed.complete) throw new NotTested("the call did not reach AgentEvent_Talking");
  return call.callId;
}

/** Judges the answer to a valid callout: retcode 0 and a call id. */
export function judgeValid(rec: Recorder, clause: string, what: string, reply: Reply, code: string): void {
  if (code !== "0") {
    rec.add(clause, "fail", `${what} is valid but was refused with ${code}`);
    return;
  }
  rec.add(clause, "pass", `${what} was accepted`);
  const id = callIdOf(reply);
  rec.check(
    "callout/response/result",
    id !== undefined && id.length > 0,
    id ? "success carries a call id" : "success without a call id in result",
  );
}

/** The open choice that selects between the codes of an invalid value of this field, if the pages leave one. */
function codeChoice(field: string): OpenChoice | undefined {
  return Object.values(OPEN_CHOICES).find((c) => c.field === field && c.situation !== undefined);
}

/** Judges the answer to a request the contract calls invalid (refused with the field's documented codes). */
export function judgeInvalid(rec: Recorder, clause: string, what: string, code: string, field = ""): void {
  const choice = codeChoice(field);
  const expected = codesOf(choice?.situation ?? "invalid-parameter");
  if (code === "0") {
    rec.add(
      clause,
      "fail",
      `${what} was accepted (retcode 0, a call was placed); the page does not allow it`,
    );
  } else if (expected.codes.includes(code)) {
    rec.add(clause, "pass", `${what} was refused with ${code}`);
    rec.add(expected.clause, "pass", `invalid parameter answered ${code}`);
    if (choice) rec.choice(choice.id, code, what);
  } else {
    rec.add(clause, "pass", `${what} was refused (${code})`);
    rec.add(
      expected.clause,
      "fail",
      `invalid parameter answered ${code}; the page documents ${expected.codes.join(" or ")}`,
    );
  }
}

/** Judges an answer where the page allows any code of a situation (and refusal is required). */
export function judgeSituation(rec: Recorder, name: string, what: string, code: string): boolean {
  const s = codesOf(name);
  if (code === "0") {
    rec.add(s.clause, "fail", `${what} was accepted (retcode 0); expected a refusal (${s.codes.join(", ")})`);
    return false;
  }
  rec.observed = `${what}: answered ${code}`;
  const ok = s.codes.includes(code);
  rec.add(
    s.clause,
    ok ? "pass" : "fail",
    ok ? `${what} refused with ${code}` : `${what} refused with ${code}, not one of ${s.codes.join(", ")}`,
  );
  return ok;
}

/**
 * Judges a sign-out the case asked for (lib/gateway's sweep): signed out passes; an answer about the session (the
 * sweep's Guid refused, a takeover refused as signed in elsewhere) says nothing of the sign-out: not tested.
 */
export function judgeLogout(rec: Recorder, s: SuiteAgent, reply: Reply | undefined): void {
  const code = reply ? retcodeOf(reply) : "no answer";
  if (s.signedIn === false) {
    rec.add("logout/response", "pass", `sign-out answered ${code}`);
    return;
  }
  if (!reply || aboutSession(code) || situation("already-signed-in").codes.includes(code)) {
    throw new NotTested(
      `the sign-out could not be judged: it ended with ${code}, an answer about the session`,
    );
  }
  rec.add("logout/response", "fail", `sign-out answered ${code}`);
}

/** Judges a request of an agent without a session: refused with a code of a missing or wrong session. */
export function judgeSignedOut(rec: Recorder, code: string, what: string): void {
  const codes = new Set([...codesOf("not-signed-in").codes, ...codesOf("guid-wrong").codes]);
  const clause = codesOf("not-signed-in").clause;
  if (code === "0") {
    rec.add(
      clause,
      "fail",
      `${what} was accepted (retcode 0): a call was placed for an agent without a session`,
    );
    return;
  }
  rec.observed = `${what}: answered ${code}`;
  rec.check(clause, codes.has(code), `${what} answered ${code}`);
}

/** A documented flow of the contracts by name. */
export function flow(name: string): EventFlow {
  const found = EVENT_FLOWS[name];
  if (!found) throw new Error(`no flow ${name} in contracts/data/event-flows.json`);
  return found;
}

/**
 * Records a flow's findings: out of order, another call's id, an incomplete flow. A required step that never
 * came fails its own clause and getAgentEvent/delivery as well, naming the call and what did arrive. Only a wait
 * that ended by the gateway's answer (`wait.end` "missing": a poll sent after the deadline came back empty) can
 * make an event missing; one that ended otherwise (the session lost, the run stopped, no empty answer within the
 * grace) judges only the events that did arrive, then throws NotTested.
 */
export function recordFlow(
  rec: Recorder,
  f: EventFlow,
  events: PolledEvent[],
  callId: string | undefined,
  wait?: WaitResult,
): boolean {
  const conclusive = wait === undefined || wait.end === "complete" || wait.end === "missing";
  const result = checkFlow(f, events, callId, conclusive);
  const call = callId ? ` (call id ${callId})` : "";
  const why = wait && wait.end !== "complete" ? `; ${wait.reason}` : "";
  for (const finding of result.findings) rec.add(finding.clause, "fail", `${finding.message}${call}${why}`);
  const seen = events.map((e) => e.eventType).join(", ") || "no events";
  for (const step of result.missing) {
    const message = `${step.event} of "${f.title}" never arrived${call}; arrived: ${seen}${why}`;
    rec.add(step["x-spec"], "fail", message);
    rec.add(DELIVERY, "fail", message);
  }
  if (!conclusive) {
    throw new NotTested(`the events of "${f.title}"${call} could not be awaited to the end${why}`);
  }
  if (result.findings.length === 0) {
    rec.add(f["x-spec"], "pass", events.map((e) => e.eventType).join(" → "));
    rec.credit(DELIVERY, `the events of "${f.title}" arrived in time`);
  }
  return result.complete;
}

/** The clause every lost event fails besides its own. */
const DELIVERY = "getAgentEvent/delivery";
