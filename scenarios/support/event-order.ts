/**
 * The event-order checker: compares the events polled after an action with a documented flow (EVENT_FLOWS of
 * the contracts) and reports what is out of order, missing, or carries another call's id. Pure: no I/O.
 */
import type { EventFlow, FlowStep } from "../../contracts/index.ts";

/** The parts of a polled event the checker reads. */
export interface PolledEvent {
  eventType: string;
  content?: unknown;
}

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

function names(step: FlowStep): string[] {
  return [step.event, ...(step.alternatives ?? [])];
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
  const known = new Set(flow.steps.flatMap(names));
  let next = 0;
  let complete = false;
  let terminalIndex: number | undefined;
  let terminalEvent: string | undefined;

  events.forEach((event, index) => {
    const relevant = known.has(event.eventType) || floating.has(event.eventType);
    if (!relevant) return;
    if (callId !== undefined) {
      const carried = callIdOf(event);
      if (carried !== undefined && carried !== callId) {
        findings.push({
          clause,
          message: `${event.eventType} carries call id ${carried}, but the callout returned ${callId}`,
        });
      }
    }
    if (floating.has(event.eventType) && !known.has(event.eventType)) return;
    let found = -1;
    for (let j = next; j < flow.steps.length; j++) {
      const step = flow.steps[j] as FlowStep;
      if (names(step).includes(event.eventType)) {
        found = j;
        break;
      }
    }
    if (found < 0) {
      const earlier = flow.steps.findIndex((s) => names(s).includes(event.eventType));
      const previous = matched.at(-1);
      findings.push({
        clause,
        message:
          earlier >= 0 && previous
            ? `${event.eventType} arrived after ${previous.event}; the flow "${flow.title}" has it earlier`
            : `${event.eventType} arrived again after the flow had passed it`,
      });
      return;
    }
    for (let j = next; j < found; j++) {
      const skipped = flow.steps[j] as FlowStep;
      if (!skipped.optional) {
        findings.push({
          clause,
          message: `${event.eventType} arrived before ${skipped.event}, which the flow "${flow.title}" requires first`,
        });
      }
    }
    const step = flow.steps[found] as FlowStep;
    matched.push({ step: step.event, event: event.eventType });
    next = found + 1;
    if (step.terminal && !complete) {
      complete = true;
      terminalIndex = index;
      terminalEvent = event.eventType;
    }
  });

  if (!complete && final) {
    const terminal = flow.steps.find((s) => s.terminal);
    const seen = events.map((e) => e.eventType).join(", ") || "no events";
    findings.push({
      clause,
      message: `the flow "${flow.title}" did not complete: ${terminal ? names(terminal).join(" or ") : "its last step"} never arrived (seen: ${seen})`,
    });
  }
  return {
    complete,
    findings,
    matched,
    ...(terminalIndex !== undefined ? { terminalIndex } : {}),
    ...(terminalEvent !== undefined ? { terminalEvent } : {}),
  };
}
