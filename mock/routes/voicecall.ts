/**
 * Routes of the voicecall resource: callout (the interface under test), release and hold. Callout validates
 * the body with the edition's contract, refuses a second active call and calls beyond capacity, then plays the
 * documented event script of the call's outcome.
 */
import { EVENT, EVENT_FLOWS, openChoice, situation, type Violation } from "../../contracts/index.ts";
import { normaliseBody } from "../open-choices.ts";
import type { Answer, Handler, Runtime } from "../runtime.ts";
import { failure, refuse, situationCode, success } from "../runtime.ts";
import type { Call, ScriptStep } from "../state/calls.ts";
import { callScript, flowOf, releaseScript } from "../state/calls.ts";
import { STATE } from "../state/store.ts";
import { authenticate } from "./auth.ts";

interface CalloutBody {
  called: string;
  caller?: string;
  mediaability?: number;
}

/** Defect called-unanchored-start: the contract's pattern for called, without its start anchor. */
function unanchoredMatch(rt: Runtime, called: unknown): boolean {
  const pattern = (
    rt.contracts.schemas["voicecall/callout.request"] as {
      properties?: { called?: { pattern?: string } };
    }
  ).properties?.called?.pattern;
  return (
    typeof called === "string" && pattern !== undefined && new RegExp(pattern.replace(/^\^/, "")).test(called)
  );
}

/** Violations a switched-on defect, or the other option of an open choice, lets through. */
function forgiven(rt: Runtime, v: Violation, called: unknown): boolean {
  // Open choices: 16 KB read as characters; userVideoDirection without video ignored rather than refused.
  if (v.keyword === "x-maxUtf8Bytes" && rt.choices.alternate("callappdata-unit")) return true;
  if (
    v.clause === openChoice("video-direction-without-video")["x-spec"] &&
    rt.choices.alternate("video-direction-without-video")
  ) {
    return true;
  }
  if (v.path === "/called") {
    if (v.keyword === "maxLength" && rt.defects.has("called-25-digits")) return true;
    if (v.keyword === "pattern" && rt.defects.has("called-with-letter")) return true;
    if (v.keyword === "pattern" && rt.defects.has("called-unanchored-start"))
      return unanchoredMatch(rt, called);
  }
  if (v.path === "/callappdata" && rt.defects.has("callappdata-over-16k")) {
    return v.keyword === "maxLength" || v.keyword === "x-maxUtf8Bytes";
  }
  return false;
}

/** A failed callout, with a call id in result when the callid-on-failure defect is on. */
function calloutFailure(rt: Runtime, answer: Answer): Answer {
  if (rt.defects.has("callid-on-failure")) {
    answer.body.result = rt.store.callIds.next(rt.clock.now());
  }
  return answer;
}

/** Script changes made by the event defects. */
function defective(rt: Runtime, steps: ScriptStep[], call: Call): ScriptStep[] {
  let out = steps;
  if (rt.defects.has("events-out-of-order")) {
    const alerting = out.findIndex((s) => s.eventType === EVENT.customerAlerting);
    const talking = out.findIndex((s) => s.eventType === EVENT.talking);
    if (alerting >= 0 && talking > alerting) {
      out = [...out];
      const a = out[alerting] as ScriptStep;
      const t = out[talking] as ScriptStep;
      out[alerting] = { ...t, delayMs: a.delayMs };
      out[talking] = { ...a, delayMs: t.delayMs };
    }
  }
  if (rt.defects.has("event-callid-mismatch")) {
    const other = rt.store.callIds.next(rt.clock.now());
    out = out.map((s) => ({ ...s, content: replaceCallid(s.content, call.id, other) }));
  }
  if (rt.defects.has("talking-called-wrong")) {
    out = out.map((s) =>
      s.eventType === EVENT.talking
        ? { ...s, content: { ...(s.content as Record<string, unknown>), called: `9${call.called}0` } }
        : s,
    );
  }
  if (rt.defects.has("terminal-event-lost")) {
    const terminal = new Set(
      (EVENT_FLOWS[flowOf(call.outcome)]?.steps ?? []).filter((s) => s.terminal).map((s) => s.event),
    );
    out = out.filter((s) => !terminal.has(s.eventType));
  }
  if (rt.defects.has("call-out-fail-content-object")) {
    out = out.map((s) => (s.eventType === EVENT.callOutFail ? { ...s, content: { callid: s.content } } : s));
  }
  if (rt.defects.has("talking-lost")) {
    out = out.map((s) => (s.eventType === EVENT.talking ? { ...s, silent: true } : s));
  }
  if (rt.defects.has("talking-media-audio-only")) {
    out = out.map((s) =>
      s.eventType === EVENT.talking ? { ...s, content: { ...(s.content as object), mediaAbility: 1 } } : s,
    );
  }
  return out;
}

/** Release script changes made by the release defects. */
function defectiveRelease(rt: Runtime, steps: ScriptStep[], call: Call): ScriptStep[] {
  let out = steps;
  if (rt.defects.has("release-events-callid-wrong")) {
    const other = rt.store.callIds.next(rt.clock.now());
    out = out.map((s) =>
      s.eventType === EVENT.callRelease || s.eventType === EVENT.customerRelease
        ? { ...s, content: replaceCallid(s.content, call.id, other) }
        : s,
    );
  }
  if (rt.defects.has("ready-lost")) {
    out = out.map((s) =>
      s.eventType === EVENT.ready || s.eventType === EVENT.work ? { ...s, silent: true } : s,
    );
  }
  return out;
}

function trimmedCalled(body: unknown): unknown {
  const called = (body as { called?: unknown } | null)?.called;
  return typeof called === "string" ? { ...(body as object), called: called.trim() } : body;
}

