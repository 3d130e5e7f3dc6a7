/** Call flows (events in order with one call id, Talking, release, * and #): cases in call-flows.cases.ts. */
import { defineFamily } from "../support/vitest-glue.ts";

defineFamily("call flows");
