/**
 * How the suite sends one request: through lib/gateway's client (the profile's TLS, proxy and cookies per
 * agent), with the safety rails of lib/safety.ts where a callout leaves, and the exchange kept, redacted, as
 * evidence. Reading the answer (envelope, retcode) is lib/gateway's too.
 */
import { CallLedger } from "../../lib/call-ledger.ts";
import {
  type AgentChannel,
  GatewayClient,
  type GatewayReply,
  type SendSpec,
} from "../../lib/gateway/index.ts";
import { redact } from "../../lib/redact.ts";
import type { Exchange } from "../../lib/report/conformance.ts";
import { CallGuard } from "../../lib/safety.ts";
import { dialPolicy, type Target } from "./target.ts";

export { envelopeOf, retcodeOf, unreadable } from "../../lib/gateway/index.ts";

/** What came back from one request, with its redacted record for the report. */
export interface Reply extends GatewayReply {
  evidence: Exchange;
  /** The Guid the request carried, if any (a poll's answer may hand over another one). */
  sentGuid?: string;
}

export type RequestSpec = SendSpec;

const guards = new WeakMap<Target, CallGuard>();
const clients = new WeakMap<Target, Promise<GatewayClient>>();

/** The call guard of a target; its budget is counted in the run's call ledger when there is a report folder. */
function guardOf(target: Target): CallGuard {
  let guard = guards.get(target);
  if (!guard) {
    const dir = process.env.CCGW_REPORT_DIR;
    guard = new CallGuard(dialPolicy(target), dir ? { counter: CallLedger.inReportDir(dir) } : {});
    guards.set(target, guard);
  }
  return guard;
}

/** The gateway client of a target, opened on first use. */
function clientOf(target: Target): Promise<GatewayClient> {
  let client = clients.get(target);
  if (!client) {
    client = GatewayClient.open(target.profile, { timeoutMs: target.deadlines.requestMs });
    clients.set(target, client);
  }
  return client;
}

/** Closes the target's client (its keep-alive connections). */
export async function closeTransport(target: Target): Promise<void> {
  const client = clients.get(target);
  clients.delete(target);
  await (await client)?.close();
}

/** Waits until the rate cap (maxCallsPerSecond) lets the next callout of this target leave. */
export async function callSlot(target: Target): Promise<void> {
  const guard = guardOf(target);
  for (let wait = guard.delayBeforeNextCall(); wait > 0; wait = guard.delayBeforeNextCall()) {
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** Sends one request for an agent's channel. Network failures come back as a Reply with `error`, never thrown. */
export async function send(target: Target, spec: SendSpec, channel?: AgentChannel): Promise<Reply> {
  // Safety where the request is made (lib/safety.ts): a callout to a number outside the profile's list never
  // leaves, callouts are paced under maxCallsPerSecond, and maxTotalCalls holds across the suite's test files.
  if (spec.operation === "callout") {
    // NOTE: no await between the last check of the rate and the admission, or concurrent sends would both pass.
    const guard = guardOf(target);
    for (let wait = guard.delayBeforeNextCall(); wait > 0; wait = guard.delayBeforeNextCall()) {
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    guard.admitBody(spec.body);
  }
  const client = await clientOf(target);
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
