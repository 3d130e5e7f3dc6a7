/**
 * Polling: how long an empty poll is held (measured and recorded) and what it answers, and that a waiting
 * poll answers as soon as an event comes, not when its wait ends. Both read the polls the agent's session
 * keeper makes: a case never opens a second poll beside it.
 */
import { type PollAnswer, stallWithin } from "../../lib/gateway/index.ts";
import { type Check, defineCase } from "../support/cases.ts";
import { baseBody, flowsFor, followCall, placeCall, quietNumber } from "../support/judges.ts";
import { NotTested } from "../support/recorder.ts";
import type { SuiteAgent } from "../support/suite-agent.ts";
import type { Target } from "../support/target.ts";
import type { Reply } from "../support/transport.ts";

const FAMILY = "polling";
// Below this hold time an event answered at once and one answered when the wait ends cannot be told apart.
const SHORTEST_HOLD_MS = 100;
// Tries of the prompt-answer measurement before the case gives up (each callout slower than most of the hold):
// enough that a loaded machine (the self-test runs many suites at once beside the load tests) gets a quick one.
const TRIES = 6;
// Empty polls whose hold is measured: the shortest is the hold (a stall of this process only lengthens one).
const HOLDS = 3;

/** The answer to the poll the keeper sent at `sentAt` (or the first sent after `after`), within graceMs. */
async function answerOf(
  s: SuiteAgent,
  match: (answer: PollAnswer<Reply>) => boolean,
  graceMs: number,
): Promise<PollAnswer<Reply> | undefined> {
  const until = Date.now() + graceMs;
  while (Date.now() < until) {
    const answer = await s.session.nextPoll(Math.max(1, until - Date.now()));
    if (!answer) return undefined;
    if (match(answer)) return answer;
  }
  return undefined;
}

/**
 * The next poll that comes back without an event (empty, or a failure a waiting poll must not give): how long the
 * gateway held it and what it answered. A lost session is no answer about polling: not tested.
 */
async function emptyPoll(s: SuiteAgent): Promise<PollAnswer<Reply> | undefined> {
  const answer = await answerOf(s, (a) => a.kind !== "event", 3 * s.target.deadlines.requestMs);
  if (answer?.kind === "lost")
    throw new NotTested(`the agent's session was lost: a poll answered ${answer.code}`);
  return answer;
}

/** One try: a poll freshly sent, a callout a quarter of the hold later, and when that poll answered. */
async function promptAnswer(
  s: SuiteAgent,
  rec: Parameters<typeof placeCall>[1],
  body: Record<string, unknown>,
  holdMs: number,
): Promise<{ verdict?: boolean; observed: string }> {
  const grace = s.target.deadlines.requestMs;
  const sentAt = await s.session.nextPollSent(grace);
  if (sentAt === undefined) throw new NotTested("the agent stopped polling");
  // A bounded pause (a quarter of the measured hold), so the poll is waiting at the gateway when the call's
  // first event is made; not a readiness guess: the result is judged against the hold itself.
  await new Promise((resolve) => setTimeout(resolve, holdMs / 4));
  // Listening before the callout: its first event may answer the waiting poll before the callout answers.
  const answered = answerOf(s, (a) => a.sentAt === sentAt, grace);
  const call = await placeCall(s, rec, body);
  const calloutDone = Date.now() - sentAt;
  const answer = await answered;
  if (call.code === "0") await followCall(s, rec, call, flowsFor(quietNumber(s.target)));
  if (call.code !== "0") throw new NotTested(`the callout was refused (${call.code})`);
  if (!answer) throw new NotTested("the waiting poll did not come back within the request deadline");
  const answeredAt = answer.answeredAt - sentAt;
  const observed = `hold ${holdMs} ms; poll sent at 0 ms, callout answered at ${calloutDone} ms, the poll answered ${answer.event?.eventType ?? "empty"} at ${answeredAt} ms`;
  // The callout answered so late that the poll's wait could have ended by itself: this try tells nothing.
  // Otherwise its first event came while the poll waited: a conforming gateway answered the poll with it,
  // one that holds events answers only when the wait ends.
  if (answer.kind !== "event" || calloutDone >= holdMs * 0.8) return { observed };
  if (answeredAt < holdMs * 0.9) return { verdict: true, observed };
  // Late by this client's clock: unless this process stalled so long that the answer could have been prompt.
  const stalled = stallWithin(sentAt, answer.answeredAt);
  if (answeredAt - stalled < holdMs * 0.9)
    return { observed: `${observed} (this process stalled ${stalled} ms)` };
  return { verdict: false, observed };
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
        const answer = await emptyPoll(s);
        if (!answer || answer.reply.error) {
          // The wait is the gateway's (about 10 s on the page); a deadline shorter than it says nothing.
          rec.add(
            "getAgentEvent/long-poll",
            "open-recorded",
            `no poll came back without an event within the request deadline (${ctx.target.deadlines.requestMs} ms)`,
          );
          return;
        }
        const ms = answer.answeredAt - answer.sentAt;
        const event = (answer.reply.json as { event?: unknown } | undefined)?.event;
        rec.keep(answer.reply.evidence);
        rec.observed = `empty poll answered ${answer.code} after ${ms} ms`;
        if (answer.kind === "empty") rec.choice("empty-poll-hold", "held", `${ms} ms`);
        rec.check(
          "getAgentEvent/long-poll",
          answer.code === "0" && (event === null || event === undefined),
          `an empty poll answered ${answer.code} with ${event === undefined ? "no event field" : "a null event"} after ${ms} ms`,
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
        const holds: number[] = [];
        for (let i = 0; i < HOLDS; i++) {
          const hold = await emptyPoll(s);
          if (hold?.kind !== "empty") throw new NotTested("no empty poll came back to measure the hold");
          holds.push(hold.answeredAt - hold.sentAt);
        }
        const holdMs = Math.min(...holds);
        if (holdMs < SHORTEST_HOLD_MS) {
          throw new NotTested(
            `the gateway holds an empty poll ${holdMs} ms: too short to tell a held event from a prompt one`,
          );
        }
        const tried: string[] = [];
        for (let i = 0; i < TRIES; i++) {
          const { verdict, observed } = await promptAnswer(
            s,
            rec,
            baseBody(ctx.target, number.number),
            holdMs,
          );
          tried.push(observed);
          if (verdict === undefined) continue;
          rec.observed = observed;
          rec.check("getAgentEvent/long-poll", verdict, `a waiting poll: ${observed}`);
          return;
        }
        throw new NotTested(`each callout took most of the poll's hold: ${tried.join("; ")}`);
      },
    ),
  );
  return checks;
}
