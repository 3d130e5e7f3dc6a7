/**
 * Polling: how long an empty poll is held (measured and recorded) and what it answers, and that a waiting
 * poll answers as soon as an event comes, not when its wait ends.
 */
import { type Check, defineCase } from "../support/cases.ts";
import { baseBody, quietNumber } from "../support/judges.ts";
import { NotTested } from "../support/recorder.ts";
import type { SuiteAgent } from "../support/suite-agent.ts";
import type { Target } from "../support/target.ts";
import { retcodeOf } from "../support/transport.ts";

const FAMILY = "polling";
// Below this hold time an event answered at once and one answered when the wait ends cannot be told apart.
const SHORTEST_HOLD_MS = 100;

/** One empty poll after draining: its retcode, whether it had an event, and how long it was held. */
async function emptyPoll(
  s: SuiteAgent,
): Promise<{ code: string; event: boolean; ms: number; error?: string }> {
  await s.drain();
  const started = Date.now();
  const before = s.events.length;
  await s.poll();
  const ms = Date.now() - started;
  return { code: s.refused ? "refused" : "0", event: s.events.length > before, ms };
}

export function pollingCases(target: Target): Check[] {
  const number = quietNumber(target);
  const checks: Check[] = [
    defineCase(
      FAMILY,
      {
        id: "poll-empty",
        title:
          "a poll with nothing queued comes back, with no event, before the request deadline; its hold time is recorded",
        clause: "getAgentEvent/long-poll",
      },
      async ({ ctx, rec, agents: [s] }) => {
        if (!s) return;
        await s.drain();
        const started = Date.now();
        const reply = await s.call("getAgentEvent");
        const ms = Date.now() - started;
        if (reply.error) {
          // The wait is the gateway's (about 10 s on the page); a deadline shorter than it says nothing.
          rec.add(
            "getAgentEvent/long-poll",
            "open-recorded",
            `an empty poll did not answer within the request deadline of ${ctx.target.deadlines.requestMs} ms`,
          );
          return;
        }
        const code = retcodeOf(reply);
        const event = (reply.json as { event?: unknown } | undefined)?.event;
        rec.observed = `empty poll answered ${code} after ${ms} ms`;
        rec.choice("empty-poll-hold", "held", `${ms} ms`);
        rec.check(
          "getAgentEvent/long-poll",
          code === "0" && (event === null || event === undefined),
          `an empty poll answered ${code} with ${event === undefined ? "no event field" : event === null ? "a null event" : "an event"} after ${ms} ms`,
        );
      },
    ),
  ];
  if (!number) return checks;
  checks.push(
    defineCase(
      FAMILY,
      {
        id: "poll-answers-on-event",
        title: "a waiting poll answers as soon as an event comes, not when its wait ends",
        clause: "getAgentEvent/long-poll",
      },
      async ({ ctx, rec, agents: [s] }) => {
        if (!s) return;
        const hold = await emptyPoll(s);
        if (hold.event || hold.code !== "0") throw new NotTested("an event came during the measuring poll");
        if (hold.ms < SHORTEST_HOLD_MS) {
          throw new NotTested(
            `the gateway holds an empty poll ${hold.ms} ms: too short to tell a held event from a prompt one`,
          );
        }
        const started = Date.now();
        const waiting = s.poll();
        // A bounded pause (a quarter of the measured hold), so the poll is waiting at the gateway when the
        // call's first event is made; not a readiness guess: the result is judged against the hold itself.
        await new Promise((resolve) => setTimeout(resolve, hold.ms / 4));
        const sentAt = Date.now() - started;
        await s.call("callout", baseBody(ctx.target, number.number));
        const event = await waiting;
        const answeredAt = Date.now() - started;
        if (!event) throw new NotTested(`the poll ended without an event after ${answeredAt} ms`);
        rec.observed = `hold ${hold.ms} ms; callout at ${sentAt} ms; poll answered ${event.eventType} at ${answeredAt} ms`;
        rec.check(
          "getAgentEvent/long-poll",
          answeredAt < hold.ms * 0.9,
          `a poll waiting since 0 ms answered ${event.eventType} at ${answeredAt} ms; the callout was sent at ${sentAt} ms and an empty poll is held ${hold.ms} ms`,
        );
      },
    ),
  );
  return checks;
}
