/** Call flows: callout, the documented events in order with one call id, release, and the agent ready again. */
import { defineGroup } from "../support/vitest-glue.ts";

defineGroup("call flows");
