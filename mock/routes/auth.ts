/**
 * The Guid check every operation after sign-in goes through: a missing, unknown, stale or expired Guid is
 * refused with the codes the contracts allow (situations guid-missing, guid-wrong, not-signed-in).
 */
import type { FastifyRequest } from "fastify";
import type { Answer, Runtime } from "../runtime.ts";
import { refuse } from "../runtime.ts";
import type { Session } from "../state/sessions.ts";

/** The Guid request header, if sent once and not empty. */
export function guidHeader(request: FastifyRequest): string | undefined {
  const value = request.headers.guid;
  const guid = Array.isArray(value) ? value[0] : value;
  return guid ? guid : undefined;
}

/**
 * The session the request may act on, or the refusal to answer.
 * @param notSignedIn situation to answer when the agent has no session (logout has its own)
 */
export function authenticate(
  rt: Runtime,
  request: FastifyRequest,
  agentId: string,
  notSignedIn = "not-signed-in",
): { session: Session } | { answer: Answer } {
  const guid = guidHeader(request);
  const session = rt.store.live(agentId);
  if (guid === undefined) {
    if (session && rt.defects.has("guid-not-required")) return { session };
    return { answer: refuse("guid-missing") };
  }
  if (!session) return { answer: refuse(notSignedIn) };
  const check = session.guids.check(
    guid,
    rt.clock.now(),
    rt.options.guidValidityMs,
    rt.faults.config.guidExpiryMs,
  );
  if (check === "current" || check === "previous") return { session };
  if (check === "unknown" && rt.defects.has("foreign-guid-accepted") && rt.store.guidOwners.has(guid)) {
    return { session };
  }
  return { answer: refuse("guid-wrong") };
}
