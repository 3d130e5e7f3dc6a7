/** The pactum adapter and expect handler report contract violations with their clauses. */
import type { RequestOptions } from "node:http";
import pactum from "pactum";
import { expect, inject, it } from "vitest";
import { schemaId } from "../../contracts/index.ts";
import { makeTarget } from "../support/target.ts";

it("pactum validates a live answer through the contracts and names the clause of a violation", async () => {
  const config = inject("ccgwSuite");
  const target = makeTarget(config.profile, config.deadlines);
  const url = `${config.profile.baseUrl}/agentgateway/resource/voicecall/${target.agents.at(0).id}/callout`;
  const base = () =>
    pactum
      .spec()
      .put(url)
      .withHeaders({ "content-type": "application/json; charset=UTF-8" })
      .withBody(JSON.stringify({ called: "1" }))
      .withCore(target.core as RequestOptions);
  // An answer without a Guid is a refusal: it conforms to the callout response contract.
  await base()
    .expectJsonSchema({ $ref: schemaId("voicecall/callout.response") })
    .expect("contract", { schema: "voicecall/callout.response" });
  // The same answer does not conform to the success-only schema of an event: the message names its clause.
  await expect(base().expect("contract", { schema: "events/AgentEvent_Talking" }).toss()).rejects.toThrow(
    /\[callout\/events\/AgentEvent_Talking\]/,
  );
});
