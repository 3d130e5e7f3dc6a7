/**
 * The cases of the functional suite, as data: boundary cases generated from the callout contract, the
 * authentication and state cases, and the call flows. Each case runs against a Target with an AgentPool and
 * returns a CaseResult; the vitest files and the defect self-test both run them, so they test the same thing.
 */
import { en, Faker } from "@faker-js/faker";
import { type BoundaryCase, boundaryCases } from "../../contracts/boundaries.ts";
import { appliedClauses } from "../../contracts/clauses-of.ts";
import { CALLOUT_EXAMPLE } from "../../contracts/examples.ts";
import {
  agentStateCode,
  documentedRetcodes,
  EVENT_FLOWS,
  type EventFlow,
  type JsonSchema,
  OPERATIONS,
  pathFor,
  SITUATIONS,
} from "../../contracts/index.ts";
import { HarnessError } from "../../lib/errors.ts";
import { type CaseResult, caseVerdict } from "../../lib/report/conformance.ts";
import { isDialable } from "../../lib/safety.ts";
import type { CalledNumber, Outcome } from "../../lib/target-profile.ts";
import {
  type AgentPool,
  type AgentSession,
  dialPolicy,
  Recorder,
  retcodeOf,
  send,
  type Target,
} from "./client.ts";
import { checkFlow, type PolledEvent } from "./event-order.ts";

/** One case of the suite. */
export interface Check {
  id: string;
  group: "callout boundaries" | "authentication and state" | "call flows";
  title: string;
  clause: string;
  run(ctx: CheckContext, rec: Recorder): Promise<void>;
}

export interface CheckContext {
  target: Target;
  pool: AgentPool;
  faker: Faker;
}

/** A seeded faker: same seed, same data. */
export function seededFaker(seed: number): Faker {
  const faker = new Faker({ locale: [en] });
  faker.seed(seed);
  return faker;
}

function situation(name: string): { codes: string[]; clause: string } {
  const s = SITUATIONS[name];
  if (!s) throw new Error(`no situation ${name} in contracts/data/retcodes.json`);
  return { codes: s.codes, clause: s["x-spec"] };
}

// Codes that mean "refused for who is asking", not "refused for the value": an invalid value answered with
// one of these was not checked.
function authCodes(): Set<string> {
  return new Set(["not-signed-in", "guid-wrong", "guid-missing"].flatMap((n) => situation(n).codes));
}

/** Runs a check and turns what it recorded into a CaseResult; harness errors become failures of its clause. */
export async function runCheck(check: Check, ctx: CheckContext): Promise<CaseResult> {
  const rec = new Recorder();
  const started = Date.now();
  let notTested: string | undefined;
  try {
    await check.run(ctx, rec);
  } catch (error) {
    if (error instanceof NotTested) notTested = error.message;
    // The safety rails refused the callout (number outside the list, budget spent): not run against this target.
    else if (
      error instanceof HarnessError &&
      (error.code === "CCGW_NUMBER_NOT_ALLOWED" || error.code === "CCGW_BUDGET_EXCEEDED")
    )
      notTested = error.message;
    else rec.add(check.clause, "fail", `the case could not complete: ${(error as Error).message}`);
  }
  const verdict = notTested ? "not-tested" : caseVerdict(rec.findings);
  return {
    id: check.id,
    title: check.title,
    group: check.group,
    clause: check.clause,
    verdict,
    findings: rec.findings,
    evidence: rec.evidence,
    ...(notTested ? { observed: notTested } : rec.observed ? { observed: rec.observed } : {}),
    durationMs: Date.now() - started,
  };
}

/** Thrown by a check that cannot run against this target (no answered number, static auth, ...). */
export class NotTested extends Error {}

/** Runs `body` with a leased, settled agent; the agent is settled and returned afterwards. */
async function withAgent<T>(
  ctx: CheckContext,
  rec: Recorder,
  body: (s: AgentSession) => Promise<T>,
): Promise<T> {
  const session = await ctx.pool.lease();
  session.recorder = rec;
  try {
    return await body(session);
  } finally {
    if (!(await session.settle())) await session.recover();
    ctx.pool.give(session);
  }
}

/** An agent of the profile that the suite does not sign in otherwise (signed out), recording into `rec`. */
function spareAgent(ctx: CheckContext, rec: Recorder): AgentSession {
  const spare = ctx.pool.spareSession();
  if (!spare) throw new NotTested("the profile has no agent left that the suite does not sign in");
  spare.recorder = rec;
  return spare;
}

function numberFor(target: Target, outcome?: Outcome): CalledNumber | undefined {
  if (outcome) return target.called.find((c) => c.outcome === outcome);
  return target.called[0];
}

