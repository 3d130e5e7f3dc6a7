/**
 * Callout across a call's phases and the agent's states: a second callout in every phase of a call (dialling,
 * alerting, talking: refused; held: allowed, and the hold's own event comes with the held call's id), and a
 * callout in every agent state the page allows (idle is every other family's; busy and wrap-up here).
 */
import { calloutFailureEvents, EVENT, signInFlow } from "../../contracts/index.ts";
import type { CalledNumber } from "../../lib/target-profile.ts";
import { type Check, defineCase } from "../support/cases.ts";
import { checkFlow } from "../support/event-order.ts";
import {
  baseBody,
  flow,
  flowsFor,
  followCall,
  judgeSituation,
  judgeValid,
  numberFor,
  placeCall,
  quietNumber,
  recordFlow,
  talkingCall,
} from "../support/judges.ts";
import { numberWith } from "../support/profile-needs.ts";
import { NotTested } from "../support/recorder.ts";
import type { Target } from "../support/target.ts";
import { retcodeOf } from "../support/transport.ts";

const FAMILY = "callout phases";

/** What the cases of this family are built from: the quiet and answered numbers, a valid body. */
interface PhaseContext {
  number: CalledNumber;
  answered: CalledNumber | undefined;
  body: () => Record<string, unknown>;
}

/** The phases of a call in which a second callout must be refused. */
const LIVE_PHASES = ["dialling", "alerting", "talking"] as const;
type LivePhase = (typeof LIVE_PHASES)[number];

/** The event a phase begins with (none for dialling: it begins with the callout's answer). */
const PHASE_EVENT: Record<LivePhase, string | undefined> = {
  dialling: undefined,
  alerting: EVENT.customerAlerting,
  talking: EVENT.talking,
};

/** Which phase the call's events show it in. */
function phaseOf(events: readonly { eventType: string }[]): string {
  const types = new Set(events.map((e) => e.eventType));
  for (const fail of calloutFailureEvents()) if (types.has(fail)) return "ended";
  if (types.has(EVENT.talking)) return "talking";
  if (types.has(EVENT.customerAlerting)) return "alerting";
  return "dialling";
}

function secondCalloutCase({ answered, body }: PhaseContext, phase: LivePhase): Check {
  return defineCase(
    FAMILY,
    {
      id: `state-in-call-${phase}`,
      title: `a second callout while the first call is ${phase} is refused`,
      clause: "callout/prerequisite/not-in-call",
      plan: (target) => void numberWith(target, "answered"),
    },
    async ({ rec, agents: [s] }) => {
      if (!s) return;
      if (!answered) return;
      const first = await placeCall(s, rec, baseBody(s.target, answered.number));
      if (first.code !== "0") throw new NotTested(`the first callout was refused (${first.code})`);
      const awaited = PHASE_EVENT[phase];
      if (awaited) {
        const reached = await s.until((events) => events.some((e) => e.eventType === awaited), {
          within: "setup",
          what: `${awaited} of the first call`,
          from: first.mark,
          since: first.sentAt,
        });
        if (reached.end !== "complete") {
          recordFlow(rec, flow("callout-answered"), reached.events, first.callId, reached);
          throw new NotTested(`the first call never reached ${awaited}`);
        }
      }
      const seen = phaseOf(s.events.slice(first.mark));
      if (seen === "ended") throw new NotTested("the first call had ended before the second callout");
      const second = await s.call("callout", body());
      const code = retcodeOf(second);
      rec.observed = `second callout in phase ${seen}: answered ${code}`;
      // Accepted: a failure, unless the first call's end was already on its way (a failure event before it).
      if (code === "0" && phaseOf(s.events.slice(first.mark)) === "ended")
        throw new NotTested("the first call ended while the second callout was sent");
      judgeSituation(rec, "already-in-call", `a callout while the first call is ${seen}`, code);
    },
  );
}

function stateHeldCallCase({ answered, body }: PhaseContext): Check {
  return defineCase(
    FAMILY,
    {
      id: "state-held-call",
      title: "callout while the only call is on hold is allowed",
      clause: "callout/prerequisite/held-call-allowed",
      plan: (target) => void numberWith(target, "answered"),
    },
    async ({ rec, agents: [s] }) => {
      if (!s) return;
      const callId = await talkingCall(s, rec, answered);
      const mark = s.events.length;
      const sentAt = Date.now();
      const hold = await s.call("hold");
      if (retcodeOf(hold) !== "0") throw new NotTested(`hold was refused (${retcodeOf(hold)})`);
      // The hold page documents AgentEvent_Hold: it must come, with the held call's id, by its deadline.
      const holdFlow = flow("hold");
      const held = await s.until((events) => checkFlow(holdFlow, events, undefined, false).complete, {
        within: holdFlow.deadline,
        what: EVENT.hold,
        from: mark,
        since: sentAt,
      });
      recordFlow(rec, holdFlow, held.events, callId, held.end === "complete" ? undefined : held);
      const second = await placeCall(s, rec, body());
      rec.check(
        "callout/prerequisite/held-call-allowed",
        second.code === "0",
        `callout with a held call answered ${second.code}`,
      );
      if (second.code === "0") await followCall(s, rec, second, flowsFor(quietNumber(s.target)));
    },
  );
}

/** A callout by an agent signed in busy (3) or in wrap-up (5): the page asks only that it is signed in and free. */
function agentStateCase({ number, body }: PhaseContext, status: 3 | 5): Check {
  const name = status === 3 ? "busy" : "wrap-up";
  return defineCase(
    FAMILY,
    {
      id: `state-agent-${name}`,
      title: `callout by an agent whose state is ${name} is accepted`,
      clause: "callout/prerequisite/any-agent-state",
      needs: { signedIn: 0, signedOut: 1 },
    },
    async ({ rec, spares: [spare] }) => {
      if (!spare) return;
      const mark = spare.events.length;
      await spare.login({ status });
      const signIn = signInFlow(status);
      const flowed = await spare.until((events) => checkFlow(signIn, events, undefined, false).complete, {
        within: signIn.deadline,
        what: "the sign-in flow",
        from: mark,
      });
      recordFlow(rec, signIn, flowed.events, undefined, flowed.end === "complete" ? undefined : flowed);
      const state = await spare.state();
      const call = await placeCall(spare, rec, body());
      rec.observed = `state ${state ?? "none"}: callout answered ${call.code}`;
      judgeValid(
        rec,
        "callout/prerequisite/any-agent-state",
        `a callout in state ${state ?? name}`,
        call.reply,
        call.code,
      );
      if (call.code === "0") await followCall(spare, rec, call, flowsFor(number));
    },
  );
}

export function calloutPhaseCases(target: Target): Check[] {
  const number = quietNumber(target);
  if (!number) return [];
  const ctx: PhaseContext = {
    number,
    answered: numberFor(target, "answered"),
    body: () => baseBody(target, number.number),
  };
  return [
    ...LIVE_PHASES.map((phase) => secondCalloutCase(ctx, phase)),
    stateHeldCallCase(ctx),
    agentStateCase(ctx, 3),
    agentStateCase(ctx, 5),
  ];
}
