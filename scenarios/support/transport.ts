/**
 * How the suite sends one request: through the target's lib/gateway client (the profile's TLS, proxy and
 * cookies per agent; opened with the run's call guard, so a callout leaves only through it), and the exchange
 * kept, redacted, as evidence. Reading the answer (envelope, retcode) is lib/gateway's too.
 */
import type { AgentChannel, GatewayReply, SendSpec } from "../../lib/gateway/index.ts";
import { redact } from "../../lib/redact.ts";
import type { Exchange } from "../../lib/report/conformance.ts";
import type { Target } from "./target.ts";

export { envelopeOf, retcodeOf, unreadable } from "../../lib/gateway/index.ts";

/** What came back from one request, with its redacted record for the report. */
export interface Reply extends GatewayReply {
  evidence: Exchange;
  /** The Guid the request carried, if any (a poll's answer may hand over another one). */
  sentGuid?: string;
}

export type RequestSpec = SendSpec;

/** Waits until the rate cap (maxCallsPerSecond) lets the next callout of this target leave. */
export async function callSlot(target: Target): Promise<void> {
  await (await target.gateway()).calloutSlot();
}

/** Sends one request for an agent's channel. Network failures come back as a Reply with `error`, never thrown. */
export async function send(target: Target, spec: SendSpec, channel?: AgentChannel): Promise<Reply> {
  // The target's client was opened with its call guard (lib/safety.ts): a callout to a number outside the
  // profile's list never leaves, callouts are paced under maxCallsPerSecond, and maxTotalCalls holds across the
  // suite's test files through the run's call ledger.
  const client = await target.gateway();
  const headers = spec.headers ?? client.headers(channel);
  const sentGuid = headers.guid;
  const reply = await client.send(spec, channel);
  const op = spec.operation ? { operation: spec.operation } : {};
  const sent = {
    method: reply.method,
    path: reply.path,
    headers,
    ...(spec.body === undefined ? {} : { body: spec.body }),
  };
  const carried = sentGuid === undefined ? {} : { sentGuid };
  if (reply.error) {
    return {
      ...reply,
      ...carried,
      evidence: redact({ ...op, request: sent, error: reply.error, ms: reply.ms }, target.secrets),
    };
  }
  const shown: Record<string, unknown> = {};
  for (const name of ["content-type", "set-guid", "allow"]) {
    if (reply.headers[name] !== undefined) shown[name] = reply.headers[name];
  }
  const response = { status: reply.status, headers: shown, body: reply.json ?? reply.text };
  return {
    ...reply,
    ...carried,
    evidence: redact({ ...op, request: sent, response, ms: reply.ms }, target.secrets),
  };
}
