/**
 * The main job's own small client of the gateway: the preflight (one sign-in and sign-out of the first agent,
 * bounded in time) that turns an unreachable host, an untrusted certificate, a non-JSON answer or a refused
 * sign-in into one catalogued error, and the sign-out sweep that leaves no agent signed in after a run.
 */
import { readFile } from "node:fs/promises";
import { Agent as Dispatcher, request } from "undici";
import { pathFor } from "../../contracts/index.ts";
import { HarnessError } from "../../lib/errors.ts";
import { redactText } from "../../lib/redact.ts";
import { type Agent, profileSecrets, type TargetProfile } from "../../lib/target-profile.ts";

/** How to talk to the target: a dispatcher honouring tls.caFile / tls.insecure, and a time limit per request. */
export interface Connection {
  baseUrl: string;
  dispatcher: Dispatcher;
  timeoutMs: number;
  secrets: string[];
  close(): Promise<void>;
}

/** Opens a connection to the profile's gateway. A caFile that cannot be read is a CCGW_TARGET_TLS error. */
export async function connect(profile: TargetProfile, timeoutMs: number): Promise<Connection> {
  let ca: string | undefined;
  if (profile.tls?.caFile) {
    try {
      ca = await readFile(profile.tls.caFile, "utf8");
    } catch (error) {
      throw new HarnessError(
        "CCGW_TARGET_TLS",
        `cannot read tls.caFile ${profile.tls.caFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        "point tls.caFile at the PEM of the CA that signed the gateway's certificate",
      );
    }
  }
  const dispatcher = new Dispatcher({
    connect: {
      ...(ca ? { ca } : {}),
      rejectUnauthorized: profile.tls?.insecure !== true,
      timeout: timeoutMs,
    },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connections: 16,
  });
  return {
    baseUrl: profile.baseUrl.replace(/\/+$/, ""),
    dispatcher,
    timeoutMs,
    secrets: profileSecrets(profile),
    close: () => dispatcher.close(),
  };
}

const TLS_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "EPROTO",
]);

/** The innermost error code of a network failure (undici wraps the socket's error in `cause`). */
function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  let code: string | undefined;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const c = (current as { code?: unknown }).code;
    if (typeof c === "string") code = c;
    current = (current as { cause?: unknown }).cause;
  }
  return code;
}

/** Turns a network failure into CCGW_TARGET_TLS or CCGW_TARGET_UNREACHABLE, naming what happened. */
export function classifyNetworkError(error: unknown, url: string): HarnessError {
  if (error instanceof HarnessError) return error;
  const code = errorCode(error);
  const message = (error as Error).message;
  if (
    (code && (TLS_CODES.has(code) || code.startsWith("ERR_TLS") || code.startsWith("ERR_SSL"))) ||
    /certificate|ssl|tls/i.test(message)
  ) {
    return new HarnessError(
      "CCGW_TARGET_TLS",
      `TLS with ${url} failed: ${code ?? message}`,
      "set tls.caFile to the CA that signed the gateway's certificate (tls.insecure skips the check, with a warning)",
    );
  }
  const timeout =
    code === "UND_ERR_CONNECT_TIMEOUT" ||
    code === "UND_ERR_HEADERS_TIMEOUT" ||
    /timeout|aborted/i.test(message);
  return new HarnessError(
    "CCGW_TARGET_UNREACHABLE",
    `${url} does not answer: ${timeout ? "no answer within the time limit" : (code ?? message)}`,
    "check baseUrl, the port (8043 by default) and that this machine can reach the gateway",
  );
}

/** A parsed vendor answer. */
export interface Answer {
  status: number;
  retcode: string;
  message: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/**
 * Sends one request and insists on a JSON vendor envelope. Never puts a password or a Guid in an error message.
 */
export async function call(
  conn: Connection,
  method: "GET" | "PUT" | "POST" | "DELETE",
  path: string,
  options: { body?: unknown; guid?: string } = {},
): Promise<Answer> {
  const url = `${conn.baseUrl}${path}`;
  const headers: Record<string, string> = { "content-type": "application/json; charset=UTF-8" };
  if (options.guid) headers.guid = options.guid;
  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await request(url, {
      method,
      headers,
      dispatcher: conn.dispatcher,
      signal: AbortSignal.timeout(conn.timeoutMs),
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  } catch (error) {
    throw classifyNetworkError(error, conn.baseUrl);
  }
  let text: string;
  try {
    text = await response.body.text();
  } catch (error) {
    throw classifyNetworkError(error, conn.baseUrl);
  }
  const type = String(response.headers["content-type"] ?? "");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (
    typeof parsed !== "object" ||
    parsed === null ||
    typeof (parsed as { retcode?: unknown }).retcode !== "string"
  ) {
    const snippet = redactText(text.replace(/\s+/g, " ").trim().slice(0, 80), conn.secrets);
    throw new HarnessError(
      "CCGW_TARGET_NOT_JSON",
      `${method} ${path.replace(/\/\d+(\/|$)/, "/{agentid}$1")} answered HTTP ${response.statusCode} ${type || "without a content type"}, not a JSON envelope with a retcode${snippet ? ` ("${snippet}")` : ""}`,
      "check that baseUrl points at the CC-Gateway itself (scheme, host and port only), not at a proxy or web console",
    );
  }
  const body = parsed as Record<string, unknown>;
  return {
    status: response.statusCode,
    retcode: body.retcode as string,
    message: typeof body.message === "string" ? body.message : typeof body.msg === "string" ? body.msg : "",
    headers: response.headers,
    body,
  };
}

/** The Guid from a Set-GUID header ("JSESSIONID=<guid>"). */
export function guidFrom(answer: Answer): string | undefined {
  const raw = answer.headers["set-guid"];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return undefined;
  return value.replace(/^.*JSESSIONID=/, "").trim();
}

// The vendor's "already signed in" code: the documented recovery is a forced sign-in.
const ALREADY_SIGNED_IN = "100-002";

/** Signs an agent in (forcing out a stale session when the gateway says it is already signed in). */
export async function signIn(conn: Connection, agent: Agent): Promise<string> {
  const body = { password: agent.password, phonenum: agent.phone };
  let answer = await call(conn, "PUT", pathFor("login", agent.id), { body });
  if (answer.retcode === ALREADY_SIGNED_IN) {
    answer = await call(conn, "PUT", pathFor("forceLogin", agent.id), { body });
  }
  if (answer.retcode !== "0") {
    throw new HarnessError(
      "CCGW_SIGN_IN_REFUSED",
      `the gateway refused to sign agent ${agent.id} in: retcode ${answer.retcode}${answer.message ? ` (${redactText(answer.message, conn.secrets)})` : ""}`,
      "check the agent's id, password and phone in the target profile, and that the agent exists on the gateway",
    );
  }
  const guid = guidFrom(answer);
  if (!guid) {
    throw new HarnessError(
      "CCGW_SIGN_IN_REFUSED",
      `the gateway signed agent ${agent.id} in but sent no Set-GUID header`,
      "the gateway does not follow the sign-in interface; see the conformance report",
    );
  }
  return guid;
}

/** Signs an agent out with its Guid; true when the gateway confirmed (or said it was already out). */
export async function signOut(conn: Connection, agent: Agent, guid: string): Promise<boolean> {
  const answer = await call(conn, "DELETE", pathFor("logout", agent.id), { guid });
  return answer.retcode === "0" || answer.retcode === "100-008";
}

/** Preflight: one sign-in and sign-out of the first agent. Throws a classified HarnessError. */
export async function preflight(profile: TargetProfile, agent: Agent, timeoutMs: number): Promise<void> {
  const conn = await connect(profile, timeoutMs);
  try {
    const guid = await signIn(conn, agent);
    await signOut(conn, agent, guid);
  } finally {
    await conn.close();
  }
}

/**
 * Leaves none of `agents` signed in: a forced sign-in takes over whatever session an interrupted phase left,
 * and the sign-out that follows ends it. Bounded concurrency; failures are counted, never thrown.
 */
export async function sweepSignOut(
  profile: TargetProfile,
  agents: Agent[],
  options: { timeoutMs: number; concurrency?: number },
): Promise<{ signedOut: number; failed: number }> {
  const conn = await connect(profile, options.timeoutMs);
  let signedOut = 0;
  let failed = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < agents.length) {
      const agent = agents[next++];
      if (!agent) break;
      try {
        const body = { password: agent.password, phonenum: agent.phone };
        const answer = await call(conn, "PUT", pathFor("forceLogin", agent.id), { body });
        const guid = guidFrom(answer);
        if (answer.retcode === "0" && guid && (await signOut(conn, agent, guid))) signedOut += 1;
        else failed += 1;
      } catch {
        failed += 1;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));
  } finally {
    await conn.close();
  }
  return { signedOut, failed };
}
