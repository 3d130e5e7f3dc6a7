/**
 * The polling route: answers at once when an event is queued, otherwise holds the request for pollWaitMs and
 * answers retcode 0 with event null. Each poll is the agent's heartbeat; under dynamic authentication a poll
 * made a rotation interval after the Guid was issued carries a new one in Set-GUID, or, when the gateway's clock
 * rotates the Guid, a poll that presented an older Guid than the current one.
 */
import type { Answer, Handler, Runtime } from "../runtime.ts";
import type { MockEvent } from "../state/event-queue.ts";
import { newGuid } from "../state/guids.ts";
import type { Session } from "../state/sessions.ts";
import { authenticate, guidHeader, rotatesOnClock } from "./auth.ts";

/**
 * The poll's answer. Open choices: an empty poll without the event field (empty-poll-shape), an event whose
 * content is null without the content field (null-content-omitted). Defects: another workNo
 * (event-workno-wrong), eventGenTime in seconds (event-gen-time-seconds).
 */
function answer(
  rt: Runtime,
  event: MockEvent | null,
  setGuid: () => Record<string, string> | undefined,
): Answer {
  const headers = setGuid();
  let shown: MockEvent | null = event;
  if (shown && shown.content === null && rt.choices.alternate("null-content-omitted")) {
    const { content: _null, ...rest } = shown;
    shown = rest as MockEvent;
  }
  if (shown && rt.defects.has("event-workno-wrong")) shown = { ...shown, workNo: `${shown.workNo}1` };
  if (shown?.eventGenTime !== undefined && rt.defects.has("event-gen-time-seconds"))
    shown = { ...shown, eventGenTime: Math.floor(shown.eventGenTime / 1000) };
  const body =
    shown === null && rt.choices.alternate("empty-poll-shape")
      ? { message: "", retcode: "0" }
      : { message: "", retcode: "0", event: shown };
  return headers ? { body, headers } : { body };
}

/**
 * The Set-GUID of a poll's answer, if any. On-poll rotation: the first poll guidRotationMs after the Guid was
 * issued makes a new one. Clock rotation: the Guid current now, when the poll presented another. Open choice
 * set-guid-on-polls: every poll repeats the current Guid. Defect dynamic-guid-not-honoured (on-poll rotation):
 * announces a new Guid but keeps accepting only the old one.
 */
function guidHandOver(
  rt: Runtime,
  session: Session,
  presented: string | undefined,
  now: number,
): Record<string, string> | undefined {
  const { options, store } = rt;
  let value: string | undefined;
  if (rotatesOnClock(rt)) {
    store.rotateOnClock(session, options.guidRotationMs);
    if (presented !== session.guids.current.value) value = session.guids.current.value;
  } else if (
    options.authMode === "dynamic" &&
    now - session.guids.current.issuedAt >= options.guidRotationMs
  ) {
    if (rt.defects.has("dynamic-guid-not-honoured")) {
      session.guids.current.issuedAt = now;
      value = newGuid();
    } else value = store.rotateGuid(session);
  }
  if (value === undefined && rt.choices.alternate("set-guid-on-polls")) value = session.guids.current.value;
  return value === undefined ? undefined : { "set-guid": `JSESSIONID=${value}` };
}

const getAgentEvent: Handler = (rt, request, agentId, reply) => {
  const auth = authenticate(rt, request, agentId);
  if ("answer" in auth) return auth.answer;
  const { session } = auth;
  const { store, clock } = rt;
  const now = clock.now();
  session.lastPollAt = now;

  const presented = guidHeader(request);
  // On-poll rotation decides the Set-GUID when the poll arrives; clock rotation when it answers.
  const fixed = rotatesOnClock(rt) ? undefined : guidHandOver(rt, session, presented, now);
  const headers = rotatesOnClock(rt) ? () => guidHandOver(rt, session, presented, clock.now()) : () => fixed;

  const queued = session.queue.shift();
  if (queued) {
    store.counters.eventsDelivered++;
    return answer(rt, queued, headers);
  }
  if (rt.options.pollWaitMs === 0) return answer(rt, null, headers);
  // Defect poll-holds-events: an event that arrives during the wait is answered only when the wait ends.
  const holds = rt.defects.has("poll-holds-events");

  return new Promise<Answer>((resolve) => {
    let done = false;
    session.openPolls++;
    const finish = (event: MockEvent | null): boolean => {
      if (done) return false;
      done = true;
      session.openPolls--;
      session.lastPollAt = clock.now();
      clock.clearTimer(timer);
      reply.raw.off("close", onClose);
      resolve(answer(rt, event, headers));
      return true;
    };
    const waiter = (event: MockEvent | null): boolean => {
      // The client went away: refuse the event so it stays queued for the next poll.
      if (event && (request.raw.destroyed || reply.raw.destroyed)) {
        finish(null);
        return false;
      }
      return finish(event);
    };
    const timer = clock.setTimer(() => {
      session.queue.cancel(waiter);
      const late = holds ? (session.queue.shift() ?? null) : null;
      if (late) store.counters.eventsDelivered++;
      finish(late);
    }, rt.options.pollWaitMs);
    const onClose = (): void => {
      session.queue.cancel(waiter);
      finish(null);
    };
    reply.raw.once("close", onClose);
    if (!holds) session.queue.wait(waiter);
  });
};

export const agenteventHandlers = { getAgentEvent } satisfies Record<string, Handler>;