/** A valid callout body around a number of the profile (with the profile's caller and skill when set). */
function baseBody(target: Target, number: string): Record<string, unknown> {
  return {
    called: number,
    ...(target.profile.caller !== undefined ? { caller: target.profile.caller } : {}),
    ...(target.profile.skillId !== undefined ? { skillid: target.profile.skillId } : {}),
  };
}

function callIdOf(reply: { json: unknown }): string | undefined {
  const result = (reply.json as { result?: unknown } | undefined)?.result;
  return typeof result === "string" ? result : undefined;
}

/** Judges the answer to a request the contract calls invalid. */
function judgeInvalid(rec: Recorder, clause: string, what: string, code: string): void {
  const expected = situation("invalid-parameter");
  if (code === "0") {
    rec.add(
      clause,
      "fail",
      `${what} was accepted (retcode 0, a call was placed); the page does not allow it`,
    );
  } else if (expected.codes.includes(code)) {
    rec.add(clause, "pass", `${what} was refused with ${code}`);
    rec.add(expected.clause, "pass", `invalid parameter answered ${code}`);
  } else if (authCodes().has(code)) {
    rec.add(
      clause,
      "fail",
      `${what} was answered ${code}, a code for the session, not for the value: the value was not checked (expected ${expected.codes.join(" or ")})`,
    );
  } else {
    rec.add(clause, "pass", `${what} was refused (${code})`);
    rec.add(
      expected.clause,
      "fail",
      `invalid parameter answered ${code}; the page documents ${expected.codes.join(" or ")}`,
    );
  }
}

/** Judges the answer to a valid callout: retcode 0 and a call id. */
function judgeValid(
  rec: Recorder,
  clause: string,
  what: string,
  reply: { json: unknown },
  code: string,
): void {
  if (code === "0") {
    rec.add(clause, "pass", `${what} was accepted`);
    const id = callIdOf(reply);
    rec.check(
      "callout/response/result",
      id !== undefined && id.length > 0,
      id ? "success carries a call id" : "success without a call id in result",
    );
  } else {
    rec.add(clause, "fail", `${what} is valid but was refused with ${code}`);
  }
}

/** Judges an answer where the page allows any code of a situation (and refusal is required). */
function judgeSituation(rec: Recorder, name: string, what: string, code: string): boolean {
  const s = situation(name);
  if (code === "0") {
    rec.add(s.clause, "fail", `${what} was accepted (retcode 0); expected a refusal (${s.codes.join(", ")})`);
    return false;
  }
  rec.observed = `${what}: answered ${code}`;
  const ok = s.codes.includes(code);
  rec.add(
    s.clause,
    ok ? "pass" : "fail",
    ok ? `${what} refused with ${code}` : `${what} refused with ${code}, not one of ${s.codes.join(", ")}`,
  );
  return ok;
}

// ------------------------------------------------------------------------------------------ boundaries

function bodyChecks(target: Target, faker: Faker): Check[] {
  const number = numberFor(target, "not-answered") ?? numberFor(target, "busy") ?? numberFor(target);
  if (!number) return [];
  const base = baseBody(target, number.number);
  const cases = boundaryCases(target.contracts, "voicecall/callout.request", base, {
    text: (length, alphabet) =>
      Array.from({ length }, () => faker.helpers.arrayElement(alphabet as string[])).join(""),
  });
  return cases.map((c, i) => ({
    id: `boundary-${i + 1}`,
    group: "callout boundaries",
    title: `callout body ${c.name}: ${c.open ? "reaction recorded" : c.valid ? "accepted" : "refused with the invalid-parameter code"}`,
    clause: c.clause,
    run: (ctx, rec) => runBodyCase(ctx, rec, c),
  }));
}

async function runBodyCase(ctx: CheckContext, rec: Recorder, c: BoundaryCase): Promise<void> {
  let body = c.value as Record<string, unknown>;
  if (c.valid && c.field === "/called") {
    // Only numbers of the profile are ever dialled: take one of the boundary's length, or skip the case.
    const length = String(c.fieldValue).length;
    const number = ctx.target.called.find((n) => n.number.length === length);
    if (!number) throw new NotTested(`no number of ${length} characters in the profile's called list`);
    body = { ...body, called: number.number };
  }
  if (!c.valid && c.field === "/called" && isDialable(c.fieldValue)) {
    // A too-long all-digit number: sent as overdial on a listed number of the maximum length (the only longer
    // number lib/safety.ts lets through), or skipped.
    const value = String(c.fieldValue);
    const max = dialPolicy(ctx.target).maxCalledLength;
    const number = ctx.target.called.find((n) => n.number.length === max && value.length > n.number.length);
    if (!number)
      throw new NotTested(`no number of ${max} characters in the profile's called list to overdial`);
    body = { ...body, called: number.number + value.slice(number.number.length) };
  }
  if (c.valid && c.field === "/skillid" && ctx.target.profile.skillId === undefined) {
    throw new NotTested("no skillId in the profile");
  }
  await withAgent(ctx, rec, async (s) => {
    const reply = await s.call("callout", body);
    const code = retcodeOf(reply);
    if (c.open) {
      rec.observed = `answered ${code}`;
      rec.add(c.clause, "open-recorded", `${c.name}: answered ${code} (${c.open})`);
    } else if (c.valid) {
      judgeValid(rec, c.clause, c.name, reply, code);
    } else {
      judgeInvalid(rec, c.clause, c.name, code);
    }
  });
}

