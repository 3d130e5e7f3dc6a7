/**
 * Callout authentication: the Guid header missing, malformed, another signed-in agent's, and under dynamic
 * authentication the Guid a poll rotated in.
 */
import { JSON_CONTENT_TYPE } from "../../lib/gateway/index.ts";
import { type Check, defineCase } from "../support/cases.ts";
import { baseBody, judgeSituation, quietNumber } from "../support/judges.ts";
import { NEED } from "../support/profile-needs.ts";
import { NotTested } from "../support/recorder.ts";
import type { Target } from "../support/target.ts";
import { retcodeOf } from "../support/transport.ts";

const FAMILY = "callout authentication";

export function calloutAuthCases(target: Target): Check[] {
  const number = quietNumber(target);
  if (!number) return [];
  const body = () => baseBody(target, number.number);
  return [
    defineCase(
      FAMILY,
      {
        id: "auth-no-guid",
        title: "callout without the Guid header is refused",
        clause: "callout/header/Guid",
      },
      async ({ rec, agents: [s] }) => {
        if (!s) return;
        const reply = await s.call("callout", body(), {
          headers: { "content-type": JSON_CONTENT_TYPE },
          session: "judge",
        });
        const ok = judgeSituation(rec, "guid-missing", "callout without Guid", retcodeOf(reply));
        // Both headers are mandatory: the same callout with both is accepted in the other cases.
        rec.check("callout/header", ok, `without the Guid header the callout answered ${retcodeOf(reply)}`);
      },
    ),
    defineCase(
      FAMILY,
      { id: "auth-malformed-guid", title: "callout with a malformed Guid is refused", clause: "auth/guid" },
      async ({ rec, agents: [s] }) => {
        if (!s) return;
        const reply = await s.call("callout", body(), {
          headers: s.headers({ guid: "not-a-guid" }),
          session: "judge",
        });
        judgeSituation(rec, "guid-wrong", "callout with a malformed Guid", retcodeOf(reply));
      },
    ),
    defineCase(
      FAMILY,
      {
        id: "auth-foreign-guid",
        title: "callout with another signed-in agent's Guid is refused",
        clause: "auth/guid",
        needs: { signedIn: 2 },
      },
      async ({ rec, agents: [a, b] }) => {
        if (!a || !b) return;
        const reply = await a.call("callout", body(), {
          headers: a.headers({ guid: b.guid ?? "" }),
          session: "judge",
        });
        judgeSituation(
          rec,
          "guid-wrong",
          `callout for agent ${a.id} with agent ${b.id}'s Guid`,
          retcodeOf(reply),
        );
      },
    ),
    defineCase(
      FAMILY,
      {
        id: "auth-rotated-guid",
        title: "under dynamic authentication the new Guid a poll hands over works for callout",
        clause: "auth/dynamic/rotation",
        plan: (target) => {
          if (target.authMode !== "dynamic")
            throw new NotTested("the gateway uses static authentication", NEED.dynamicAuth);
        },
      },
      async ({ ctx, rec, agents: [s] }) => {
        if (!s) return;
        const before = s.rotations;
        const rotated = await s.until(() => s.rotations > before, {
          within: ctx.target.deadlines.rotationMs,
          what: "a new Guid",
        });
        // Only the gateway's answer (a poll sent after the deadline came back without a new Guid) fails it.
        if (rotated.end === "missing") {
          rec.add(
            "auth/dynamic/rotation",
            "fail",
            `no new Guid handed over within ${ctx.target.deadlines.rotationMs} ms of polling`,
          );
          return;
        }
        if (rotated.end !== "complete")
          throw new NotTested(`no rotation could be awaited: ${rotated.reason}`);
        const code = retcodeOf(await s.call("callout", body(), { session: "judge" }));
        rec.check("auth/dynamic/rotation", code === "0", `callout with the rotated Guid answered ${code}`);
      },
    ),
  ];
}
