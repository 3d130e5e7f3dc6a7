/**
 * Call flows: a callout to each outcome the profile's numbers pin, its events in the documented order with
 * one call id, each by its deadline (an event missing at its deadline fails its clause, naming the call id);
 * Talking with the dialled number and, for each mediaability the page allows, a consistent media ability;
 * release back to ready with the release events of the same call; a number with * or #; release without a
 * call.
 */
import { agentStateCode, EVENT, platformRefusals, talkingMediaFor } from "../../contracts/index.ts";
import type { CalledNumber } from "../../lib/target-profile.ts";
import { type Check, defineCase } from "../support/cases.ts";
import type { PolledEvent } from "../support/event-order.ts";
import {
  baseBody,
  flowsFor,
  followCall,
  judgeSituation,
  judgeValid,
  OUTCOMES,
  placeCall,
  releaseCall,
} from "../support/judges.ts";
import { NEED, numberWith } from "../support/profile-needs.ts";
import { NotTested, type Recorder } from "../support/recorder.ts";
import type { SuiteAgent } from "../support/suite-agent.ts";
import type { Target } from "../support/target.ts";
import { retcodeOf } from "../support/transport.ts";

const FAMILY = "call flows";

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

/**
 * After a call: the agent's state leaves talking within the prompt deadline, judged by its answers: the state
 * is asked again after each poll until it is one of after a call, or a state asked after the deadline is not.
 */
async function judgeStateAfter(rec: Recorder, s: SuiteAgent, clause: string): Promise<void> {
  const ready = [agentStateCode("idle"), agentStateCode("wrap-up"), agentStateCode("busy")];
  const deadline = Date.now() + s.deadlineMs("prompt");
  for (;;) {
    const askedAt = Date.now();
    const state = await s.state();
    const done = state !== undefined && ready.includes(state);
    if (done || askedAt >= deadline) {
      rec.check(clause, done, `agent state after the call: ${state ?? "none"}`);
      return;
    }
    await s.session.nextPoll(Math.max(1, deadline - Date.now()));
  }
}

async function runFlow(
  target: Target,
  rec: Recorder,
  s: SuiteAgent,
  number: CalledNumber,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const body = { ...baseBody(target, number.number), ...extra };
  const call = await placeCall(s, rec, body);
  // A platform without video may refuse a video call with a documented code: nothing to judge of the flow.
  if (extra.mediaability !== undefined && platformRefusals().includes(call.code))
    throw new NotTested(
      `the platform refused a call with mediaability ${String(extra.mediaability)} (${call.code})`,
    );
  if (
    !rec.check(
      "callout/response/retcode",
      call.code === "0",
      `callout to a number of the profile answered ${call.code}`,
    )
  )
    return;
  judgeValid(rec, "callout/body/called", `a callout to ${number.number}`, call.reply, call.code);
  const followed = await followCall(s, rec, call, flowsFor(number));
  rec.observed = `outcome ${followed.answered ? "answered" : "not answered"}: ${followed.events.map((e) => e.eventType).join(", ")}`;
  if (!followed.complete) return;
  if (followed.answered) {
    judgeTalking(rec, followed.events, body);
    const state = await s.state();
    const talking = agentStateCode("talking");
    rec.check(
      "agent-states",
      state === talking,
      `agent state while talking: ${state ?? "none"} (expected ${talking})`,
    );
    if (!(await releaseCall(s, rec, call.callId))) return;
  }
  await judgeStateAfter(rec, s, followed.answered ? "flows/release" : followed.flow["x-spec"]);
}

/**
 * One case per outcome the profile's numbers pin (and one for numbers whose outcome is not pinned); an outcome
 * no number pins is a case too, not tested, naming the profile field that would test its flow.
 */
function outcomeCases(target: Target): Check[] {
  const checks: Check[] = [];
  const outcomes = new Set<string>();
  for (const number of target.called) {
    const key = number.outcome ?? "unpinned";
    if (outcomes.has(key)) continue;
    outcomes.add(key);
    const flows = flowsFor(number);
    checks.push(
      defineCase(
        FAMILY,
        {
          id: `flow-${key}`,
          title: `callout to a number whose outcome is ${number.outcome ?? "not pinned"}: events in the documented order with the call id`,
          clause: number.outcome
            ? (flows[0]?.["x-spec"] ?? "flows/callout-answered")
            : "flows/callout-answered",
        },
        async ({ ctx, rec, agents: [s] }) => {
          if (s) await runFlow(ctx.target, rec, s, number);
        },
      ),
    );
  }
  for (const outcome of OUTCOMES.filter((o) => !outcomes.has(o))) {
    checks.push(
      defineCase(
        FAMILY,
        {
          id: `flow-${outcome}`,
          title: `callout to a number whose outcome is ${outcome}: events in the documented order with the call id`,
          clause: flowsFor({ number: "", outcome })[0]?.["x-spec"] ?? "flows/callout-answered",
          plan: (t) => void numberWith(t, outcome),
        },
        async ({ ctx, rec, agents: [s] }) => {
          if (s) await runFlow(ctx.target, rec, s, numberWith(ctx.target, outcome));
        },
      ),
    );
  }
  return checks;
}

/** An answered call for each mediaability the contract allows: Talking's media ability must match the request. */
function mediaCases(target: Target): Check[] {
  const schema = target.contracts.schemas["voicecall/callout.request"] as {
    properties?: { mediaability?: { enum?: unknown[] } };
  };
  const values = (schema.properties?.mediaability?.enum ?? []).filter(
    (v): v is number => typeof v === "number",
  );
  return values.map((mediaability) =>
    defineCase(
      FAMILY,
      {
        id: `flow-media-${mediaability}`,
        title: `an answered callout with mediaability ${mediaability}: AgentEvent_Talking reports a matching media ability`,
        clause: "callout/events/AgentEvent_Talking",
        plan: (t) => void numberWith(t, "answered"),
      },
      async ({ ctx, rec, agents: [s] }) => {
        if (s) await runFlow(ctx.target, rec, s, numberWith(ctx.target, "answered"), { mediaability });
      },
    ),
  );
}

/** A number of the profile with * or #, or NotTested naming the field. */
function starHashNumber(target: Target): CalledNumber {
  const number = target.called.find((n) => /[*#]/.test(n.number));
  if (!number) throw new NotTested("no number with * or # in the profile's called list", NEED.starHash);
  return number;
}

export function callFlowCases(target: Target): Check[] {
  return [
    ...outcomeCases(target),
    ...mediaCases(target),
    defineCase(
      FAMILY,
      {
        id: "called-star-hash",
        title: "a valid called number with * or # is accepted",
        clause: "callout/body/called",
        plan: (t) => void starHashNumber(t),
      },
      async ({ ctx, rec, agents: [s] }) => {
        if (!s) return;
        const number = starHashNumber(ctx.target);
        const call = await placeCall(s, rec, baseBody(ctx.target, number.number));
        judgeValid(rec, "callout/body/called", `a callout to ${number.number}`, call.reply, call.code);
        if (call.code === "0") await followCall(s, rec, call, flowsFor(number));
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
  ];
}
