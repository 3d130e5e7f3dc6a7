/**
 * How the suite sends one request (through pactum, with the target's TLS trust and request deadline) and
 * reads what came back: the vendor's JSON envelope and its retcode, whatever the HTTP status, or a description
 * of an answer that cannot be read. The safety rails of lib/safety.ts apply where a callout leaves.
 */
import { appendFileSync, existsSync, mkdirSync, statSync } from "node:fs";
import type { RequestOptions } from "node:http";
import { dirname, join } from "node:path";
import pactum from "pactum";
import type { OperationId } from "../../contracts/index.ts";
import { redact } from "../../lib/redact.ts";
import type { Exchange } from "../../lib/report/conformance.ts";
import { CallGuard } from "../../lib/safety.ts";
import { dialPolicy, type Target } from "./target.ts";

/** What came back from one request. */
export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or undefined. */
  json: unknown;
  text: string;
  error?: string;
  ms: number;
  /** Redacted record for the report. */
  evidence: Exchange;
}

export interface RequestSpec {
  operation?: OperationId;
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** A value is sent as JSON text; a string is sent as it is. */
  body?: unknown;
}

// pactum logs every transport error itself; the suite reports them as findings instead.
pactum.settings.setLogLevel("ERROR");

const guards = new WeakMap<Target, CallGuard>();

/** The call guard of a target; its budget is counted in <report dir>/raw/callouts.count when there is one. */
function guardOf(target: Target): CallGuard {
  let guard = guards.get(target);
  if (!guard) {
    const dir = process.env.CCGW_REPORT_DIR;
    const file = dir ? join(dir, "raw", "callouts.count") : undefined;
    const counter = file
      ? {
          spent: () => (existsSync(file) ? statSync(file).size : 0),
          record: () => {
            mkdirSync(dirname(file), { recursive: true });
            appendFileSync(file, "1");
          },
        }
      : undefined;
    guard = new CallGuard(dialPolicy(target), counter ? { counter } : {});
    guards.set(target, guard);
  }
  return guard;
}

/** Waits until the rate cap (maxCallsPerSecond) lets the next callout of this target leave. */
export async function callSlot(target: Target): Promise<void> {
  const guard = guardOf(target);
  for (let wait = guard.delayBeforeNextCall(); wait > 0; wait = guard.delayBeforeNextCall()) {
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** Sends one request through pactum. Transport errors come back as a Reply with `error`, never thrown. */
export async function send(target: Target, spec: RequestSpec): Promise<Reply> {
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
  const url = `${target.profile.baseUrl.replace(/\/$/, "")}${spec.path}`;
  const bodyText =
    spec.body === undefined
      ? undefined
      : typeof spec.body === "string"
        ? spec.body
        : JSON.stringify(spec.body);
  const headers = { ...(spec.headers ?? {}) };
  let request = pactum
    .spec()
    .withMethod(spec.method)
    .withPath(url)
    .withHeaders(headers)
    .withCore(target.core as RequestOptions)
    .withRequestTimeout(target.deadlines.requestMs);
  if (bodyText !== undefined) request = request.withBody(bodyText);
  const started = Date.now();
  const res = (await request.toss()) as unknown as {
    statusCode?: number;
    headers?: Record<string, string | string[] | undefined>;
    json?: unknown;
    text?: string;
    message?: string;
    code?: string;
  };
  const ms = Date.now() - started;
  const op = spec.operation ? { operation: spec.operation } : {};
  const sent = {
    method: spec.method,
    path: spec.path,
    headers,
    ...(spec.body === undefined ? {} : { body: spec.body }),
  };
  if (typeof res.statusCode !== "number") {
    const error = `${res.code ?? "error"}: ${res.message ?? "no response"}`;
    const evidence = redact({ ...op, request: sent, error, ms }, target.secrets);
    return { status: 0, headers: {}, json: undefined, text: "", error, ms, evidence };
  }
  const responseHeaders = res.headers ?? {};
  const shown: Record<string, unknown> = {};
  for (const name of ["content-type", "set-guid", "allow"]) {
    if (responseHeaders[name] !== undefined) shown[name] = responseHeaders[name];
  }
  const response = { status: res.statusCode, headers: shown, body: res.json ?? res.text };
  return {
    status: res.statusCode,
    headers: responseHeaders,
    json: res.json,
    text: res.text ?? "",
    ms,
    evidence: redact({ ...op, request: sent, response, ms }, target.secrets),
  };
}

/** The vendor's envelope of an answer: a JSON object with a string retcode. */
export function envelopeOf(reply: Reply): { retcode: string; body: Record<string, unknown> } | undefined {
  const body = reply.json;
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const retcode = (body as { retcode?: unknown }).retcode;
  return typeof retcode === "string" ? { retcode, body: body as Record<string, unknown> } : undefined;
}

/**
 * The retcode of a vendor answer (whatever its HTTP status: a gateway may send a failure envelope with 4xx), or
 * a description of what came instead, which never equals a retcode ("HTTP 405 (no JSON envelope)").
 */
export function retcodeOf(reply: Reply): string {
  if (reply.error) return `transport error (${reply.error})`;
  const envelope = envelopeOf(reply);
  if (envelope) return envelope.retcode;
  return `HTTP ${reply.status} (${unreadable(reply)})`;
}

/** Why an answer is not the vendor's envelope, in a few words. */
export function unreadable(reply: Reply): string {
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
