/** Every boundary of every callout parameter (body and agent id), generated from the edition's contract. */
import { defineGroup } from "../support/vitest-glue.ts";

defineGroup("callout boundaries");
