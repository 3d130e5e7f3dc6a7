/**
 * Signing an agent in and out, the one way every part does it. Sign-in sends the profile's sign-in options;
 * an agent signed in elsewhere is taken over by a forced sign-in only where the profile allows it; a refusal is
 * never retried. The sign-out sweep leaves the agent signed out whatever state it was left in: sign-out (a
 * call in the way released first), or, without a working session, sign-in (forced only where allowed),
 * release, sign-out.
 */
import type { OperationId } from "../../contracts/index.ts";
import type { Agent, TargetProfile } from "../target-profile.ts";
import { envelopeOf, isSituation, retcodeOf, SUCCESS } from "./answer.ts";
import type { GatewayReply } from "./client.ts";

/** Sends one operation for the agent (its channel keeps the Guid and cookies). */
export type SendOperation = (
  op: OperationId,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<GatewayReply>;

/** What a sign-in may do, from the profile. */
export interface SignInPolicy {
  allowForceLogin: boolean;
  /** Sign-in options the lab needs (profile.signIn). */
  options: Record<string, unknown>;
}

export function signInPolicy(profile: TargetProfile): SignInPolicy {
  return { allowForceLogin: profile.allowForceLogin === true, options: { ...(profile.signIn ?? {}) } };
}

export type SignInOutcome =
  | { ok: true; reply: GatewayReply }
  | {
      ok: false;
      /** unreadable: no envelope; password: credentials refused (stop signing anyone in: accounts lock);
       * elsewhere: signed in elsewhere and no forced sign-in allowed; refused: any other refusal. */
      kind: "unreadable" | "password" | "elsewhere" | "refused";
      code: string;
      reply: GatewayReply;
    };

const SIGN_IN_HEADERS = { "content-type": "application/json; charset=UTF-8" };

/** Signs an agent in: sign-in, and a forced sign-in when it is signed in elsewhere and the policy allows it. */
export async function signIn(
  send: SendOperation,
  agent: Agent,
  policy: SignInPolicy,
  extra: Record<string, unknown> = {},
): Promise<SignInOutcome> {
  const body = { ...policy.options, ...extra, password: agent.password, phonenum: agent.phone };
  let reply = await send("login", body, SIGN_IN_HEADERS);
  if (!envelopeOf(reply)) return { ok: false, kind: "unreadable", code: retcodeOf(reply), reply };
  if (isSituation(reply, "already-signed-in")) {
    if (!policy.allowForceLogin) return { ok: false, kind: "elsewhere", code: retcodeOf(reply), reply };
    reply = await send("forceLogin", body, SIGN_IN_HEADERS);
    if (!envelopeOf(reply)) return { ok: false, kind: "unreadable", code: retcodeOf(reply), reply };
  }
  const code = retcodeOf(reply);
  if (code === SUCCESS) return { ok: true, reply };
  return { ok: false, kind: isSituation(code, "password-refused") ? "password" : "refused", code, reply };
}

/**
 * The sign-out sweep: true when the agent is signed out at the end (or was found not signed in by a new session).
 * @param hasSession whether the channel holds a Guid of a session this process opened
 * @param takeOver whether a new session may be opened to sign the agent out (never after an answer that cannot
 * be read or a refused password: such a gateway sees no more sign-ins); without it, an agent with no working
 * session is not signed out (done is false)
 * @param beforeTakeOver runs before that new session is opened (a session keeper ends the old one's poll there)
 */
export async function signOut(
  send: SendOperation,
  agent: Agent,
  policy: SignInPolicy,
  hasSession: boolean,
  takeOver = true,
  beforeTakeOver?: () => Promise<void>,
): Promise<{ done: boolean; reply: GatewayReply | undefined }> {
  let reply: GatewayReply | undefined;
  if (hasSession) {
    reply = await send("logout");
    if (isSituation(reply, "sign-out-during-call")) {
      await send("release");
      reply = await send("logout");
    }
    // Only a success is sure: a refused sign-out may be a stale Guid of a session that is still there. An
    // answer that cannot be read says nothing either way: never sign in again on the strength of it.
    if (retcodeOf(reply) === SUCCESS) return { done: true, reply };
    if (!envelopeOf(reply)) return { done: false, reply };
  }
  if (!takeOver) return { done: false, reply };
  // No working session: take it over (where allowed), release what it holds, sign it out.
  await beforeTakeOver?.();
  const taken = await signIn(send, agent, policy);
  if (!taken.ok) return { done: false, reply: taken.reply };
  await send("release");
  reply = await send("logout");
  return { done: retcodeOf(reply) === SUCCESS, reply };
}
