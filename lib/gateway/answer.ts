/**
 * Reading a vendor answer: its envelope (a JSON object with a string retcode, whatever the HTTP status), the
 * retcode or what came instead, and the situations (contracts/data/retcodes.json) a retcode belongs to, so no
 * caller compares against a retcode literal.
 */
import { SITUATIONS } from "../../contracts/index.ts";
import type { GatewayReply } from "./client.ts";

/** The vendor's envelope of an answer: a JSON object with a string retcode. */
export function envelopeOf(
  reply: GatewayReply,
): { retcode: string; body: Record<string, unknown> } | undefined {
  const body = reply.json;
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const retcode = (body as { retcode?: unknown }).retcode;
  return typeof retcode === "string" ? { retcode, body: body as Record<string, unknown> } : undefined;
}

/** Why an answer is not the vendor's envelope, in a few words. */
export function unreadable(reply: GatewayReply): string {
  const body = reply.json;
  if (body === undefined) {
    const type = reply.headers["content-type"];
    return `not JSON${type ? `: ${String(type)}` : ""}`;
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return "JSON that is not an object";
  const retcode = (body as { retcode?: unknown }).retcode;
  if (retcode === undefined) return "no retcode";
  return `retcode ${JSON.stringify(retcode)} is a ${typeof retcode}, not a string`;
}

/**
 * The retcode of an answer, or a description of what came instead, which never equals a retcode
 * ("HTTP 405 (not JSON: text/html)", "transport error (ECONNREFUSED: ...)").
 */
export function retcodeOf(reply: GatewayReply): string {
  if (reply.error) return `transport error (${reply.error})`;
  const envelope = envelopeOf(reply);
  if (envelope) return envelope.retcode;
  return `HTTP ${reply.status} (${unreadable(reply)})`;
}

/** True when the answer's retcode is one a gateway may answer in the named situation. */
export function isSituation(reply: GatewayReply | string, name: string): boolean {
  const code = typeof reply === "string" ? reply : retcodeOf(reply);
  const situation = SITUATIONS[name];
  if (!situation) throw new Error(`no situation "${name}" in contracts/data/retcodes.json`);
  return situation.codes.includes(code);
}

/** True for the success retcode. */
export function isSuccess(reply: GatewayReply): boolean {
  return envelopeOf(reply)?.retcode === SUCCESS;
}

/** The success retcode of the envelope (the retcode schema's first alternative). */
export const SUCCESS = "0";