function agentIdChecks(target: Target): Check[] {
  const number = numberFor(target, "not-answered") ?? numberFor(target);
  const first = target.agents[0];
  if (!number || !first) return [];
  const cases = boundaryCases(target.contracts, "common/agent-id", first.id);
  const ours = new Set(target.agents.map((a) => a.id));
  return cases
    .filter((c) => !ours.has(String(c.fieldValue)))
    .map((c, i) => ({
      id: `agentid-${i + 1}`,
      group: "callout boundaries",
      title: `callout path ${c.name}: ${c.valid ? "not refused as an invalid parameter" : "refused with the invalid-parameter code"}`,
      clause: c.clause,
      run: (ctx, rec) =>
        withAgent(ctx, rec, async (s) => {
          const reply = await s.call("callout", baseBody(ctx.target, number.number), {
            agentId: String(c.fieldValue),
          });
          const code = retcodeOf(reply);
          if (c.valid) {
            // A valid id of an agent that is not ours: the gateway may refuse the session, never the value.
            const allowed = new Set([...situation("not-signed-in").codes, ...situation("guid-wrong").codes]);
            if (code === "0")
              rec.add(
                "auth/guid",
                "fail",
                `callout for agent ${String(c.fieldValue)} with agent ${s.id}'s Guid was accepted`,
              );
            else
              rec.check(
                c.clause,
                allowed.has(code),
                `agent id ${String(c.fieldValue)} (in range, not signed in) answered ${code}`,
              );
          } else {
            judgeInvalid(rec, c.clause, c.name, code);
          }
        }),
    }));
}

// ------------------------------------------------------------------------------------------ authentication and state

