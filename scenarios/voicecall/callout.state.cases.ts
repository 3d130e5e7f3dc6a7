/**
 * Callout state and form: the agent not signed in or signed out; a method other than PUT, a Content-Type other
 * than JSON or none, a near-miss path; and the page's own example request. A callout in each phase of a call and
 * each agent state is the family of callout.phases.cases.ts.
 */
import { CALLOUT_EXAMPLE, OPERATIONS, pathFor, platformRefusals } from "../../contracts/index.ts";
import type { CalledNumber } from "../../lib/target-profile.ts";
import { type Check, defineCase } from "../support/cases.ts";
import {
  baseBody,
  callIdOf,
  flowsFor,
  followCall,
  judgeLogout,
  judgeSignedOut,
  numberFor,
  placeCall,
  quietNumber,
} from "../support/judges.ts";
import type { Target } from "../support/target.ts";
import { retcodeOf, send } from "../support/transport.ts";

const FAMILY = "callout state";

/** What the cases of this family are built from: the target, its quiet and answered numbers, a valid body. */
interface StateContext {
  target: Target;
  number: CalledNumber;
  answered: CalledNumber | undefined;
  body: () => Record<string, unknown>;
}

/** The page's example request for this target: its number from the profile, fields of this edition only. */
function exampleBody(target: Target, number: string): Record<string, unknown> {
  const schema = target.contracts.schemas["voicecall/callout.request"] as {
    properties?: Record<string, unknown>;
  };
  const known = new Set(Object.keys(schema.properties ?? {}));
  const body: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(CALLOUT_EXAMPLE.request.value))
    if (known.has(name)) body[name] = value;
  // The page's skill 25 exists only on the page: without a skill in the profile, use the platform's default.
  if (target.profile.skillId === undefined) delete body.skillid;
  // Its calling number 40038 is the page's, not ours: only the profile's caller is ever presented.
  delete body.caller;
  return { ...body, ...baseBody(target, number) };
}

function stateNotSignedInCase({ body }: StateContext): Check {
  return defineCase(
    FAMILY,
    {
      id: "state-not-signed-in",
      title: "callout for an agent that is not signed in is refused",
      clause: "callout/prerequisite/signed-in",
      needs: { signedIn: 0, signedOut: 1 },
    },
    async ({ ctx, rec, spares: [spare] }) => {
      if (!spare) return;
      spare.guid = `${ctx.faker.string.uuid()}.AgentGateway0`;
      const code = retcodeOf(await spare.call("callout", body(), { session: "judge" }));
      judgeSignedOut(rec, code, "callout of an agent that is not signed in");
      if (code === "0") spare.markUnknown();
    },
  );
}

function stateAfterSignOutCase({ body }: StateContext): Check {
  return defineCase(
    FAMILY,
    {
      id: "state-after-sign-out",
      title: "callout after sign-out, with the old Guid, is refused",
      clause: "callout/prerequisite/signed-in",
      needs: { signedIn: 0, signedOut: 1 },
    },
    async ({ rec, spares: [spare] }) => {
      if (!spare) return;
      await spare.login();
      const old = spare.guid;
      judgeLogout(rec, spare, await spare.logout());
      spare.guid = old;
      const code = retcodeOf(await spare.call("callout", body(), { session: "judge" }));
      judgeSignedOut(rec, code, "callout after sign-out");
      if (code === "0") spare.markUnknown();
    },
  );
}

function methodWrongCase({ body }: StateContext): Check {
  return defineCase(
    FAMILY,
    {
      id: "method-wrong",
      title: "callout with a method other than PUT is not served",
      clause: "callout/method",
    },
    async ({ ctx, rec, agents: [s] }) => {
      if (!s) return;
      for (const method of ["POST", "GET", "DELETE"]) {
        // The agent's channel too: behind a load balancer its cookie keeps the request on the agent's node.
        const reply = await send(
          ctx.target,
          {
            operation: "callout",
            agentId: s.id,
            method,
            headers: s.headers(),
            ...(method === "POST" ? { body: body() } : {}),
          },
          s.channel,
        );
        rec.keep(reply.evidence);
        const code = retcodeOf(reply);
        rec.check("callout/method", code !== "0", `${method} answered ${code}`);
      }
    },
  );
}

