/**
 * Call flows: a callout to each outcome the profile's numbers pin, its events in the documented order with
 * one call id until the flow's terminal event (a call whose terminal event never comes fails its flow with the
 * call id), Talking with the dialled number and a consistent media ability, release back to ready; a number
 * with * or #; release without a call.
 */
import { agentStateCode, EVENT, type EventFlow, talkingMediaFor } from "../../contracts/index.ts";
import type { CalledNumber, Outcome } from "../../lib/target-profile.ts";
import { type Check, defineCase } from "../support/cases.ts";
import { checkFlow, type PolledEvent } from "../support/event-order.ts";
import { baseBody, flow, judgeSituation, judgeValid, placeCall, recordFlow } from "../support/judges.ts";
import { NotTested, type Recorder } from "../support/recorder.ts";
import type { SuiteAgent } from "../support/suite-agent.ts";
import type { Target } from "../support/target.ts";
import { retcodeOf } from "../support/transport.ts";

const FAMILY = "call flows";

const FLOW_OF: Record<Outcome, string> = {
  answered: "callout-answered",
  "not-answered": "callout-not-answered",
  busy: "callout-not-answered",
  "agent-no-answer": "callout-agent-no-answer",
};

/** AgentEvent_Talking carries the dialled number and a media ability consistent with the request. */
function judgeTalking(rec: Recorder, events: PolledEvent[], body: Record<string, unknown>): void {
  const talking = events.find((e) => e.eventType === EVENT.talking);
  const content = talking?.content as { called?: unknown; mediaAbility?: unknown } | undefined;
  if (!content) return;
  const dialled = String(body.called);
  const called = typeof content.called === "string" ? content.called : undefined;
  rec.check(
    "callout/events/AgentEvent_Talking",
    called?.endsWith(dialled) === true,
    `AgentEvent_Talking carries called ${JSON.stringify(content.called)} for a call to ${dialled}`,
  );
  const allowed = talkingMediaFor(body.mediaability as number | undefined);
  const media = Number(content.mediaAbility);
  rec.check(
    "callout/events/AgentEvent_Talking",
    content.mediaAbility === undefined || allowed.includes(media),
    `AgentEvent_Talking reports mediaAbility ${JSON.stringify(content.mediaAbility)} for mediaability ${String(body.mediaability ?? 0)} (expected ${allowed.join(" or ")})`,
  );
}

async function runFlow(
  target: Target,
  rec: Recorder,
  s: SuiteAgent,
  number: CalledNumber,
  flowName?: string,
): Promise<void> {
  // Events of earlier cases of this agent must not count for this call.
  await s.drain();
  const body = baseBody(target, number.number);
  // Events are read from the moment the call is placed, whichever poll (the case's or a heartbeat) reads them.
  const mark = s.events.length;
  const { reply, code, callId } = await placeCall(s, rec, body);
  if (
    !rec.check(
      "callout/response/retcode",
      code === "0",
      `callout to a number of the profile answered ${code}`,
    )
  )
    return;
  judgeValid(rec, "callout/body/called", `a callout to ${number.number}`, reply, code);
  // With the outcome unknown, the first terminal event decides which documented flow applies.
  const candidates = flowName ? [flow(flowName)] : [flow("callout-answered"), flow("callout-not-answered")];
  const setup = await s.pollUntil(
    (evs) => candidates.some((f) => checkFlow(f, evs, undefined, false).complete),
    undefined,
    `the end of call ${callId ?? "(no call id)"}'s setup`,
    mark,
  );
  const chosen =
    candidates.find((f) => checkFlow(f, setup.events, undefined, false).complete) ??
    (candidates[0] as EventFlow);
  const answered = chosen["x-spec"] === "flows/callout-answered";
  // Optional steps may follow the terminal one (Connect_Fail, Ready): read what is queued, then judge.
  if (!answered) await s.drain();
  const events = s.events.slice(mark);
  rec.observed = `outcome ${answered ? "answered" : "not answered"}: ${events.map((e) => e.eventType).join(", ")}`;
  const complete = recordFlow(rec, chosen, events, callId);
  if (!complete) return;
  if (answered) {
    judgeTalking(rec, events, body);
    const state = await s.state();
    const talking = agentStateCode("talking");
    rec.check(
      "agent-states",
      state === talking,
      `agent state while talking: ${state ?? "none"} (expected ${talking})`,
    );
    const released = s.events.length;
    const release = await s.call("release");
    if (!rec.check("release/response", retcodeOf(release) === "0", `release answered ${retcodeOf(release)}`))
      return;
    const releaseFlow = flow("release");
    const after = await s.pollUntil(
      (evs) => checkFlow(releaseFlow, evs, undefined, false).complete,
      undefined,
      "the release flow",
      released,
    );
    recordFlow(rec, releaseFlow, after.events, callId);
  }
  const state = await s.state();
  const ready = [agentStateCode("idle"), agentStateCode("wrap-up"), agentStateCode("busy")];
  rec.check(
    answered ? "flows/release" : chosen["x-spec"],
    state !== undefined && ready.includes(state),
    `agent state after the call: ${state ?? "none"}`,
  );
}

export function callFlowCases(target: Target): Check[] {
  const checks: Check[] = [];
  const outcomes = new Set<string>();
  for (const number of target.called) {
    const key = number.outcome ?? "unpinned";
    if (outcomes.has(key)) continue;
    outcomes.add(key);
    const flowName = number.outcome ? FLOW_OF[number.outcome] : undefined;
    checks.push(
      defineCase(
        FAMILY,
        {
          id: `flow-${key}`,
          title: `callout to a number whose outcome is ${number.outcome ?? "not pinned"}: events in the documented order with the call id`,
          clause: flowName ? flow(flowName)["x-spec"] : "flows/callout-answered",
        },
        async ({ ctx, rec, agents: [s] }) => {
          if (s) await runFlow(ctx.target, rec, s, number, flowName);
        },
      ),
    );
  }
  checks.push(
    defineCase(
      FAMILY,
      {
        id: "called-star-hash",
        title: "a valid called number with * or # is accepted",
        clause: "callout/body/called",
      },
      async ({ ctx, rec, agents: [s] }) => {
        if (!s) return;
        const number = ctx.target.called.find((n) => /[*#]/.test(n.number));
        if (!number) throw new NotTested("no number with * or # in the profile's called list");
        await s.drain();
        const { reply, code } = await placeCall(s, rec, baseBody(ctx.target, number.number));
        judgeValid(rec, "callout/body/called", `a callout to ${number.number}`, reply, code);
      },
    ),
    defineCase(
      FAMILY,
      { id: "release-without-call", title: "release without a call is refused", clause: "release/errors" },
      async ({ rec, agents: [s] }) => {
        if (!s) return;
        judgeSituation(
          rec,
          "release-without-call",
          "release without a call",
          retcodeOf(await s.call("release")),
        );
      },
    ),
  );
  return checks;
}