function authChecks(target: Target): Check[] {
  const number = numberFor(target, "not-answered") ?? numberFor(target);
  const answered = numberFor(target, "answered");
  if (!number) return [];
  const body = () => baseBody(target, number.number);
  const checks: Check[] = [
    {
      id: "auth-no-guid",
      group: "authentication and state",
      title: "callout without the Guid header is refused",
      clause: "callout/header/Guid",
      run: (ctx, rec) =>
        withAgent(ctx, rec, async (s) => {
          const reply = await s.call("callout", body(), {
            headers: { "content-type": "application/json; charset=UTF-8" },
          });
          const ok = judgeSituation(rec, "guid-missing", "callout without Guid", retcodeOf(reply));
          // Both headers are mandatory: the same callout with both is accepted in the other cases.
          rec.check("callout/header", ok, `without the Guid header the callout answered ${retcodeOf(reply)}`);
        }),
    },
    {
      id: "auth-malformed-guid",
      group: "authentication and state",
      title: "callout with a malformed Guid is refused",
      clause: "auth/guid",
      run: (ctx, rec) =>
        withAgent(ctx, rec, async (s) => {
          const reply = await s.call("callout", body(), { headers: s.headers({ guid: "not-a-guid" }) });
          judgeSituation(rec, "guid-wrong", "callout with a malformed Guid", retcodeOf(reply));
        }),
    },
    {
      id: "auth-foreign-guid",
      group: "authentication and state",
      title: "callout with another signed-in agent's Guid is refused",
      clause: "auth/guid",
      run: (ctx, rec) =>
        withAgent(ctx, rec, (a) =>
          withAgent(ctx, rec, async (b) => {
            const reply = await a.call("callout", body(), { headers: a.headers({ guid: b.guid ?? "" }) });
            judgeSituation(
              rec,
              "guid-wrong",
              `callout for agent ${a.id} with agent ${b.id}'s Guid`,
              retcodeOf(reply),
            );
          }),
        ),
    },
    {
      id: "auth-rotated-guid",
      group: "authentication and state",
      title: "under dynamic authentication the Guid from Set-GUID on a poll works for callout",
      clause: "auth/dynamic/rotation",
      run: async (ctx, rec) => {
        if (ctx.target.authMode !== "dynamic") throw new NotTested("the gateway uses static authentication");
        await withAgent(ctx, rec, async (s) => {
          const before = s.rotations;
          const { timedOut } = await s.pollUntil(() => s.rotations > before, ctx.target.deadlines.rotationMs);
          if (timedOut) {
            rec.add(
              "auth/dynamic/rotation",
              "fail",
              `no new Guid in Set-GUID within ${ctx.target.deadlines.rotationMs} ms of polling`,
            );
            return;
          }
          const reply = await s.call("callout", body());
          const code = retcodeOf(reply);
          rec.check("auth/dynamic/rotation", code === "0", `callout with the rotated Guid answered ${code}`);
        });
      },
    },
    {
      id: "state-not-signed-in",
      group: "authentication and state",
      title: "callout for an agent that is not signed in is refused",
      clause: "callout/prerequisite/signed-in",
      run: async (ctx, rec) => {
        const spare = spareAgent(ctx, rec);
        spare.guid = `${ctx.faker.string.uuid()}.AgentGateway0`;
        const reply = await spare.call("callout", body());
        judgeSignedOut(rec, retcodeOf(reply), "callout of an agent that is not signed in");
        if (retcodeOf(reply) === "0") await spare.logout();
      },
    },
    {
      id: "state-after-sign-out",
      group: "authentication and state",
      title: "callout after sign-out, with the old Guid, is refused",
      clause: "callout/prerequisite/signed-in",
      run: async (ctx, rec) => {
        const spare = spareAgent(ctx, rec);
        await spare.login();
        await spare.drain();
        const out = await spare.logout();
        rec.check("logout/response", retcodeOf(out) === "0", `sign-out answered ${retcodeOf(out)}`);
        const reply = await spare.call("callout", body());
        judgeSignedOut(rec, retcodeOf(reply), "callout after sign-out");
        if (retcodeOf(reply) === "0") await spare.logout();
      },
    },
    {
      id: "state-in-call",
      group: "authentication and state",
      title: "a second callout during an active call is refused",
      clause: "callout/prerequisite/not-in-call",
      run: (ctx, rec) =>
        withAgent(ctx, rec, async (s) => {
          await s.drain();
          const first = await s.call("callout", baseBody(ctx.target, (answered ?? number).number));
          if (retcodeOf(first) !== "0")
            throw new NotTested(`the first callout was refused (${retcodeOf(first)})`);
          if (answered)
            await s.pollUntil((events) => events.some((e) => e.eventType === "AgentEvent_Talking"));
          const second = await s.call("callout", body());
          judgeSituation(rec, "already-in-call", "callout during a call", retcodeOf(second));
        }),
    },
    {
      id: "state-held-call",
      group: "authentication and state",
      title: "callout while the only call is on hold is allowed",
      clause: "callout/prerequisite/held-call-allowed",
      run: (ctx, rec) =>
        withAgent(ctx, rec, async (s) => {
          if (!answered) throw new NotTested("no number with outcome 'answered' in the profile");
          await s.drain();
          const first = await s.call("callout", baseBody(ctx.target, answered.number));
          if (retcodeOf(first) !== "0")
            throw new NotTested(`the first callout was refused (${retcodeOf(first)})`);
          const talking = await s.pollUntil((events) =>
            events.some((e) => e.eventType === "AgentEvent_Talking"),
          );
          if (talking.timedOut) throw new NotTested("the first call was not answered in time");
          const hold = await s.call("hold");
          if (retcodeOf(hold) !== "0") throw new NotTested(`hold was refused (${retcodeOf(hold)})`);
          const second = await s.call("callout", body());
          const code = retcodeOf(second);
          rec.check(
            "callout/prerequisite/held-call-allowed",
            code === "0",
            `callout with a held call answered ${code}`,
          );
        }),
    },
    {
      id: "method-wrong",
      group: "authentication and state",
      title: "callout with a method other than PUT is not served",
      clause: "callout/method",
      run: (ctx, rec) =>
        withAgent(ctx, rec, async (s) => {
          for (const method of ["POST", "GET", "DELETE"]) {
            const reply = await send(ctx.target, {
              operation: "callout",
              method,
              path: `/agentgateway/resource/voicecall/${encodeURIComponent(s.id)}/callout`,
              headers: s.headers(),
              ...(method === "POST" ? { body: body() } : {}),
            });
            rec.keep(reply.evidence);
            const code = retcodeOf(reply);
            rec.check("callout/method", code !== "0", `${method} answered ${code}`);
          }
        }),
    },
    {
      id: "header-content-type",
      group: "authentication and state",
      title: "callout with a Content-Type other than JSON is refused",
      clause: "callout/header/Content-Type",
      run: (ctx, rec) =>
        withAgent(ctx, rec, async (s) => {
          const reply = await s.call("callout", JSON.stringify(body()), {
            headers: s.headers({ "content-type": "text/plain" }),
          });
          const code = retcodeOf(reply);
          rec.observed = `text/plain answered ${code}`;
          rec.check("callout/header/Content-Type", code !== "0", `a text/plain body answered ${code}`);
          rec.check(
            "callout/header",
            code !== "0",
            `without the JSON Content-Type the callout answered ${code}`,
          );
        }),
    },
    {
      id: "release-without-call",
      group: "authentication and state",
      title: "release without a call is refused",
      clause: "release/errors",
      run: (ctx, rec) =>
        withAgent(ctx, rec, async (s) => {
          const reply = await s.call("release");
          judgeSituation(rec, "release-without-call", "release without a call", retcodeOf(reply));
        }),
    },
  ];
  return checks;
}