function replaceCallid(content: unknown, from: string, to: string): unknown {
  if (content === from) return to;
  if (typeof content === "object" && content !== null) {
    const copy: Record<string, unknown> = { ...(content as Record<string, unknown>) };
    for (const key of ["callid", "callId"]) if (copy[key] === from) copy[key] = to;
    return copy;
  }
  return content;
}

/**
 * The code of an invalid callout: 000-002, or (open choice invalid-called-code) 200-001 when only the called
 * number is wrong. Defect wrong-retcode-invalid-parameter answers 100-007.
 */
function invalidCode(rt: Runtime, violations: readonly Violation[]): string {
  if (rt.defects.has("wrong-retcode-invalid-parameter")) return situationCode("overloaded");
  const onlyCalled = violations.length > 0 && violations.every((v) => v.path === "/called");
  const codes = situation("invalid-called").codes;
  if (onlyCalled && rt.choices.alternate("invalid-called-code") && codes[1]) return codes[1];
  return situationCode("invalid-parameter");
}

/** A new call id; defect callid-reused hands out the first id again and again. */
function callIdFor(rt: Runtime, now: number): string {
  if (rt.defects.has("callid-reused")) {
    const first = reusedIds.get(rt) ?? rt.store.callIds.next(now);
    reusedIds.set(rt, first);
    return first;
  }
  return rt.store.callIds.next(now);
}
const reusedIds = new WeakMap<Runtime, string>();

const callout: Handler = (rt, request, agentId) => {
  let auth = authenticate(rt, request, agentId);
  if ("answer" in auth) {
    const directoryAgent = rt.directory.get(agentId);
    if (!rt.defects.has("callout-without-sign-in") || rt.store.live(agentId) || !directoryAgent) {
      return calloutFailure(rt, auth.answer);
    }
    // Defect: the gateway places the call as if the agent were signed in.
    auth = {
      session: rt.store.signIn(agentId, directoryAgent.phone, { releasephone: true, autoenteridle: true }),
    };
  }
  const { session } = auth;

  let body = normaliseBody(request.body, rt.contracts.schemas["voicecall/callout.request"], rt.choices);
  // Defect called-blanks-trimmed: blanks around the number are cut before it is checked.
  if (rt.defects.has("called-blanks-trimmed")) body = trimmedCalled(body);
  const validate = rt.contracts.validator("voicecall/callout.request");
  if (!validate(body)) {
    const violations = rt.contracts
      .validate("voicecall/callout.request", body)
      .filter((v) => !forgiven(rt, v, (body as { called?: unknown } | undefined)?.called));
    if (violations.length > 0 || typeof body !== "object" || body === null) {
      return calloutFailure(rt, failure(invalidCode(rt, violations)));
    }
  }
  const request_ = body as CalloutBody;
  if (rt.defects.has("called-star-hash-refused") && /[*#]/.test(request_.called)) {
    return calloutFailure(rt, failure(situationCode("invalid-parameter")));
  }

  const current = session.call;
  if (current && current.phase !== "ended") {
    // Defects: a second callout accepted during any live call, or while the first is still being set up.
    const accepted =
      rt.defects.has("callout-during-call") ||
      (rt.defects.has("second-callout-while-ringing") && current.phase === "setup");
    if (!accepted) return calloutFailure(rt, refuse("already-in-call"));
    rt.store.endCall(current);
  }
  // Defect callout-refused-unless-idle: an agent that is busy or in wrap-up is refused, though in no call.
  if (rt.defects.has("callout-refused-unless-idle") && session.state !== STATE.idle) {
    return calloutFailure(rt, refuse("overloaded"));
  }
  const now = rt.clock.now();
  if (rt.capacity.admit(rt.store.activeCalls.size, now)) {
    return calloutFailure(rt, refuse("overloaded", "The gateway is overloaded; try again later."));
  }

  const call: Call = {
    id: callIdFor(rt, now),
    agentId,
    caller: request_.caller ?? "",
    called: request_.called,
    outcome: rt.outcomeOf(request_.called),
    mediaability: request_.mediaability ?? 0,
    phase: "setup",
    timer: undefined,
  };
  session.call = call;
  rt.store.startCall(call);
  const steps = defective(rt, callScript(call, session.flags, rt.options.timing, rt.rng), call);
  rt.store.play(session, call, steps);
  if (rt.defects.has("no-callid-on-success")) return { body: { message: "", retcode: "0" } };
  return success(call.id);
};

const release: Handler = (rt, request, agentId) => {
  const auth = authenticate(rt, request, agentId);
  if ("answer" in auth) return auth.answer;
  const { session } = auth;
  const current = session.call?.phase === "ended" ? undefined : session.call;
  const call = current ?? session.held;
  if (!call) return refuse("release-without-call");
  rt.store.endCall(call);
  if (session.call === call) session.call = undefined;
  else session.held = undefined;
  rt.store.play(session, undefined, defectiveRelease(rt, releaseScript(call, session.flags), call));
  return success({});
};

const hold: Handler = (rt, request, agentId) => {
  const auth = authenticate(rt, request, agentId);
  if ("answer" in auth) return auth.answer;
  const { session } = auth;
  const call = session.call;
  if (!call) return failure(situationCode("hold-without-call"));
  // Only a connected call can be held, and only one at a time.
  // The connect-hold code for a call in the wrong state (the second of the situation's codes).
  if (call.phase !== "talking" || session.held) return failure(situation("hold-without-call").codes[1] ?? "");
  call.phase = "held";
  session.held = call;
  session.call = undefined;
  // Defect hold-event-lost: the call is held, but its event never reaches the agent.
  rt.store.emit(session, EVENT.hold, call.id, rt.defects.has("hold-event-lost"));
  return success({});
};

export const voicecallHandlers = { callout, release, hold } satisfies Record<string, Handler>;
