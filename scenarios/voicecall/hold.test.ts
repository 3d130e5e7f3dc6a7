/** Hold: cases in hold.cases.ts. */
import { defineFamily } from "../support/vitest-glue.ts";

defineFamily("hold");
