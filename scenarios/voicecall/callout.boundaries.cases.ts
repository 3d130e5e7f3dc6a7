/**
 * Callout boundaries: every boundary of every body field and of the path's agent id, generated from the
 * edition's contract (contracts/boundaries.ts). Only numbers and calling numbers of the profile are ever
 * dialled or presented; where the page leaves the reaction open, the answer is recorded as an open choice.
 */
import type { Faker } from "@faker-js/faker";
import {
  applyInsert,
  type BoundaryCase,
  boundaryCases,
  type Insert,
  openChoice,
} from "../../contracts/index.ts";
import type { ProfileNeed } from "../../lib/report/conformance.ts";
import { isDialable } from "../../lib/safety.ts";
import { type Check, defineCase } from "../support/cases.ts";
import {
  baseBody,
  codesOf,
  flowsFor,
  followCall,
  judgeInvalid,
  judgeValid,
  numberFor,
  placeCall,
  quietNumber,
} from "../support/judges.ts";
import { NEED } from "../support/profile-needs.ts";
import { NotTested, type Recorder } from "../support/recorder.ts";
import type { SuiteAgent } from "../support/suite-agent.ts";
import type { Target } from "../support/target.ts";
import { retcodeOf } from "../support/transport.ts";

const FAMILY = "callout boundaries";

/** The option of an open choice an answer shows: refused, or the choice's other option (accepted, ignored). */
function optionOf(choiceId: string, accepted: boolean): string {
  const { options } = openChoice(choiceId);
  const refused = options.find((o) => o === "refused") ?? options[0] ?? "refused";
  return accepted ? (options.find((o) => o !== refused) ?? "accepted") : refused;
}

