/**
 * Calls and their event scripts. A script is built by walking the documented flow in the contracts
 * (EVENT_FLOWS): the order of events comes from there, and this module only decides which optional steps
 * apply, what each event carries and how long after the previous one it arrives.
 */
import { EVENT, EVENT_FLOWS, type FlowStep } from "../../contracts/index.ts";
import type { Outcome } from "../../lib/target-profile.ts";
import type { TimingConfig } from "../options.ts";
import type { TimerHandle } from "./clock.ts";
import type { Distribution, Rng } from "./random.ts";

/** Where a call stands. "setup" covers dialling and ringing; "ended" calls are kept only until replaced. */
export type CallPhase = "setup" | "talking" | "held" | "ended";

export interface Call {
  id: string;
  agentId: string;
  caller: string;
  called: string;
  outcome: Outcome;
  mediaability: number;
  phase: CallPhase;
  /** Pending timer of the call's event script, cancelled on release. */
  timer: TimerHandle | undefined;
}

/** One event of a script: its type, content, and delay after the previous step. */
export interface ScriptStep {
  eventType: string;
  content: unknown;
  delayMs: number;
  /** Its effect on the agent's state happens, but the event never reaches the agent (a defect). */
  silent?: boolean;
}

/** Issues call ids of the form <epoch seconds>-<sequence>, unique across all agents of the gateway. */
export class CallIds {
  private sequence = 0;
  next(now: number): string {
    this.sequence = (this.sequence + 1) % 1_000_000_000;
    return `${Math.floor(now / 1000)}-${this.sequence}`;
  }
  reset(): void {
    this.sequence = 0;
  }
}

/** The flow in the contracts that a call with this outcome follows. */
export function flowOf(outcome: Outcome): string {
  switch (outcome) {
    case "answered":
      return "callout-answered";
    case "agent-no-answer":
      return "callout-agent-no-answer";
    default:
      return "callout-not-answered";
  }
}

/** Session facts that shape a script (from the sign-in body). */
export interface ScriptContext {
  /** The agent's phone rings and is released with each call (not permanently off-hook). */
  releasephone: boolean;
  /** After a call the agent goes idle (true) or to wrap-up (false). */
  autoenteridle: boolean;
}

/** Content of an event for this call. PhoneRelease says who hung up: 2 the agent, 3 the platform. */
function contentOf(eventType: string, call: Call, phoneState: 2 | 3): unknown {
  switch (eventType) {
    case EVENT.phoneOffhook:
      return { type: "main" };
    case EVENT.customerAlerting:
      return { callid: call.id, otherPhoneWorkno: "", otherPhone: call.called, type: "outbound" };
    case EVENT.talking:
      return {
        caller: call.caller,
        callid: call.id,
        called: call.called,
        feature: "7",
        type: "outbound",
        mediaAbility: call.mediaability === 1 ? 3 : 1,
      };
    case EVENT.callOutFail:
    case EVENT.connectFail:
    case EVENT.callRelease:
    case EVENT.hold:
      return call.id;
    case EVENT.customerRelease:
      return { callid: call.id, number: call.called };
    case EVENT.phoneRelease:
      return { phoneState };
    case EVENT.outboundDetect:
      return { callId: call.id, detect: 1552, desc: "busy" };
    default:
      return null;
  }
}

/** Whether an optional step of a flow happens for this call. */
function includes(step: FlowStep, outcome: Outcome | "release", ctx: ScriptContext): boolean {
  if (!step.optional) return true;
  switch (step.event) {
    case EVENT.phoneAlerting:
    case EVENT.phoneOffhook:
    case EVENT.phoneRelease:
      // Agent phone events exist only for a phone that is picked up and released per call; in the failure
      // flows the platform releases the phone whatever the setting.
      return ctx.releasephone || (step.event === EVENT.phoneRelease && outcome !== "release");
    case EVENT.customerAlerting:
      return outcome !== "busy";
    default:
      return true;
  }
}

/** The event (or its documented alternative) this step emits. */
function eventOf(step: FlowStep, ctx: ScriptContext): string {
  if (step.event === EVENT.ready && !ctx.autoenteridle) return EVENT.work;
  return step.event;
}

/** Delay before an event of a call script. */
function delayOf(eventType: string, outcome: Outcome, timing: TimingConfig): Distribution {
  switch (eventType) {
    case EVENT.phoneOffhook:
      return timing.agentPickup;
    case EVENT.customerAlerting:
      return timing.customerAlerting;
    case EVENT.talking:
      return timing.customerAnswer;
    case EVENT.phoneRelease:
      if (outcome === "not-answered") return timing.customerNoAnswer;
      if (outcome === "busy") return timing.customerBusy;
      return timing.eventGap;
    case EVENT.callOutFail:
      return outcome === "agent-no-answer" ? timing.agentNoAnswer : timing.eventGap;
    default:
      return timing.eventGap;
  }
}

/** The event script of a new call with its outcome, following the flow in the contracts. */
export function callScript(call: Call, ctx: ScriptContext, timing: TimingConfig, rng: Rng): ScriptStep[] {
  const flow = EVENT_FLOWS[flowOf(call.outcome)];
  if (!flow) throw new Error(`contracts/data/event-flows.json has no flow "${flowOf(call.outcome)}"`);
  const steps: ScriptStep[] = [];
  for (const step of flow.steps) {
    if (!includes(step, call.outcome, ctx)) continue;
    const eventType = eventOf(step, ctx);
    // A busy line is reported by the detect event (a floating event of the flow) before the failure.
    if (eventType === EVENT.callOutFail && call.outcome === "busy" && flow.floating.length > 0) {
      for (const floating of flow.floating) {
        steps.push({
          eventType: floating,
          content: contentOf(floating, call, 3),
          delayMs: rng.sample(timing.eventGap),
        });
      }
    }
    steps.push({
      eventType,
      content: contentOf(eventType, call, 3),
      delayMs: rng.sample(delayOf(eventType, call.outcome, timing)),
    });
  }
  return steps;
}

/** The events of releasing a call, following the release flow in the contracts. All are queued at once. */
export function releaseScript(call: Call, ctx: ScriptContext): ScriptStep[] {
  const flow = EVENT_FLOWS.release;
  if (!flow) throw new Error('contracts/data/event-flows.json has no flow "release"');
  return flow.steps
    .filter((step) => includes(step, "release", ctx))
    .map((step) => {
      const eventType = eventOf(step, ctx);
      return { eventType, content: contentOf(eventType, call, 2), delayMs: 0 };
    });
}
