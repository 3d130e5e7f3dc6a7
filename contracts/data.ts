/**
 * Typed access to the data files of the contracts: the retcode catalog, the agent state codes, the documented
 * event flows, the open choices and the clause catalog.
 */
import clauseData from "./clauses.json" with { type: "json" };
import agentStateData from "./data/agent-states.json" with { type: "json" };
import eventFlowData from "./data/event-flows.json" with { type: "json" };
import openChoiceData from "./data/open-choices.json" with { type: "json" };
import retcodeData from "./data/retcodes.json" with { type: "json" };
import talkingMediaData from "./data/talking-media.json" with { type: "json" };
import type { Edition } from "./editions.ts";

export interface RetcodeEntry {
  code: string;
  meaning: string;
  /** Operations (vendor log names) whose pages document the code. */
  documentedFor: string[];
  /** "official" when a vendor page gives the meaning; "third-party" when only public client code does. */
  source: "official" | "third-party";
  /** Editions whose error table has the code; all editions when absent. */
  editions?: Edition[];
  "x-spec"?: string;
}

export interface Situation {
  /** Codes a conforming gateway may answer in this situation. */
  codes: string[];
  /** True when the page names exactly one code. */
  pinned: boolean;
  note: string;
  "x-spec": string;
}

export interface AgentState {
  code: number;
  name: string;
  meaning: string;
  ctiStates: number[];
}

export interface FlowStep {
  event: string;
  optional?: boolean;
  condition?: string;
  /** The flow is complete when this step (or one of its alternatives) arrives. */
  terminal?: boolean;
  /** Events accepted in place of this one (e.g. AgentState_Work for AgentState_Ready). */
  alternatives?: string[];
  "x-spec": string;
}

export interface EventFlow {
  title: string;
  /** How long the flow may take from the action that triggers it: a call's setup (ringing) or a prompt reply. */
  deadline: "setup" | "prompt";
  steps: FlowStep[];
  /** Events that may arrive anywhere in the flow, because no page places them. */
  floating: string[];
  "x-spec": string;
}

export interface Clause {
  id: string;
  kind: string;
  title: string;
  /** "callout" for the interface page itself; other values name the surrounding interface. */
  page: string;
  source: string;
  editions?: Edition[];
  /** The vendor leaves the gateway's behaviour open: recorded, never failed. */
  open?: boolean;
  /** False for clauses no request can observe (platform settings, log names). */
  testable?: boolean;
}

/** A behaviour the pages leave open: the options a conforming gateway may take (the first is the mock's default). */
export interface OpenChoice {
  id: string;
  title: string;
  options: string[];
  note: string;
  /** Request field the choice is about, with the values that probe it (boundary walker, mock). */
  field?: string;
  values?: unknown[];
  /** Situation (retcodes.json) whose codes the options are. */
  situation?: string;
  "x-spec": string;
}

/** A class of ineffective call attempts (retcodes.json's ineffectiveAttempts), by what the gateway answered. */
export interface IneffectiveClass {
  class: string;
  title: string;
  /** Situations whose codes fall in this class (the first class listing a code wins). */
  situations?: string[];
  /** HTTP statuses of an answer without the envelope that fall in this class. */
  httpStatus?: number[];
}

export const INEFFECTIVE_CLASSES: readonly IneffectiveClass[] = retcodeData.ineffectiveAttempts.classes;

/** The class of a refused callout's retcode: the first class whose situations list it, else "other". */
export function ineffectiveClassOfCode(code: string): string {
  const found = INEFFECTIVE_CLASSES.find((c) =>
    (c.situations ?? []).some((name) => situation(name).codes.includes(code)),
  );
  return found?.class ?? "other";
}

/** The class of an answer without the envelope, by its HTTP status: a class listing it, else "http". */
export function ineffectiveClassOfStatus(status: number): string {
  return INEFFECTIVE_CLASSES.find((c) => c.httpStatus?.includes(status))?.class ?? "http";
}

