/** A callout in every phase of a call and every agent state: cases in callout.phases.cases.ts. */
import { defineFamily } from "../support/vitest-glue.ts";

defineFamily("callout phases");
