/** Callout state and form (signed out, in a call, a held call, method, Content-Type, path, the page's example): cases in callout.state.cases.ts. */
import { defineFamily } from "../support/vitest-glue.ts";

defineFamily("callout state");
