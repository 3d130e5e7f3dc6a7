/**
 * The cases of the functional suite, as data: boundary cases generated from the callout contract, the
 * authentication and state cases, and the call flows. Each case runs against a Target with an AgentPool and
 * returns a CaseResult; the vitest files and the defect self-test both run them, so they test the same thing.
 */
import { en, Faker } from "@faker-js/faker";
import { type BoundaryCase, boundaryCases } from "../../contracts/boundaries.ts";
import { agentStateCode, EVENT_FLOWS, type EventFlow, SITUATIONS } from "../../contracts/index.ts";
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
          judgeSituation(rec, "guid-missing", "callout without Guid", retcodeOf(reply));
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
        const spare = ctx.pool.spareSession();
        if (!spare) throw new NotTested("the profile has no agent left that the suite does not sign in");
        spare.recorder = rec;
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
        const spare = ctx.pool.spareSession();
        if (!spare) throw new NotTested("the profile has no agent left that the suite does not sign in");
        spare.recorder = rec;
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
      const spare = ctx.pool.spareSession();
      if (!spare) throw new NotTested("the profile has no agent left that the suite does not sign in");
      spare.recorder = rec;
      try {
        await spare.login();
        rec.add("login/header/Set-GUID", "pass", "sign-in answered a Guid in Set-GUID");
        const signIn = flow("sign-in");
        const { events } = await spare.pollUntil((evs) => checkFlow(signIn, evs, undefined, false).complete);
        recordFlow(rec, signIn, events, undefined);
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

/** Every case of the suite for a target, in a stable order (same seed, same cases and data). */
export function buildChecks(target: Target, seed: number): Check[] {
  const faker = seededFaker(seed);
  return [
    ...bodyChecks(target, faker),
    ...agentIdChecks(target),
    ...authChecks(target),
    ...flowChecks(target),
  ];
}