/** The Content-Type header wrong (text/plain) or absent: both mandatory headers must be there and right. */
function headerContentTypeCase({ body }: StateContext, sent: "text/plain" | "absent"): Check {
  const what = sent === "absent" ? "no Content-Type" : "Content-Type text/plain";
  return defineCase(
    FAMILY,
    {
      id: sent === "absent" ? "header-content-type-absent" : "header-content-type",
      title: `callout ${sent === "absent" ? "without the Content-Type header" : "with a Content-Type other than JSON"} is refused`,
      clause: "callout/header/Content-Type",
    },
    async ({ rec, agents: [s] }) => {
      if (!s) return;
      const headers = sent === "absent" ? { guid: s.guid ?? "" } : s.headers({ "content-type": sent });
      const reply = await s.call("callout", JSON.stringify(body()), { headers, expectEnvelope: false });
      const code = retcodeOf(reply);
      rec.observed = `${what} answered ${code}`;
      rec.check("callout/header/Content-Type", code !== "0", `a body with ${what} answered ${code}`);
      rec.check("callout/header", code !== "0", `with ${what} the callout answered ${code}`);
    },
  );
}

function pageExampleCase({ number }: StateContext): Check {
  return defineCase(
    FAMILY,
    {
      id: "page-example",
      title:
        "the page's example request (a number of the profile) is accepted with a call id; its answer conforms",
      clause: CALLOUT_EXAMPLE.request["x-spec"],
    },
    async ({ ctx, rec, agents: [s] }) => {
      if (!s) return;
      const example = exampleBody(ctx.target, number.number);
      const pageAnswer = ctx.target.contracts.validate(
        "voicecall/callout.response",
        CALLOUT_EXAMPLE.response.value,
      );
      rec.check(
        CALLOUT_EXAMPLE.response["x-spec"],
        pageAnswer.length === 0,
        pageAnswer.length === 0
          ? "the page's example answer conforms to the response contract"
          : pageAnswer.map((v) => v.message).join("; "),
      );
      const local = ctx.target.contracts.validate("voicecall/callout.request", example);
      if (local.length > 0) throw new Error(`the example body breaks the contract: ${local[0]?.message}`);
      const placed = await placeCall(s, rec, example);
      const { reply, code, callId } = placed;
      rec.observed = `answered ${code}`;
      const said = `the example request (fields ${Object.keys(example).join(", ")}) answered ${code}${callId ? " with a call id" : ""}`;
      // A documented callout failure (the deployment may have no video for this agent) is the gateway's
      // choice for its platform, not a breach of the page: recorded, not failed.
      if (platformRefusals().includes(code)) {
        rec.add(CALLOUT_EXAMPLE.request["x-spec"], "open-recorded", `${said} (a documented callout failure)`);
      } else {
        rec.check(CALLOUT_EXAMPLE.request["x-spec"], code === "0" && callIdOf(reply) !== undefined, said);
      }
      const answer = ctx.target.contracts.validate("voicecall/callout.response", reply.json);
      rec.check(
        CALLOUT_EXAMPLE.response["x-spec"],
        answer.length === 0,
        `the answer to the example ${answer.length === 0 ? "conforms" : "breaks the contract"} (retcode ${code})`,
      );
      if (callId !== undefined) await followCall(s, rec, placed, flowsFor(number));
    },
  );
}

function uriNearMissCase({ body }: StateContext): Check {
  return defineCase(
    FAMILY,
    {
      id: "uri-near-miss",
      title: "callout is served on the documented path only: a near-miss path gives no success",
      clause: "callout/uri",
    },
    async ({ ctx, rec, agents: [s] }) => {
      if (!s) return;
      // The same path with one letter's case changed: a gateway that serves it is not on the page.
      const nearMiss = pathFor("callout", s.id).replace(/\/callout$/, "/callOut");
      const miss = await send(
        ctx.target,
        { operation: "callout", path: nearMiss, headers: s.headers(), body: body() },
        s.channel,
      );
      rec.keep(miss.evidence);
      const missCode = retcodeOf(miss);
      rec.check(
        "callout/uri",
        missCode !== "0",
        `${nearMiss.replace(s.id, "{agentid}")} answered ${missCode}`,
      );
      if (miss.status >= 400 && miss.status < 500)
        rec.add("transport/not-found", "pass", `an undocumented path answered HTTP ${miss.status}`);
      if (missCode === "0") return;
      const hit = await placeCall(s, rec, body());
      rec.observed = `near miss ${missCode}, documented path ${hit.code}`;
      rec.check("callout/uri", hit.code === "0", `${OPERATIONS.callout.path} answered ${hit.code}`);
      if (hit.code === "0")
        await followCall(s, rec, hit, flowsFor(ctx.target.called.find((n) => n.number === body().called)));
    },
  );
}

export function calloutStateCases(target: Target): Check[] {
  const number = quietNumber(target);
  const answered = numberFor(target, "answered");
  if (!number) return [];
  const body = () => baseBody(target, number.number);
  const ctx: StateContext = { target, number, answered, body };
  return [
    stateNotSignedInCase(ctx),
    stateAfterSignOutCase(ctx),
    methodWrongCase(ctx),
    headerContentTypeCase(ctx, "text/plain"),
    headerContentTypeCase(ctx, "absent"),
    pageExampleCase(ctx),
    uriNearMissCase(ctx),
  ];
}