function judgeSignedOut(rec: Recorder, code: string, what: string): void {
  const codes = new Set([...situation("not-signed-in").codes, ...situation("guid-wrong").codes]);
  const clause = situation("not-signed-in").clause;
  if (code === "0") {
    rec.add(
      clause,
      "fail",
      `${what} was accepted (retcode 0): a call was placed for an agent without a session`,
    );
    return;
  }
  rec.observed = `${what}: answered ${code}`;
  rec.check(clause, codes.has(code), `${what} answered ${code}`);
}

// ------------------------------------------------------------------------------------------ call flows

function flow(name: string): EventFlow {
  const found = EVENT_FLOWS[name];
  if (!found) throw new Error(`no flow ${name} in contracts/data/event-flows.json`);
  return found;
}

const FLOW_OF: Record<Outcome, string> = {
  answered: "callout-answered",
  "not-answered": "callout-not-answered",
  busy: "callout-not-answered",
  "agent-no-answer": "callout-agent-no-answer",
};

function flowChecks(target: Target): Check[] {
  const checks: Check[] = [];
  const outcomes = new Set<string>();
  for (const number of target.called) {
    const key = number.outcome ?? "unpinned";
    if (outcomes.has(key)) continue;
    outcomes.add(key);
    const flowName = number.outcome ? FLOW_OF[number.outcome] : undefined;
    const clause = flowName ? flow(flowName)["x-spec"] : "flows/callout-answered";
    checks.push({
      id: `flow-${key}`,
      group: "call flows",
      title: `callout to a number whose outcome is ${number.outcome ?? "not pinned"}: events in the documented order with the call id`,
      clause,
      run: (ctx, rec) => withAgent(ctx, rec, (s) => runFlow(ctx, rec, s, number, flowName)),
    });
  }
  checks.push({
    id: "flow-sign-in",
    group: "call flows",
    title: "sign-in, then InService and Ready",
    clause: "flows/sign-in",
    run: async (ctx, rec) => {
      const spare = spareAgent(ctx, rec);
      try {
        await spare.login();
        const signIn = flow("sign-in");
        const { events } = await spare.pollUntil((evs) => checkFlow(signIn, evs, undefined, false).complete);
        recordFlow(rec, signIn, events, undefined);
        // The state after sign-in is the one the sign-in body's status asks for; the harness sent none, so the
        // contract's default applies.
        const expected = signInDefaultState(ctx.target);
        const state = await spare.state();
        rec.check(
          "agent-states",
          state === expected,
          `agent state after sign-in: ${state ?? "none"} (expected ${expected})`,
        );
      } finally {
        const out = await spare.logout();
        rec.check("logout/response", retcodeOf(out) === "0", `sign-out answered ${retcodeOf(out)}`);
      }
    },
  });
  return checks;
}

function recordFlow(rec: Recorder, f: EventFlow, events: PolledEvent[], callId: string | undefined): boolean {
  const result = checkFlow(f, events, callId, true);
  for (const finding of result.findings) rec.add(finding.clause, "fail", finding.message);
  if (result.findings.length === 0) {
    rec.add(f["x-spec"], "pass", `${events.map((e) => e.eventType).join(" → ")}`);
  }
  return result.complete;
}

