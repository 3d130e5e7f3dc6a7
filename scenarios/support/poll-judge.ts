/**
 * What every answer an agent's session brings must show, judged as it comes: a sign-in hands the Guid over in
 * the header contract's form; every poll conforms to its contract, and its event carries the polling agent's
 * workNo and an eventGenTime in milliseconds on the run's clock; where the pages leave it open, the poll's
 * shape is recorded (an empty poll's answer, which polls hand the Guid over, null content left out).
 */
import { appliedClauses, OPERATIONS, openChoice, type SchemaName } from "../../contracts/index.ts";
import {
  type PollAnswer,
  type PolledEvent,
  STALL_EXPLAINS_MS,
  setGuidHeader,
  stallWithin,
} from "../../lib/gateway/index.ts";
import { type Recorder, validateReply } from "./recorder.ts";
import type { Target } from "./target.ts";
import { envelopeOf, type Reply } from "./transport.ts";

/** How far the gateway's clock may be from ours before an eventGenTime is outside the run's window. */
const CLOCK_SKEW_MS = 60 * 60_000;

/** A successful sign-in must hand the Guid over in the header contract's form (value never shown). */
export function checkSetGuid(target: Target, rec: Recorder | undefined, reply: Reply): void {
  if (!rec) return;
  const value = setGuidHeader(reply.headers);
  const schema: SchemaName = "onlineagent/set-guid.header";
  const violations = target.contracts.validate(schema, value);
  for (const v of violations) rec.add(v.clause, v.open ? "open-recorded" : "fail", v.message);
  if (violations.length > 0) return;
  for (const { clause } of appliedClauses(target.contracts, schema, value)) {
    rec.credit(clause, "sign-in handed over a Guid in the documented form");
  }
}

/**
 * One poll of an agent's session keeper: validated against its contract (evidence kept when it carries an event
 * or a failure), and what the pages leave open recorded: the empty poll's shape, which polls hand the Guid over.
 */
/** How a lost session that this process's own stall explains is marked (Target.sessionsLost). */
export const STALLED = "(this process stalled meanwhile)";

/** This process stalled long enough, since the poll that handed its Guid over, to explain a refusal. */
export function stalledAround(answer: PollAnswer<Reply>): boolean {
  return stallWithin(answer.guidHandedAt ?? answer.sentAt, answer.answeredAt) >= STALL_EXPLAINS_MS;
}

export function judgePoll(
  target: Target,
  rec: Recorder | undefined,
  agentId: string,
  answer: PollAnswer<Reply>,
): void {
  if (!rec) return;
  const { reply } = answer;
  validateReply(target, rec, OPERATIONS.getAgentEvent.response, reply, true, answer.kind !== "empty");
  // A poll refused for the very Guid an earlier poll handed over: the gateway does not honour its rotation.
  // Unless this process stalled meanwhile: the Guid may have aged past its validity by the gateway's clock.
  if (answer.kind === "lost" && answer.rotatedGuid && !stalledAround(answer))
    rec.add(
      "auth/dynamic/rotation",
      "fail",
      `a poll with the Guid the gateway handed over in Set-GUID was refused with ${answer.code}`,
    );
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
  if (answer.event) judgeEvent(target, rec, agentId, answer.event);
}

/** What every event must show: the polling agent's workNo; null content may also be left out (open). */
function judgeEvent(target: Target, rec: Recorder, agentId: string, event: PolledEvent): void {
  if (event.workNo === agentId)
    rec.credit("getAgentEvent/response/event/workNo", `events carry agent ${agentId}'s workNo`);
  else
    rec.add(
      "getAgentEvent/response/event/workNo",
      "fail",
      `${event.eventType} polled by agent ${agentId} carries workNo ${JSON.stringify(event.workNo)}`,
    );
  judgeGenTime(target, rec, event);
  const content = target.contracts.schemas[`events/${event.eventType}` as SchemaName]?.properties as
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
 * eventGenTime, where the edition carries it, is milliseconds since the epoch on the gateway's clock: within the
 * run's window on ours, give or take CLOCK_SKEW_MS (a value in seconds is decades off).
 */
function judgeGenTime(target: Target, rec: Recorder, event: PolledEvent): void {
  const gen = event.eventGenTime;
  if (gen === undefined) return;
  const from = target.startedAt - CLOCK_SKEW_MS;
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

function choiceOption(id: string, index: number): string {
  return openChoice(id).options[index] ?? String(index);
}
