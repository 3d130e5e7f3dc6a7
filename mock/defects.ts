/**
 * Defect mode: a catalog of realistic vendor bugs the mock can switch on by name, so the functional suite can
 * prove it catches each one. Every defect names the contracts clause the suite must fail on; the code paths
 * that implement them check `defects.has(name)` at one small switch each.
 */
import { MockConfigError } from "./faults.ts";
import type { GatewayOptions } from "./options.ts";

export interface DefectDefinition {
  /** Name used by the option, the --defect flag and PUT /__mock/defects. */
  readonly name: string;
  /** What the gateway does wrong, in one sentence. */
  readonly description: string;
  /** Clause id (contracts/clauses.json) the functional suite must report as failed. */
  readonly clause: string;
  /** The operation whose answer shows the defect. */
  readonly operation: "callout" | "getAgentEvent" | "login" | "logout" | "any";
  /**
   * A setting of the mock under which the suite can tell the defect on a loaded machine, when the suite's own
   * settings can hide it (a 200 ms poll hold leaves no room to tell a held event from a prompt one).
   */
  readonly showsWith?: Pick<GatewayOptions, "pollWaitMs">;
}

/** The catalog. */
export const DEFECTS = [
  {
    name: "called-25-digits",
    description: "Accepts a called number of 25 digits (one over the limit) and places the call.",
    clause: "callout/body/called",
    operation: "callout",
  },
  {
    name: "called-with-letter",
    description: "Accepts a called number containing a letter.",
    clause: "callout/body/called",
    operation: "callout",
  },
  {
    name: "wrong-retcode-invalid-parameter",
    description: "Answers an invalid callout parameter with 100-007 instead of 000-002.",
    clause: "callout/errors/000-002",
    operation: "callout",
  },
  {
    name: "no-callid-on-success",
    description: "A successful callout answers retcode 0 without the call id in result.",
    clause: "callout/response/result",
    operation: "callout",
  },
  {
    name: "callid-on-failure",
    description: "A failed callout still carries a call id in result.",
    clause: "callout/response/result/on-failure",
    operation: "callout",
  },
  {
    name: "events-out-of-order",
    description: "Sends AgentEvent_Talking before AgentEvent_Customer_Alerting on an answered call.",
    clause: "flows/callout-answered",
    operation: "getAgentEvent",
  },
  {
    name: "event-callid-mismatch",
    description: "The events of a call carry a call id different from the one the callout returned.",
    clause: "flows/callout-answered",
    operation: "getAgentEvent",
  },
  {
    name: "foreign-guid-accepted",
    description: "Accepts the Guid of another signed-in agent.",
    clause: "auth/guid",
    operation: "callout",
  },
  {
    name: "callout-during-call",
    description: "Accepts a callout while the agent is already in an active, not held call.",
    clause: "callout/prerequisite/not-in-call",
    operation: "callout",
  },
  {
    name: "agentid-out-of-range",
    description:
      "Does not check the agent id against the edition's range: a request for an id outside it acts for the agent whose Guid it carries.",
    clause: "callout/path/agentid",
    operation: "callout",
  },
  {
    name: "dynamic-guid-not-honoured",
    description:
      "Under dynamic authentication, sends a new Guid in Set-GUID but keeps accepting only the old one.",
    clause: "auth/dynamic/rotation",
    operation: "getAgentEvent",
  },
  {
    name: "call-out-fail-content-object",
    description: "AgentEvent_Call_Out_Fail carries an object ({callid}) instead of the bare call id.",
    clause: "callout/events/AgentEvent_Call_Out_Fail",
    operation: "getAgentEvent",
  },
  {
    name: "callappdata-over-16k",
    description: "Accepts callappdata longer than 16 KB.",
    clause: "callout/body/callappdata",
    operation: "callout",
  },
  {
    name: "guid-not-required",
    description: "Accepts a callout without the Guid header.",
    clause: "callout/header/Guid",
    operation: "callout",
  },
  {
    name: "callout-without-sign-in",
    description: "Places a call for an agent that is not signed in.",
    clause: "callout/prerequisite/signed-in",
    operation: "callout",
  },
  {
    name: "event-workno-wrong",
    description: "Events carry a workNo that is not the polling agent's.",
    clause: "getAgentEvent/response/event/workNo",
    operation: "getAgentEvent",
  },
  {
    name: "callid-reused",
    description: "Hands out the first call id it issued again for every later call, of any agent.",
    clause: "callout/response/result",
    operation: "callout",
  },
  {
    name: "talking-called-wrong",
    description: "AgentEvent_Talking carries a called number other than the one dialled.",
    clause: "callout/events/AgentEvent_Talking",
    operation: "getAgentEvent",
  },
  {
    name: "called-star-hash-refused",
    description: "Refuses a valid called number that contains * or # with 000-002.",
    clause: "callout/body/called",
    operation: "callout",
  },
  {
    name: "poll-holds-events",
    description:
      "A waiting poll does not answer when an event arrives; the event comes only when the wait ends.",
    clause: "getAgentEvent/long-poll",
    operation: "getAgentEvent",
    // A callout must be answered well inside the hold for the case to judge; 2 s leaves room on a busy machine.
    showsWith: { pollWaitMs: 2000 },
  },
  {
    name: "terminal-event-lost",
    description: "Loses the event that ends a call's setup (AgentEvent_Talking or AgentEvent_Call_Out_Fail).",
    clause: "flows/callout-answered",
    operation: "getAgentEvent",
  },
  {
    name: "logout-during-call-accepted",
    description: "Signs out an agent that is talking (answers 0 instead of 100-010).",
    clause: "logout/prerequisite/not-in-call",
    operation: "logout",
  },
  {
    name: "ready-lost",
    description: "After a release the agent is ready again, but AgentState_Ready never reaches its polls.",
    clause: "events/AgentState_Ready",
    operation: "getAgentEvent",
  },
  {
    name: "talking-lost",
    description: "An answered call is connected, but AgentEvent_Talking never reaches the agent's polls.",
    clause: "callout/events/AgentEvent_Talking",
    operation: "getAgentEvent",
  },
  {
    name: "event-loss",
    description: "Loses one event in twenty, whatever its type (a queue that drops under load).",
    clause: "getAgentEvent/delivery",
    operation: "getAgentEvent",
  },
  {
    name: "hold-event-lost",
    description: "Holds the call, but AgentEvent_Hold never reaches the agent's polls.",
    clause: "events/AgentEvent_Hold",
    operation: "getAgentEvent",
  },
  {
    name: "release-events-callid-wrong",
    description: "AgentEvent_Call_Release and AgentEvent_Customer_Release carry another call's id.",
    clause: "flows/release",
    operation: "getAgentEvent",
  },
  {
    name: "talking-media-audio-only",
    description:
      "AgentEvent_Talking reports mediaAbility 1 (voice) whatever mediaability the callout asked for.",
    clause: "callout/events/AgentEvent_Talking",
    operation: "getAgentEvent",
  },
  {
    name: "event-gen-time-seconds",
    description: "eventGenTime is in seconds since the epoch, not milliseconds.",
    clause: "getAgentEvent/response/event/eventGenTime",
    operation: "getAgentEvent",
  },
  {
    name: "called-unanchored-start",
    description:
      "Checks called with a pattern not anchored at its start: forbidden characters before the digits pass.",
    clause: "callout/body/called",
    operation: "callout",
  },
  {
    name: "called-blanks-trimmed",
    description: "Trims blanks around called before checking it, so a padded number is accepted.",
    clause: "callout/body/called",
    operation: "callout",
  },
  {
    name: "content-type-not-required",
    description: "Accepts a callout without the Content-Type header (reads the body as JSON anyway).",
    clause: "callout/header/Content-Type",
    operation: "callout",
  },
  {
    name: "second-callout-while-ringing",
    description:
      "Accepts a second callout while the first call is still being set up (dialling or alerting); refuses it once talking.",
    clause: "callout/prerequisite/not-in-call",
    operation: "callout",
  },
  {
    name: "callout-refused-unless-idle",
    description:
      "Refuses a callout by an agent that is busy or in wrap-up (100-007), though it is in no call.",
    clause: "callout/prerequisite/any-agent-state",
    operation: "callout",
  },
  {
    name: "retcode-as-number",
    description: 'Success answers carry retcode 0 as a JSON number instead of the string "0".',
    clause: "callout/response/retcode",
    operation: "any",
  },
  {
    name: "html-answers",
    description:
      "Every vendor answer is an HTML page (a portal or proxy in front of the gateway), not the JSON envelope.",
    clause: "common/response/envelope",
    operation: "any",
  },
] as const satisfies readonly DefectDefinition[];

export type DefectName = (typeof DEFECTS)[number]["name"];

const NAMES = new Set<string>(DEFECTS.map((d) => d.name));

export function isDefectName(name: string): name is DefectName {
  return NAMES.has(name);
}

/** Checks a list of defect names; throws MockConfigError naming an unknown one. */
export function validateDefects(value: unknown, root = "defects"): DefectName[] {
  if (!Array.isArray(value)) throw new MockConfigError(root, "must be an array of defect names");
  return value.map((name, i) => {
    if (typeof name !== "string" || !isDefectName(name)) {
      throw new MockConfigError(
        `${root}/${i}`,
        `unknown defect ${JSON.stringify(name)}; known: ${[...NAMES].join(", ")}`,
      );
    }
    return name;
  });
}

/** The set of defects switched on. */
export class Defects {
  private enabled = new Set<DefectName>();
  constructor(names: unknown = []) {
    this.set(names);
  }
  set(names: unknown): void {
    this.enabled = new Set(validateDefects(names));
  }
  has(name: DefectName): boolean {
    return this.enabled.size > 0 && this.enabled.has(name);
  }
  get any(): boolean {
    return this.enabled.size > 0;
  }
  list(): DefectName[] {
    return [...this.enabled];
  }
}
