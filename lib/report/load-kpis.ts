/**
 * The call-center figures of a load run as summary.json carries them (computed by load/engine/kpis.ts), and how
 * the report names each: its label and, in a few words, its definition and source (load/README.md has them in
 * full).
 */

import type { CallCenterKpis } from "../../contracts/index.ts";

// Their shape is summary.json's (contracts/schemas/harness/load-summary.schema.json).
export type { CallCenterKpis, Delay } from "../../contracts/index.ts";

/** Labels and short definitions of the delays, in the order the report shows them. */
export const DELAY_LABELS: Record<keyof CallCenterKpis["delays"], { label: string; definition: string }> = {
  postDial: {
    label: "post-dial delay",
    definition: "callout sent → AgentEvent_Customer_Alerting (RFC 6076 SRD, to ringing)",
  },
  answer: { label: "answer delay", definition: "callout sent → AgentEvent_Talking" },
  release: {
    label: "release delay",
    definition: "release of an answered call sent → AgentState_Ready or _Work",
  },
};