async function runFlow(
  ctx: CheckContext,
  rec: Recorder,
  s: AgentSession,
  number: CalledNumber,
  flowName: string | undefined,
): Promise<void> {
  // Events of earlier cases of this agent must not count for this call.
  await s.drain();
  const reply = await s.call("callout", baseBody(ctx.target, number.number));
  const code = retcodeOf(reply);
  if (
    !rec.check(
      "callout/response/retcode",
      code === "0",
      `callout to a number of the profile answered ${code}`,
    )
  )
    return;
  const callId = callIdOf(reply);
  rec.check(
    "callout/response/result",
    callId !== undefined,
    callId ? "success carries a call id" : "success without a call id",
  );
  // With the outcome unknown, the first terminal event decides which documented flow applies.
  const candidates = flowName ? [flow(flowName)] : [flow("callout-answered"), flow("callout-not-answered")];
  const { events } = await s.pollUntil((evs) =>
    candidates.some((f) => checkFlow(f, evs, undefined, false).complete),
  );
  const chosen =
    candidates.find((f) => checkFlow(f, events, undefined, false).complete) ?? (candidates[0] as EventFlow);
  const answered = chosen["x-spec"] === "flows/callout-answered";
  if (!answered) {
    // Optional steps may follow the terminal one (Connect_Fail, Ready): read what is queued, then judge.
    events.push(...(await s.drain()));
  }
  rec.observed = `outcome ${answered ? "answered" : "not answered"}: ${events.map((e) => e.eventType).join(", ")}`;
  recordFlow(rec, chosen, events, callId);
  if (answered && events.some((e) => e.eventType === "AgentEvent_Talking")) {
    const state = await s.state();
    const talking = agentStateCode("talking");
    rec.check(
      "agent-states",
      state === talking,
      `agent state while talking: ${state ?? "none"} (expected ${talking})`,
    );
  }
  if (answered) {
    const release = await s.call("release");
    if (!rec.check("release/response", retcodeOf(release) === "0", `release answered ${retcodeOf(release)}`))
      return;
    const releaseFlow = flow("release");
    const after = await s.pollUntil((evs) => checkFlow(releaseFlow, evs, undefined, false).complete);
    recordFlow(rec, releaseFlow, after.events, callId);
  }
  const state = await s.state();
  const ready = [agentStateCode("idle"), agentStateCode("wrap-up"), agentStateCode("busy")];
  rec.check(
    answered ? "flows/release" : chosen["x-spec"],
    state !== undefined && ready.includes(state),
    `agent state after the call: ${state ?? "none"}`,
  );
}

// ------------------------------------------------------------------------------------------ page and session

function loginSchema(target: Target): { properties: Record<string, JsonSchema>; required: string[] } {
  const schema = target.contracts.schemas["onlineagent/login.request"] as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return { properties: schema.properties ?? {}, required: schema.required ?? [] };
}

/** The state code a sign-in without `status` leads to: the contract's default of that field. */
function signInDefaultState(target: Target): number | undefined {
  const value = loginSchema(target).properties.status?.default;
  const code = typeof value === "string" ? Number(value) : value;
  return typeof code === "number" ? code : undefined;
}

/** Values of one sign-in field the contract names itself (its enum, else its default); none for free text. */
function documentedValues(field: JsonSchema): unknown[] {
  const branches = (field.oneOf ?? field.anyOf) as JsonSchema[] | undefined;
  const typed = branches?.find((b) => b.type === "integer") ?? branches?.[0];
  const values = Array.isArray(field.enum) ? field.enum : Array.isArray(typed?.enum) ? typed.enum : undefined;
  if (values) return values;
  return field.default !== undefined ? [field.default] : [];
}

// Sign-in fields the harness never sends: with both, the gateway pushes events instead of answering polls.
const PUSH_FIELDS = new Set(["callBackUri", "serviceToken"]);

/**
 * Sign-in bodies covering every optional field with a value the contract documents: one body per value of
 * the field with most values (status 3, 4, 5), each also carrying every other field at its default.
 */
function signInBodies(target: Target): Record<string, unknown>[] {
  const { properties, required } = loginSchema(target);
  const fields = Object.entries(properties)
    .filter(([name]) => !required.includes(name) && !PUSH_FIELDS.has(name))
    .map(([name, schema]) => ({ name, values: documentedValues(schema) }))
    .filter((f) => f.values.length > 0);
  const rounds = Math.max(1, ...fields.map((f) => f.values.length));
  return Array.from({ length: rounds }, (_, i) => {
    const body: Record<string, unknown> = {};
    for (const f of fields) {
      // A field's default when this round has no value of its own (agenttype 11 needs a video agent: the default wins).
      const fallback = properties[f.name]?.default;
      body[f.name] = f.values.length === rounds ? f.values[i] : (fallback ?? f.values[0]);
    }
    return body;
  });
}

/**
 * Callout failure codes that say the platform could not place the call (not that the request or the session was
 * wrong): the documented callout codes less those of an invalid parameter and of a bad session.
 */
function platformRefusals(): string[] {
  const request = new Set(
    [SITUATIONS["invalid-parameter"], SITUATIONS["not-signed-in"], SITUATIONS["guid-wrong"]].flatMap(
      (situation) => situation?.codes ?? [],
    ),
  );
  return documentedRetcodes("callout").filter((code) => code !== "0" && !request.has(code));
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
  return { ...body, ...baseBody(target, number) };
}

