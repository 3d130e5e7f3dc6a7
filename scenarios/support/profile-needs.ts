/**
 * What cases need of the target profile, each said once: a case that cannot run for want of a profile field
 * throws NotTested with the field and the kind of value that would make it testable, so the report and the dry
 * run can turn untested clauses into a to-do list for the profile's author.
 */
import type { ProfileNeed } from "../../lib/report/conformance.ts";
import type { CalledNumber, Outcome } from "../../lib/target-profile.ts";
import { NotTested } from "./recorder.ts";
import type { Target } from "./target.ts";

const CALLED = "called[].number";
const CALLERS = "caller, callers";

export const NEED = {
  outcome: (outcome: Outcome): ProfileNeed => ({
    field: "called[].outcome",
    value: `a called number with outcome "${outcome}"`,
  }),
  starHash: { field: CALLED, value: "a called number with * or #" },
  calledLength: (length: number): ProfileNeed => ({
    field: CALLED,
    value: `a called number of ${length} character${length === 1 ? "" : "s"}`,
  }),
  calledRoom: (min: number, max: number): ProfileNeed => ({
    field: CALLED,
    value: `a called number of ${min} ${Number.isFinite(max) ? `to ${max} ` : "or more "}characters`,
  }),
  calledDigits: { field: CALLED, value: "a called number of digits only, without a leading zero" },
  callerLength: (length: number): ProfileNeed => ({
    field: CALLERS,
    value: `a calling number of ${length} digits`,
  }),
  callerRoom: (min: number, max: number): ProfileNeed => ({
    field: CALLERS,
    value: `a calling number of ${min} ${Number.isFinite(max) ? `to ${max} ` : "or more "}digits`,
  }),
  callerDigits: { field: CALLERS, value: "a calling number of digits only, without a leading zero" },
  skillId: { field: "skillId", value: "the id of a skill queue of the platform" },
  forceLogin: {
    field: "allowForceLogin",
    value: "true, on a gateway where agents may be signed in by force",
  },
  dynamicAuth: { field: "authMode", value: '"dynamic", on a gateway with dynamic authentication' },
} satisfies Record<string, ProfileNeed | ((...args: never[]) => ProfileNeed)>;

/** The profile's number with `outcome`; NotTested naming the field when the profile has none. */
export function numberWith(target: Target, outcome: Outcome): CalledNumber {
  const number = target.called.find((c) => c.outcome === outcome);
  if (!number)
    throw new NotTested(`no number with outcome '${outcome}' in the profile`, NEED.outcome(outcome));
  return number;
}
