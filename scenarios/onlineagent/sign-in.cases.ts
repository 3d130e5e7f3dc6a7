/**
 * Sign-in and sign-out: the optional sign-in fields, the sign-in flow and the state it leads to, signing in
 * twice, signing out twice, a forced sign-in taking a session over (only where the profile allows it), and a
 * sign-out refused while the agent is in a call.
 */
import {
  appliedClauses,
  signInFlow,
  signInOptionBodies,
  signInState,
  situation,
} from "../../contracts/index.ts";
import { JSON_CONTENT_TYPE } from "../../lib/gateway/index.ts";
import type { CalledNumber } from "../../lib/target-profile.ts";
import { type Check, defineCase } from "../support/cases.ts";
import { checkFlow } from "../support/event-order.ts";
import { judgeLogout, judgeSituation, numberFor, recordFlow, talkingCall } from "../support/judges.ts";
import { NEED, numberWith } from "../support/profile-needs.ts";
import { NotTested } from "../support/recorder.ts";
import { SignInError } from "../support/sign-ins.ts";
import type { Target } from "../support/target.ts";
import { retcodeOf } from "../support/transport.ts";

const FAMILY = "sign-in and sign-out";

/** What the cases of this family are built from: the target and its answered number. */
interface SignInContext {
  target: Target;
  answered: CalledNumber | undefined;
}
const SIGN_IN_HEADERS = { headers: { "content-type": JSON_CONTENT_TYPE } };

const ONE_SPARE = { signedIn: 0, signedOut: 1 };

function loginOptionalFieldsCase(_: SignInContext): Check {
  return defineCase(
    FAMILY,
    {
      id: "login-optional-fields",
      title: "sign-in with every optional field at a documented value is accepted",
      clause: "login/body",
      needs: ONE_SPARE,
    },
    async ({ ctx, rec, spares: [spare] }) => {
      if (!spare) return;
      for (const options of signInOptionBodies(ctx.target.contracts)) {
        const body = { ...options, password: spare.agent.password, phonenum: spare.agent.phone };
        const local = ctx.target.contracts.validate("onlineagent/login.request", body);
        if (local.length > 0) throw new Error(`the sign-in body breaks the contract: ${local[0]?.message}`);
        const shown = Object.entries(options)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(", ");
        try {
          const reply = await spare.login(options);
          rec.credit("login/header", "sign-in with Content-Type only was accepted");
          for (const { clause } of appliedClauses(ctx.target.contracts, "onlineagent/login.request", body)) {
            rec.credit(clause, `sign-in with ${shown} answered ${retcodeOf(reply)}`);
          }
        } catch (error) {
          // An answer that cannot be read, refused credentials or an agent signed in elsewhere are not about
          // these fields.
          if (!(error instanceof SignInError) || error.kind !== "refused") throw error;
          // One refusal is enough: an agent is never signed in again after a refusal (accounts lock).
          rec.add("login/body", "fail", `sign-in with ${shown} was refused: ${error.message}`);
          return;
        }
        judgeLogout(rec, spare, await spare.logout());
      }
    },
  );
}

function flowSignInCase(_: SignInContext): Check {
  return defineCase(
    FAMILY,
    {
      id: "flow-sign-in",
      title: "sign-in, then InService and Ready, and the state the sign-in asked for",
      clause: "flows/sign-in",
      needs: ONE_SPARE,
    },
    async ({ ctx, rec, spares: [spare] }) => {
      if (!spare) return;
      const mark = spare.events.length;
      await spare.login();
      const signIn = signInFlow(ctx.target.profile.signIn?.status);
      const flowed = await spare.until((evs) => checkFlow(signIn, evs, undefined, false).complete, {
        within: signIn.deadline,
        what: "the sign-in flow",
        from: mark,
      });
      recordFlow(rec, signIn, flowed.events, undefined, flowed.end === "complete" ? undefined : flowed);
      const expected = signInState(ctx.target.contracts, ctx.target.profile.signIn?.status);
      const state = await spare.state();
      rec.check(
        "agent-states",
        state === expected,
        `agent state after sign-in: ${state ?? "none"} (expected ${expected})`,
      );
      judgeLogout(rec, spare, await spare.logout());
    },
  );
}

