/** Every boundary of every callout parameter (body and agent id): cases in callout.boundaries.cases.ts. */
import { defineFamily } from "../support/vitest-glue.ts";

defineFamily("callout boundaries");
