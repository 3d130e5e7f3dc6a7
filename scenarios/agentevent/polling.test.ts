/** Polling (the empty poll, a poll answered by an event): cases in polling.cases.ts. */
import { defineFamily } from "../support/vitest-glue.ts";

defineFamily("polling");