/** The digit string a number value converts to, if it has one without a leading zero. */
function asNumber(digits: string | undefined): number | undefined {
  if (!digits || !/^[1-9][0-9]*$/.test(digits)) return undefined;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Characters an insert adds to a value. */
function insertLength(insert: Insert): number {
  return insert.text.length * (insert.at === "around" ? 2 : 1);
}

/**
 * A forbidden character or blanks put around a number of the profile (one that stays within the length limit):
 * a gateway that drops or trims them dials a number of the profile, and no other.
 */
function aroundProfileValue(
  values: readonly string[],
  insert: Insert,
  max: number | undefined,
  what: string,
  need: (min: number, max: number) => ProfileNeed,
): string {
  const room = (max ?? Number.POSITIVE_INFINITY) - insertLength(insert);
  const value = values.find((v) => v.length >= 2 && v.length <= room);
  // When the insert alone leaves less than 2 characters, no value of any profile has room: no need to name.
  if (value === undefined)
    throw new NotTested(
      `no ${what} of the profile has room for ${JSON.stringify(insert.text)}`,
      room >= 2 ? need(2, room) : undefined,
    );
  return applyInsert(value, insert);
}

/** The called value to send for a case: only numbers of the profile, or overdial on one of them. */
function calledFor(target: Target, c: BoundaryCase): unknown {
  const value = c.fieldValue;
  if (c.insert) {
    const quiet = quietNumber(target);
    const numbers = [...(quiet ? [quiet.number] : []), ...target.called.map((n) => n.number)];
    return aroundProfileValue(
      numbers,
      c.insert,
      target.calls.policy.maxCalledLength,
      "called number",
      NEED.calledRoom,
    );
  }
  if (c.kind === "wrong-type") {
    // A lenient gateway would dial the number's digits: use a number of the profile.
    const n = asNumber(target.called.find((x) => asNumber(x.number) !== undefined)?.number);
    if (n === undefined)
      throw new NotTested("no number of the profile is all digits without a leading zero", NEED.calledDigits);
    return n;
  }
  if (c.valid) {
    const length = String(value).length;
    const number = target.called.find((n) => n.number.length === length);
    if (!number)
      throw new NotTested(
        `no number of ${length} characters in the profile's called list`,
        NEED.calledLength(length),
      );
    return number.number;
  }
  if (isDialable(value)) {
    // A too-long number: overdial on a listed number of the maximum length (the only longer number
    // lib/safety.ts lets through), or skipped.
    const text = String(value);
    const max = target.calls.policy.maxCalledLength;
    const number = target.called.find((n) => n.number.length === max && text.length > n.number.length);
    if (!number)
      throw new NotTested(
        `no number of ${max} characters in the profile's called list to overdial`,
        NEED.calledLength(max ?? text.length - 1),
      );
    return number.number + text.slice(number.number.length);
  }
  return value;
}

/** The caller value to send: a value that would be presented to a customer comes from the profile. */
function callerFor(target: Target, c: BoundaryCase): unknown {
  const value = c.fieldValue;
  if (c.insert) {
    const schema = target.contracts.schemas["voicecall/callout.request"] as {
      properties?: { caller?: { maxLength?: number } };
    };
    return aroundProfileValue(
      target.callers,
      c.insert,
      schema.properties?.caller?.maxLength,
      "calling number",
      NEED.callerRoom,
    );
  }
  if (c.kind === "wrong-type") {
    const n = asNumber(target.callers.find((x) => asNumber(x) !== undefined));
    if (n === undefined)
      throw new NotTested(
        "no calling number of the profile is all digits without a leading zero",
        NEED.callerDigits,
      );
    return n;
  }
  if (typeof value !== "string" || value === "" || !/^[0-9]+$/.test(value)) return value;
  const mine = target.callers.find((x) => x.length === value.length);
  if (mine) return mine;
  // Longer than any valid caller: one of the profile's longest with its last digit repeated.
  const longest = target.callers.find((x) => x.length > 0 && value.length === x.length + 1);
  if (!c.valid && longest) return longest + longest.slice(-1);
  const length = c.valid ? value.length : value.length - 1;
  throw new NotTested(
    `no calling number of ${length} digits in the profile (caller, callers)`,
    NEED.callerLength(length),
  );
}

/** The body a case sends, built from the profile alone (the dry run calls it too). */
function bodyFor(target: Target, c: BoundaryCase): Record<string, unknown> {
  let body = c.value as Record<string, unknown>;
  if (c.field === "/called") body = { ...body, called: calledFor(target, c) };
  if (c.field === "/caller") body = { ...body, caller: callerFor(target, c) };
  if (c.valid && c.field === "/skillid" && target.profile.skillId === undefined) {
    throw new NotTested("no skillId in the profile", NEED.skillId);
  }
  return body;
}

async function runBodyCase(target: Target, rec: Recorder, s: SuiteAgent, c: BoundaryCase): Promise<void> {
  const body = bodyFor(target, c);
  const placed = await placeCall(s, rec, body);
  const { reply, code } = placed;
  if (c.open) {
    rec.observed = `answered ${code}`;
    if (c.choice)
      rec.choice(c.choice, optionOf(c.choice, code === "0"), `${c.name}: answered ${code}`, c.clause);
    else rec.add(c.clause, "open-recorded", `${c.name}: answered ${code} (${c.open})`);
  } else if (c.valid) {
    judgeValid(rec, c.clause, c.name, reply, code);
  } else {
    judgeInvalid(rec, c.clause, c.name, code, c.field);
  }
  // A call was placed: its events are held to its flow like any other call's (a lost one fails there).
  if (code === "0" && placed.callId !== undefined) {
    const number = target.called.find((n) => n.number === body.called);
    await followCall(s, rec, placed, flowsFor(number));
  }
}

function bodyChecks(target: Target, faker: Faker): Check[] {
  const number = quietNumber(target);
  if (!number) return [];
  const cases = boundaryCases(
    target.contracts,
    "voicecall/callout.request",
    baseBody(target, number.number),
    {
      text: (length, alphabet) =>
        Array.from({ length }, () => faker.helpers.arrayElement(alphabet as string[])).join(""),
    },
  );
  return cases.map((c, i) =>
    defineCase(
      FAMILY,
      {
        id: `boundary-${i + 1}`,
        title: `callout body ${c.name}: ${c.open ? "reaction recorded" : c.valid ? "accepted" : "refused with the invalid-parameter code"}`,
        clause: c.clause,
        plan: (t) => void bodyFor(t, c),
      },
      async ({ ctx, rec, agents: [s] }) => {
        if (s) await runBodyCase(ctx.target, rec, s, c);
      },
    ),
  );
}

/** Codes of a request for an agent without a session (or with another agent's Guid). */
function sessionRefusals(): string[] {
  return [...codesOf("not-signed-in").codes, ...codesOf("guid-wrong").codes];
}

/**
 * Judges an agent id outside the range. 000-002 shows the id was checked (pass, and the check order recorded);
 * retcode 0 fails. A code about the session, while the agent's own session works, shows only that the session
 * is checked first: no session can exist for an id outside the range, so such a gateway and one that never
 * checks the range answer alike. The order is recorded and the range check is not tested.
 */
async function judgeOutOfRange(
  rec: Recorder,
  s: SuiteAgent,
  c: BoundaryCase,
  code: string,
  sentGuid: string | undefined,
): Promise<void> {
  const [agentIdFirst, sessionFirst] = openChoice("check-order").options;
  if (!sessionRefusals().includes(code)) {
    judgeInvalid(rec, c.clause, c.name, code);
    if (codesOf("invalid-parameter").codes.includes(code))
      rec.choice("check-order", agentIdFirst ?? "", `${c.name}: ${code}`);
    return;
  }
  // The answer speaks of the session: it is about the id's session only if the agent's own session worked with
  // the very Guid the request carried (judged as is: a session mended meanwhile would say nothing).
  const own = retcodeOf(await s.call("getAgentStatus", undefined, { session: "judge" }));
  if (own !== "0" || s.guid !== sentGuid)
    throw new NotTested(`${c.name} was answered ${code} and the agent's own session answered ${own}`);
  rec.choice("check-order", sessionFirst ?? "", `${c.name}: ${code}`);
  throw new NotTested(
    `${c.name} was answered ${code}: the gateway checks the session first, and no session can exist for an id outside the range, so whether it checks the range cannot be seen`,
  );
}

function agentIdChecks(target: Target): Check[] {
  const number = numberFor(target, "not-answered") ?? numberFor(target);
  if (!number || target.agents.size === 0) return [];
  return boundaryCases(target.contracts, "common/agent-id", target.agents.at(0).id)
    .filter((c) => target.agents.get(String(c.fieldValue)) === undefined)
    .map((c, i) =>
      defineCase(
        FAMILY,
        {
          id: `agentid-${i + 1}`,
          title: `callout path ${c.name}: ${c.valid ? "not refused as an invalid parameter" : "refused"}`,
          clause: c.clause,
        },
        async ({ ctx, rec, agents: [s] }) => {
          if (!s) return;
          // The case is about the path's agent id and its session: session answers are its verdict.
          const sentGuid = s.guid;
          const reply = await s.call("callout", baseBody(ctx.target, number.number), {
            agentId: String(c.fieldValue),
            session: "judge",
          });
          const code = retcodeOf(reply);
          if (!c.valid) {
            await judgeOutOfRange(rec, s, c, code, sentGuid);
          } else if (code === "0") {
            rec.add(
              "auth/guid",
              "fail",
              `callout for agent ${String(c.fieldValue)} with agent ${s.id}'s Guid was accepted`,
            );
          } else {
            // A valid id of an agent that is not ours: the gateway may refuse the session, never the value.
            rec.check(
              c.clause,
              sessionRefusals().includes(code),
              `agent id ${String(c.fieldValue)} (in range, not signed in) answered ${code}`,
            );
          }
        },
      ),
    );
}

/** Every boundary case of the callout's body and agent id for a target. */
export function calloutBoundaryCases(target: Target, faker: Faker): Check[] {
  return [...bodyChecks(target, faker), ...agentIdChecks(target)];
}
