/** Authentication and agent state around callout: Guid missing, wrong, foreign, rotated; signed out; in a call; held; method; Content-Type. */
import { defineGroup } from "../support/vitest-glue.ts";

defineGroup("authentication and state");