export const RETCODES: readonly RetcodeEntry[] = retcodeData.codes as RetcodeEntry[];
export const SITUATIONS: Readonly<Record<string, Situation>> = retcodeData.situations;
export const AGENT_STATES: readonly AgentState[] = agentStateData.states;
export const EVENT_FLOWS: Readonly<Record<string, EventFlow>> = eventFlowData.flows as Record<
  string,
  EventFlow
>;
export const CLAUSES: readonly Clause[] = clauseData.clauses as Clause[];
export const OPEN_CHOICES: Readonly<Record<string, OpenChoice>> = Object.fromEntries(
  Object.entries(openChoiceData.choices).map(([id, c]) => [id, { id, ...c } as OpenChoice]),
);

/** The mediaAbility values AgentEvent_Talking may report for a callout's mediaability (absent means 0). */
export function talkingMediaFor(mediaability: number | undefined): number[] {
  return (talkingMediaData.byRequest as Record<string, number[]>)[String(mediaability ?? 0)] ?? [];
}

/** An open choice by id; throws for an id that is not in contracts/data/open-choices.json. */
export function openChoice(id: string): OpenChoice {
  const found = OPEN_CHOICES[id];
  if (!found) throw new Error(`unknown open choice "${id}": add it to contracts/data/open-choices.json`);
  return found;
}

/** A situation by name; throws for a name that is not in contracts/data/retcodes.json. */
export function situation(name: string): Situation {
  const found = SITUATIONS[name];
  if (!found) throw new Error(`no situation "${name}" in contracts/data/retcodes.json`);
  return found;
}

/** The documented sign-in flow of a sign-in status (3 busy, 4 idle, 5 wrap-up; absent: idle). */
export function signInFlow(status: number | string | undefined): EventFlow {
  const byStatus = (eventFlowData as { signInByStatus: Record<string, string> }).signInByStatus;
  const name = byStatus[String(status ?? 4)] ?? "sign-in";
  const flow = EVENT_FLOWS[name];
  if (!flow) throw new Error(`contracts/data/event-flows.json has no flow "${name}"`);
  return flow;
}

/** The events a flow's terminal step accepts (its own and its alternatives: Ready, or Work). */
function terminalEvents(name: string): string[] {
  return (EVENT_FLOWS[name]?.steps ?? [])
    .filter((step) => step.terminal)
    .flatMap((step) => [step.event, ...(step.alternatives ?? [])]);
}

/** Events that end a callout without talking: the terminal and failure steps of the callout's failure flows. */
export function calloutFailureEvents(): string[] {
  const events = Object.entries(EVENT_FLOWS)
    .filter(([id]) => id.startsWith("callout-") && id !== "callout-answered")
    .flatMap(([, flow]) =>
      flow.steps.filter((s) => s.terminal || s.event.endsWith("_Fail")).map((s) => s.event),
    );
  return [...new Set(events)];
}

/** Events that end the release flow: AgentState_Ready, or AgentState_Work for an agent that enters wrap-up. */
export function releaseEndEvents(): string[] {
  return terminalEvents("release");
}

/** The state code with this name (e.g. agentStateCode("idle") is 4). */
export function agentStateCode(name: string): number {
  const state = AGENT_STATES.find((s) => s.name === name);
  if (!state) throw new Error(`no agent state named "${name}" in contracts/data/agent-states.json`);
  return state.code;
}

/** Retcodes in the error table of an edition. */
export function retcodesOf(edition: Edition): RetcodeEntry[] {
  return RETCODES.filter((r) => !r.editions || r.editions.includes(edition));
}

/** Clauses that apply to an edition. */
export function clausesOf(edition: Edition): Clause[] {
  return CLAUSES.filter((c) => !c.editions || c.editions.includes(edition));
}

/** A clause by id; throws for an unknown id, since every id in the contracts must be in the catalog. */
export function clause(id: string): Clause {
  const found = CLAUSES.find((c) => c.id === id);
  if (!found) throw new Error(`unknown clause "${id}": add it to contracts/clauses.json`);
  return found;
}