function loginTwiceCase(_: SignInContext): Check {
  return defineCase(
    FAMILY,
    {
      id: "login-twice",
      title: "sign-in of an agent already signed in is refused with the documented code",
      clause: "login/errors/100-002",
      needs: ONE_SPARE,
    },
    async ({ ctx, rec, spares: [spare] }) => {
      if (!spare) return;
      await spare.login();
      const body = {
        ...(ctx.target.profile.signIn ?? {}),
        password: spare.agent.password,
        phonenum: spare.agent.phone,
      };
      const again = await spare.call("login", body, { ...SIGN_IN_HEADERS, session: "judge" });
      const code = retcodeOf(again);
      judgeSituation(rec, "already-signed-in", "a second sign-in", code);
      if (code !== "0")
        rec.check("login/errors", code.startsWith("100-"), `a refused sign-in answered ${code}`);
    },
  );
}

function logoutTwiceCase(_: SignInContext): Check {
  return defineCase(
    FAMILY,
    {
      id: "logout-twice",
      title: "sign-out of an agent already signed out is refused",
      clause: "logout/errors",
      needs: ONE_SPARE,
    },
    async ({ rec, spares: [spare] }) => {
      if (!spare) return;
      await spare.login();
      const guid = spare.guid;
      const out = await spare.logout();
      if (spare.signedIn !== false)
        throw new NotTested(`the first sign-out was refused (${out ? retcodeOf(out) : "no answer"})`);
      // Straight to the operation with the old Guid: the sweep would sign the agent in again.
      spare.guid = guid;
      judgeSituation(
        rec,
        "logout-signed-out",
        "a second sign-out",
        retcodeOf(await spare.call("logout", undefined, { session: "judge" })),
      );
      spare.guid = undefined;
    },
  );
}

function forceLoginTakeoverCase(_: SignInContext): Check {
  return defineCase(
    FAMILY,
    {
      id: "force-login-takeover",
      title: "forced sign-in of a signed-in agent succeeds with a new Guid; the old Guid stops working",
      clause: "forceLogin/takeover",
      needs: ONE_SPARE,
      plan: (target) => {
        if (target.profile.allowForceLogin !== true)
          throw new NotTested("the profile does not allow forced sign-in (allowForceLogin)", NEED.forceLogin);
      },
    },
    async ({ rec, spares: [spare] }) => {
      if (!spare) return;
      await spare.login();
      const old = spare.guid;
      // The forced sign-in opens a new session: the poll of the old one ends first, one opens after.
      await spare.session.stopPolling();
      const forced = await spare.call(
        "forceLogin",
        { password: spare.agent.password, phonenum: spare.agent.phone },
        { ...SIGN_IN_HEADERS, session: "judge" },
      );
      if (retcodeOf(forced) === "0") spare.session.startPolling();
      else spare.markUnknown();
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
        spare.guid !== old ? "the forced sign-in issued a new Guid" : "the forced sign-in kept the old Guid",
      );
      const stale = retcodeOf(
        await spare.call("getAgentStatus", undefined, {
          headers: spare.headers({ guid: old ?? "" }),
          session: "judge",
        }),
      );
      const refused = situation("guid-wrong").codes;
      rec.observed = `forced sign-in ${code}; old Guid answered ${stale}`;
      rec.check(
        "forceLogin/takeover",
        refused.includes(stale),
        `the old Guid answered ${stale} after the forced sign-in (expected ${refused.join(" or ")})`,
      );
      const fresh = retcodeOf(await spare.call("getAgentStatus", undefined, { session: "judge" }));
      rec.check("forceLogin/takeover", fresh === "0", `the new Guid answered ${fresh}`);
    },
  );
}

function logoutDuringCallCase({ answered }: SignInContext): Check {
  return defineCase(
    FAMILY,
    {
      id: "logout-during-call",
      title: "sign-out while the agent is talking is refused",
      clause: "logout/prerequisite/not-in-call",
      plan: (target) => void numberWith(target, "answered"),
    },
    async ({ rec, agents: [s] }) => {
      if (!s) return;
      await talkingCall(s, rec, answered);
      const code = retcodeOf(await s.call("logout"));
      judgeSituation(rec, "sign-out-during-call", "sign-out during a call", code);
      if (code === "0") await s.markSignedOut();
    },
  );
}

export function signInCases(target: Target): Check[] {
  const answered = numberFor(target, "answered");
  const ctx: SignInContext = { target, answered };
  return [
    loginOptionalFieldsCase(ctx),
    flowSignInCase(ctx),
    loginTwiceCase(ctx),
    logoutTwiceCase(ctx),
    forceLoginTakeoverCase(ctx),
    logoutDuringCallCase(ctx),
  ];
}
