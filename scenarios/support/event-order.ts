/**
 * The event-order checker: compares the events polled after an action with a documented flow (EVENT_FLOWS of
 * the contracts) and reports what is out of order, missing, or carries another call's id. Pure: no I/O.
 */
import type { EventFlow, FlowStep } from "../../contracts/index.ts";
import type { PolledEvent } from "../../lib/gateway/index.ts";

export type { PolledEvent };

/** One way the events break the flow, with the clause to report it under. */
export interface FlowFinding {
  clause: string;
  message: string;
}

export interface FlowCheck {
  /** The terminal step (or one of its alternatives) arrived. */
  complete: boolean;
  /** Index in `events` of the terminal event, when complete. */
  terminalIndex?: number;
  /** The event type that ended the flow (e.g. AgentState_Work in place of AgentState_Ready). */
  terminalEvent?: string;
  findings: FlowFinding[];
  /** Steps matched, in order: step event name and the event type that filled it. */
  matched: { step: string; event: string }[];
  /** Required steps that never arrived (when final): each fails its own clause too. */
  missing: FlowStep[];
}

/** The call id an event carries: the bare string content, or content.callid / content.callId. */
export function callIdOf(event: PolledEvent): string | undefined {
  const { content } = event;
  if (typeof content === "string" && content.length > 0) return content;
  if (typeof content === "object" && content !== null) {
    const record = content as Record<string, unknown>;
    const id = record.callid ?? record.callId;
    if (typeof id === "string") return id;
  }
  return undefined;
}

/** The events a step accepts: its own and its alternatives. */
export function stepNames(step: FlowStep): string[] {
  return [step.event, ...(step.alternatives ?? [])];
}

/** A finding when an event carries another call id than the callout returned. */
function otherCallId(event: PolledEvent, callId: string, clause: string): FlowFinding | undefined {
  const carried = callIdOf(event);
  if (carried === undefined || carried === callId) return undefined;
  return {
    clause,
    message: `${event.eventType} carries call id ${carried}, but the callout returned ${callId}`,
  };
}

/**
 * Where an event falls in the flow from step `next` on: its step (-1 when the flow has passed it), and the
 * findings it causes (out of order, or required steps skipped).
 */
function placeEvent(
  flow: EventFlow,
  next: number,
  type: string,
  previous: string | undefined,
): { found: number; findings: FlowFinding[] } {
  const clause = flow["x-spec"];
  const found = flow.steps.findIndex((step, j) => j >= next && stepNames(step).includes(type));
  if (found < 0) {
    const earlier = flow.steps.findIndex((s) => stepNames(s).includes(type));
    const message =
      earlier >= 0 && previous
        ? `${type} arrived after ${previous}; the flow "${flow.title}" has it earlier`
        : `${type} arrived again after the flow had passed it`;
    return { found, findings: [{ clause, message }] };
  }
  const findings = flow.steps
    .slice(next, found)
    .filter((skipped) => !skipped.optional)
    .map((skipped) => ({
      clause,
      message: `${type} arrived before ${skipped.event}, which the flow "${flow.title}" requires first`,
    }));
  return { found, findings };
}

/**
 * Checks events against a flow.
 * @param events the events polled after the action, in arrival order (others of the agent included)
 * @param callId the call id the action returned; events that carry another one are findings
 * @param final true when no more events will come (the deadline passed): an incomplete flow is then a finding
 */
export function checkFlow(
  flow: EventFlow,
  events: readonly PolledEvent[],
  callId?: string,
  final = true,
): FlowCheck {
  const clause = flow["x-spec"];
  const findings: FlowFinding[] = [];
  const matched: { step: string; event: string }[] = [];
  const floating = new Set(flow.floating);
  const known = new Set(flow.steps.flatMap(stepNames));
  let next = 0;
  let complete = false;
  let terminalIndex: number | undefined;
  let terminalEvent: string | undefined;

  events.forEach((event, index) => {
    const relevant = known.has(event.eventType) || floating.has(event.eventType);
    if (!relevant) return;
    const stray = callId !== undefined ? otherCallId(event, callId, clause) : undefined;
    if (stray) findings.push(stray);
    if (floating.has(event.eventType) && !known.has(event.eventType)) return;
    const placed = placeEvent(flow, next, event.eventType, matched.at(-1)?.event);
    findings.push(...placed.findings);
    if (placed.found < 0) return;
    const step = flow.steps[placed.found] as FlowStep;
    matched.push({ step: step.event, event: event.eventType });
    next = placed.found + 1;
    if (step.terminal && !complete) {
      complete = true;
      terminalIndex = index;
      terminalEvent = event.eventType;
    }
  });

  const filled = new Set(matched.map((m) => m.step));
  const missing = final ? flow.steps.filter((s) => !s.optional && !filled.has(s.event)) : [];
  if (!complete && final) {
    const terminal = flow.steps.find((s) => s.terminal);
    const seen = events.map((e) => e.eventType).join(", ") || "no events";
    findings.push({
      clause,
      message: `the flow "${flow.title}" did not complete: ${terminal ? stepNames(terminal).join(" or ") : "its last step"} never arrived (seen: ${seen})`,
    });
  }
  return {
    complete,
    findings,
    matched,
    missing,
    ...(terminalIndex !== undefined ? { terminalIndex } : {}),
    ...(terminalEvent !== undefined ? { terminalEvent } : {}),
  };
}
