/**
 * The Guid check every operation after sign-in goes through: a missing, unknown, stale or expired Guid is
 * refused with the codes the contracts allow (situations guid-missing, guid-wrong, not-signed-in).
 */
import type { FastifyRequest } from "fastify";
import type { Answer, Runtime } from "../runtime.ts";
import { refuse } from "../runtime.ts";
import type { Session } from "../state/sessions.ts";

/** Dynamic authentication with the Guid rotated by the gateway's clock (option guidRotation "clock"). */
export function rotatesOnClock(rt: Runtime): boolean {
  return rt.options.authMode === "dynamic" && rt.options.guidRotation === "clock";
}

/** The Guid request header, if sent once and not empty. */
export function guidHeader(request: FastifyRequest): string | undefined {
  const value = request.headers.guid;
  const guid = Array.isArray(value) ? value[0] : value;
  return guid ? guid : undefined;
}

/** The cookie a load balancer pins an agent's node with (option stickyCookie): one value per agent. */
export function nodeCookie(agentId: string): { name: string; value: string } {
  return { name: "NSLBNODE", value: `node-${agentId}` };
}

/** True when the request carries the agent's node cookie. */
function onItsNode(request: FastifyRequest, agentId: string): boolean {
  const { name, value } = nodeCookie(agentId);
  const header = request.headers.cookie ?? "";
  return header.split(";").some((pair) => pair.trim() === `${name}=${value}`);
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
  // Behind a load balancer, a request without the agent's node cookie lands on a node that has no session.
  if (rt.options.stickyCookie && !onItsNode(request, agentId)) return { answer: refuse("guid-wrong") };
  const session = rt.store.live(agentId);
  if (guid === undefined) {
    if (session && rt.defects.has("guid-not-required")) return { session };
    return { answer: refuse("guid-missing") };
  }
  if (!session) return { answer: refuse(notSignedIn) };
  if (rotatesOnClock(rt)) rt.store.rotateOnClock(session, rt.options.guidRotationMs);
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
