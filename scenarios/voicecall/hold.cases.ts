/** Hold: holding without a call is refused (a held call, its event and a callout beside it are callout phases cases). */
import { type Check, defineCase } from "../support/cases.ts";
import { judgeSituation } from "../support/judges.ts";
import { retcodeOf } from "../support/transport.ts";

export function holdCases(): Check[] {
  return [
    defineCase(
      "hold",
      { id: "hold-without-call", title: "hold without a call is refused", clause: "hold/errors" },
      async ({ rec, agents: [s] }) => {
        if (!s) return;
        judgeSituation(rec, "hold-without-call", "hold without a call", retcodeOf(await s.call("hold")));
      },
    ),
  ];
}
