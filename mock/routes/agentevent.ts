/**
 * The polling route: answers at once when an event is queued, otherwise holds the request for pollWaitMs and
 * answers retcode 0 with event null. Each poll is the agent's heartbeat; under dynamic authentication a poll
 * made a rotation interval after the Guid was issued carries a new one in Set-GUID.
 */
import type { Answer, Handler, Runtime } from "../runtime.ts";
import type { MockEvent } from "../state/event-queue.ts";
import { newGuid } from "../state/guids.ts";
import { authenticate } from "./auth.ts";

/**
 * The poll's answer. Open choices: an empty poll without the event field (empty-poll-shape), an event whose
 * content is null without the content field (null-content-omitted). Defect event-workno-wrong: another workNo.
 */
function answer(rt: Runtime, event: MockEvent | null, headers: Record<string, string> | undefined): Answer {
  let shown: MockEvent | null = event;
  if (shown && shown.content === null && rt.choices.alternate("null-content-omitted")) {
    const { content: _null, ...rest } = shown;
    shown = rest as MockEvent;
  }
  if (shown && rt.defects.has("event-workno-wrong")) shown = { ...shown, workNo: `${shown.workNo}1` };
  const body =
    shown === null && rt.choices.alternate("empty-poll-shape")
      ? { message: "", retcode: "0" }
      : { message: "", retcode: "0", event: shown };
  return headers ? { body, headers } : { body };
}

const getAgentEvent: Handler = (rt, request, agentId, reply) => {
  const auth = authenticate(rt, request, agentId);
  if ("answer" in auth) return auth.answer;
  const { session } = auth;
  const { store, clock } = rt;
  const now = clock.now();
  session.lastPollAt = now;

  let headers: Record<string, string> | undefined;
  if (
    rt.options.authMode === "dynamic" &&
    now - session.guids.current.issuedAt >= rt.options.guidRotationMs
  ) {
    // Defect dynamic-guid-not-honoured: announce a new Guid but keep accepting only the old one.
    const guid = rt.defects.has("dynamic-guid-not-honoured") ? newGuid() : store.rotateGuid(session);
    if (rt.defects.has("dynamic-guid-not-honoured")) session.guids.current.issuedAt = now;
    headers = { "set-guid": `JSESSIONID=${guid}` };
  } else if (rt.choices.alternate("set-guid-on-polls")) {
    headers = { "set-guid": `JSESSIONID=${session.guids.current.value}` };
  }

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
