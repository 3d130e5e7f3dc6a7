/** Sign-in and sign-out: cases in sign-in.cases.ts. */
import { defineFamily } from "../support/vitest-glue.ts";

defineFamily("sign-in and sign-out");
