/**
 * How the suite judges an answer: a valid request must be accepted with a unique call id, an invalid one
 * refused with a code of its situation (contracts/data/retcodes.json), and where the page leaves the code
 * open the code is recorded. Also the request bodies every family builds from the profile.
 */
import {
  EVENT,
  EVENT_FLOWS,
  type EventFlow,
  OPEN_CHOICES,
  type OpenChoice,
  type Situation,
  situation,
} from "../../contracts/index.ts";
import type { CalledNumber, Outcome } from "../../lib/target-profile.ts";
import { checkFlow, type PolledEvent } from "./event-order.ts";
import { NotTested, type Recorder } from "./recorder.ts";
import type { SuiteAgent } from "./suite-agent.ts";
import type { Target } from "./target.ts";
import { envelopeOf, type Reply, retcodeOf } from "./transport.ts";

/** The situation's codes and clause. */
export function codesOf(name: string): { codes: string[]; clause: string } {
  const s: Situation = situation(name);
  return { codes: s.codes, clause: s["x-spec"] };
}

/** Codes that mean "refused for who is asking", not "refused for the value". */
export function sessionCodes(): Set<string> {
  return new Set(["not-signed-in", "guid-wrong", "guid-missing"].flatMap((n) => codesOf(n).codes));
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

/**
 * Places a callout and judges a success: retcode 0 with a call id no other call of the run had (the page: the
 * unique call id). Returns the reply and the call id.
 */
export async function placeCall(
  s: SuiteAgent,
  rec: Recorder,
  body: Record<string, unknown>,
): Promise<{ reply: Reply; code: string; callId: string | undefined }> {
  const reply = await s.call("callout", body);
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
  return { reply, code, callId };
}

/**
 * A call the customer answered, for cases that need the agent talking: drains what is queued, calls the
 * profile's answered number and waits for AgentEvent_Talking. NotTested when the profile or the gateway cannot
 * give one (no answered number, a refused callout, no answer in time).
 */
export async function talkingCall(
  s: SuiteAgent,
  rec: Recorder,
  number: CalledNumber | undefined,
): Promise<string | undefined> {
  if (!number) throw new NotTested("no number with outcome 'answered' in the profile");
  await s.drain();
  const mark = s.events.length;
  const call = await placeCall(s, rec, baseBody(s.target, number.number));
  if (call.code !== "0") throw new NotTested(`the callout was refused (${call.code})`);
  const talking = await s.pollUntil(
    (events) => events.some((e) => e.eventType === EVENT.talking),
    undefined,
    EVENT.talking,
    mark,
  );
  if (talking.timedOut) throw new NotTested("the call was not answered in time");
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
  } else if (sessionCodes().has(code)) {
    rec.add(
      clause,
      "fail",
      `${what} was answered ${code}, a code for the session, not for the value: the value was not checked (expected ${expected.codes.join(" or ")})`,
    );
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

/** Records a flow's findings; an incomplete flow names the call it belongs to. */
export function recordFlow(
  rec: Recorder,
  f: EventFlow,
  events: PolledEvent[],
  callId: string | undefined,
): boolean {
  const result = checkFlow(f, events, callId, true);
  const call = callId ? ` (call id ${callId})` : "";
  for (const finding of result.findings) rec.add(finding.clause, "fail", `${finding.message}${call}`);
  if (result.findings.length === 0) rec.add(f["x-spec"], "pass", events.map((e) => e.eventType).join(" → "));
  return result.complete;
}