function pageChecks(target: Target): Check[] {
  const number = numberFor(target, "not-answered") ?? numberFor(target);
  if (!number) return [];
  return [
    {
      id: "page-example",
      group: "authentication and state",
      title:
        "the page's example request (a number of the profile) is accepted with a call id; its answer conforms",
      clause: CALLOUT_EXAMPLE.request["x-spec"],
      run: (ctx, rec) =>
        withAgent(ctx, rec, async (s) => {
          const body = exampleBody(ctx.target, number.number);
          const local = ctx.target.contracts.validate("voicecall/callout.request", body);
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
          if (local.length > 0) throw new Error(`the example body breaks the contract: ${local[0]?.message}`);
          const reply = await s.call("callout", body);
          const code = retcodeOf(reply);
          rec.observed = `answered ${code}`;
          const callId = callIdOf(reply);
          const said = `the example request (fields ${Object.keys(body).join(", ")}) answered ${code}${callId ? " with a call id" : ""}`;
          // A documented callout failure (the deployment may have no video for this agent) is the gateway's
          // choice for its platform, not a breach of the page: recorded, not failed.
          if (platformRefusals().includes(code)) {
            rec.add(
              CALLOUT_EXAMPLE.request["x-spec"],
              "open-recorded",
              `${said} (a documented callout failure)`,
            );
          } else {
            rec.check(CALLOUT_EXAMPLE.request["x-spec"], code === "0" && callId !== undefined, said);
          }
          const answer = ctx.target.contracts.validate("voicecall/callout.response", reply.json);
          rec.check(
            CALLOUT_EXAMPLE.response["x-spec"],
            code === "0" && answer.length === 0,
            `the answer to the example ${answer.length === 0 ? "conforms" : "breaks the contract"} (retcode ${code})`,
          );
        }),
    },
    {
      id: "uri-near-miss",
      group: "authentication and state",
      title: "callout is served on the documented path only: a near-miss path gives no success",
      clause: "callout/uri",
      run: (ctx, rec) =>
        withAgent(ctx, rec, async (s) => {
          const documented = pathFor("callout", s.id);
          // The same path with one letter's case changed: a gateway that serves it is not on the page.
          const nearMiss = documented.replace(/\/callout$/, "/callOut");
          const miss = await send(ctx.target, {
            operation: "callout",
            method: OPERATIONS.callout.method,
            path: nearMiss,
            headers: s.headers(),
            body: baseBody(ctx.target, number.number),
          });
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
          const hit = await s.call("callout", baseBody(ctx.target, number.number));
          const code = retcodeOf(hit);
          rec.observed = `near miss ${missCode}, documented path ${code}`;
          rec.check("callout/uri", code === "0", `${OPERATIONS.callout.path} answered ${code}`);
        }),
    },
  ];
}

