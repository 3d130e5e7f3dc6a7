/** Callout authentication (the Guid header missing, malformed, foreign, rotated): cases in callout.auth.cases.ts. */
import { defineFamily } from "../support/vitest-glue.ts";

defineFamily("callout authentication");
