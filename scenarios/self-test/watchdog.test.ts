/**
 * Nothing waits forever: a case that waits past the run's watchdog ends as not tested and the run names what
 * was still waiting; a case that needs more agents than the profile can give ends at once, saying why.
 */
import { expect, inject, it } from "vitest";
import { AgentPool } from "../support/agent-pool.ts";
import { defineCase, runChecks, seededFaker } from "../support/cases.ts";
import { MOCK_DEADLINES } from "../support/run-files.ts";
import { makeTarget } from "../support/target.ts";

const config = inject("ccgwSuite");

it("the watchdog ends a stalled run and names what was waiting", async () => {
  // Past the sign-in flow's own deadline (promptMs): by then the case has signed in and waits, or the sign-in
  // has failed by its deadline; how fast this machine is does not decide what the watchdog finds waiting.
  const target = makeTarget(config.profile, { ...MOCK_DEADLINES, watchdogMs: 2 * MOCK_DEADLINES.promptMs });
  const pool = new AgentPool(target, 3);
  const stuck = defineCase(
    "polling",
    {
      id: "waits-for-nothing",
      title: "waits for an event that never comes",
      clause: "getAgentEvent/long-poll",
    },
    async ({ agents: [s] }) => {
      await s?.until(() => false, { within: 60_000, what: "an event that never comes" });
    },
  );
  const { results, stalled } = await runChecks([stuck], { target, pool, faker: seededFaker(1) }, 1);
  await pool.close();
  expect(results[0]?.verdict).toBe("not-tested");
  expect(results[0]?.observed).toMatch(/watchdog/);
  expect(results[0]?.findings).toEqual([]);
  expect(stalled.join("; ")).toContain("case waits-for-nothing");
  expect(stalled.join("; ")).toContain("an event that never comes");
});

it("a case that needs more agents than the profile can give is not tested, with the number it needs", async () => {
  const target = makeTarget(config.profile, MOCK_DEADLINES);
  const pool = new AgentPool(target, 2);
  const big = defineCase(
    "callout authentication",
    { id: "three", title: "needs three agents", clause: "auth/guid", needs: { signedIn: 3 } },
    async () => undefined,
  );
  const { results, stalled } = await runChecks([big], { target, pool, faker: seededFaker(1) }, 1);
  await pool.close();
  expect(results[0]?.verdict).toBe("not-tested");
  expect(results[0]?.observed).toMatch(/needs 3 agents at once; 2 of the profile's agents can be used/);
  expect(stalled).toEqual([]);
});