function sessionChecks(): Check[] {
  return [
    {
      id: "poll-empty",
      group: "authentication and state",
      title: "a poll with nothing queued comes back, with no event, before the request deadline",
      clause: "getAgentEvent/long-poll",
      run: (ctx, rec) =>
        withAgent(ctx, rec, async (s) => {
          await s.drain();
          const started = Date.now();
          const reply = await s.call("getAgentEvent");
          const ms = Date.now() - started;
          const code = retcodeOf(reply);
          if (reply.error) {
            // The wait is the gateway's (about 10 s on the page); a deadline shorter than it says nothing.
            rec.add(
              "getAgentEvent/long-poll",
              "open-recorded",
              `an empty poll did not answer within the request deadline of ${ctx.target.deadlines.requestMs} ms`,
            );
            return;
          }
          const event = (reply.json as { event?: unknown } | undefined)?.event;
          rec.observed = `empty poll answered ${code} after ${ms} ms`;
          rec.check(
            "getAgentEvent/long-poll",
            code === "0" && (event === null || event === undefined),
            `an empty poll answered ${code} with ${event === undefined ? "no event field" : event === null ? "a null event" : "an event"} after ${ms} ms`,
          );
        }),
    },
    {
      id: "hold-without-call",
      group: "authentication and state",
      title: "hold without a call is refused",
      clause: "hold/errors",
      run: (ctx, rec) =>
        withAgent(ctx, rec, async (s) => {
          const reply = await s.call("hold");
          judgeSituation(rec, "hold-without-call", "hold without a call", retcodeOf(reply));
        }),
    },
    {
      id: "login-optional-fields",
      group: "authentication and state",
      title: "sign-in with every optional field at a documented value is accepted",
      clause: "login/body",
      run: async (ctx, rec) => {
        const spare = spareAgent(ctx, rec);
        for (const options of signInBodies(ctx.target)) {
          const body = { ...options, password: spare.agent.password, phonenum: spare.agent.phone };
          const local = ctx.target.contracts.validate("onlineagent/login.request", body);
          if (local.length > 0) throw new Error(`the sign-in body breaks the contract: ${local[0]?.message}`);
          const shown = Object.entries(options)
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(", ");
          try {
            const reply = await spare.login(options);
            rec.credit("login/header", "sign-in with Content-Type only was accepted");
            for (const { clause } of appliedClauses(
              ctx.target.contracts,
              "onlineagent/login.request",
              body,
            )) {
              rec.credit(clause, `sign-in with ${shown} answered ${retcodeOf(reply)}`);
            }
          } catch (error) {
            rec.add("login/body", "fail", `sign-in with ${shown} was refused: ${(error as Error).message}`);
          } finally {
            const out = await spare.logout();
            rec.check("logout/response", retcodeOf(out) === "0", `sign-out answered ${retcodeOf(out)}`);
          }
        }
      },
    },
    {
      id: "login-twice",
      group: "authentication and state",
      title: "sign-in of an agent already signed in is refused with the documented code",
      clause: "login/errors/100-002",
      run: async (ctx, rec) => {
        const spare = spareAgent(ctx, rec);
        await spare.login();
        try {
          const again = await spare.call(
            "login",
            { password: spare.agent.password, phonenum: spare.agent.phone },
            { headers: { "content-type": "application/json; charset=UTF-8" } },
          );
          const code = retcodeOf(again);
          judgeSituation(rec, "already-signed-in", "a second sign-in", code);
          if (code !== "0")
            rec.check("login/errors", code.startsWith("100-"), `a refused sign-in answered ${code}`);
        } finally {
          await spare.logout();
        }
      },
    },
    {
      id: "logout-twice",
      group: "authentication and state",
      title: "sign-out of an agent already signed out is refused",
      clause: "logout/errors",
      run: async (ctx, rec) => {
        const spare = spareAgent(ctx, rec);
        await spare.login();
        const out = await spare.logout();
        if (retcodeOf(out) !== "0") throw new NotTested(`the first sign-out was refused (${retcodeOf(out)})`);
        // Straight to the operation: AgentSession.logout() would fall back to a forced sign-in.
        const again = await spare.call("logout");
        judgeSituation(rec, "logout-signed-out", "a second sign-out", retcodeOf(again));
      },
    },
    {
      id: "force-login-takeover",
      group: "authentication and state",
      title: "forced sign-in of a signed-in agent succeeds with a new Guid; the old Guid stops working",
      clause: "forceLogin/takeover",
      run: async (ctx, rec) => {
        const spare = spareAgent(ctx, rec);
        await spare.login();
        try {
          const old = spare.guid;
          const forced = await spare.call(
            "forceLogin",
            { password: spare.agent.password, phonenum: spare.agent.phone },
            { headers: { "content-type": "application/json; charset=UTF-8" } },
          );
          const code = retcodeOf(forced);
          if (
            !rec.check(
              "forceLogin/takeover",
              code === "0",
              `forced sign-in of a signed-in agent answered ${code}`,
            )
          )
            return;
          rec.check(
            "forceLogin/takeover",
            spare.guid !== undefined && spare.guid !== old,
            spare.guid !== old
              ? "the forced sign-in issued a new Guid"
              : "the forced sign-in kept the old Guid",
          );
          const stale = await spare.call("getAgentStatus", undefined, {
            headers: spare.headers({ guid: old ?? "" }),
          });
          const refused = situation("guid-wrong").codes;
          const staleCode = retcodeOf(stale);
          rec.observed = `forced sign-in ${code}; old Guid answered ${staleCode}`;
          rec.check(
            "forceLogin/takeover",
            refused.includes(staleCode),
            `the old Guid answered ${staleCode} after the forced sign-in (expected ${refused.join(" or ")})`,
          );
          const fresh = await spare.call("getAgentStatus");
          rec.check(
            "forceLogin/takeover",
            retcodeOf(fresh) === "0",
            `the new Guid answered ${retcodeOf(fresh)}`,
          );
        } finally {
          await spare.logout();
        }
      },
    },
  ];
}

/** Every case of the suite for a target, in a stable order (same seed, same cases and data). */
export function buildChecks(target: Target, seed: number): Check[] {
  const faker = seededFaker(seed);
  return [
    ...bodyChecks(target, faker),
    ...agentIdChecks(target),
    ...authChecks(target),
    ...pageChecks(target),
    ...sessionChecks(),
    ...flowChecks(target),
  ];
}
