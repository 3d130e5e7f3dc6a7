/**
 * The one client of a gateway, for the suite, the main job and the benchmarks: method and path of an operation
 * from the registry, the headers, each agent's Guid (Set-GUID read once, here) and cookies, the time limit, and
 * the answer read into the vendor's envelope. Network failures come back as a reply with `error`, never thrown,
 * so a caller can judge them; `classifyNetworkError` names them when a caller must stop.
 */
import { OPERATIONS, type OperationId, pathFor } from "../../contracts/index.ts";
import { HarnessError } from "../errors.ts";
import type { CallGuard } from "../safety.ts";
import type { TargetProfile } from "../target-profile.ts";
import { type Connection, type OpenOptions, openConnection } from "./connection.ts";
import { CookieJar } from "./cookies.ts";
import { exchange } from "./exchange.ts";
import { guidOfSetGuid, setGuidHeader } from "./guid.ts";

/** What one agent carries to the gateway: its Guid (the latest Set-GUID) and its cookies. */
export class AgentChannel {
  guid: string | undefined;
  /** Guids that replaced an earlier one (dynamic authentication rotations). */
  rotations = 0;
  readonly cookies = new CookieJar();
}

/** One request: an operation of the registry (method and path from it), or a method and path of its own. */
export interface SendSpec {
  operation?: OperationId;
  /** The agent id of the operation's path. */
  agentId?: string;
  /** Overrides of the operation's method and path (a wrong method, a near-miss path). */
  method?: string;
  path?: string;
  /** The headers to send; by default Content-Type JSON and the channel's Guid. Cookies are always added. */
  headers?: Record<string, string>;
  /** A value is sent as JSON text; a string as it is. */
  body?: unknown;
}

/** What came back from one request. */
export interface GatewayReply {
  method: string;
  path: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or undefined. */
  json: unknown;
  text: string;
  /** A network failure instead of an answer. */
  error?: string;
  /** The Set-GUID header's Guid, when the answer carried one. */
  setGuid?: string;
  ms: number;
}

export const JSON_CONTENT_TYPE = "application/json; charset=UTF-8";

/** The headers of an agent's request: JSON and the channel's Guid (none before sign-in), then `extra`. */
export function agentHeaders(channel?: AgentChannel, extra?: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = { "content-type": JSON_CONTENT_TYPE };
  if (channel?.guid) headers.guid = channel.guid;
  return extra ? Object.assign(headers, extra) : headers;
}

/** A client that must never place a call (a preflight, a sign-out sweep, a benchmark of polls). */
export const NO_CALLOUTS = "no-callouts";

/** How a client is opened: its connection, and the guard every request that could place a call goes through. */
export interface ClientOptions extends OpenOptions {
  /** The run's call guard (lib/safety.ts: the numbers, the caps, the call ledger), or NO_CALLOUTS. */
  guard: CallGuard | typeof NO_CALLOUTS;
}

/** The callout's path with any agent id, any case, trailing slashes: what a lax gateway could take for a callout. */
const CALLOUT_PATH = new RegExp(
  `^${OPERATIONS.callout.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace("{agentid}", "[^/]*")}/*$`,
  "i",
);

/**
 * Whether a request could place a call: the callout operation, or any method on a path of its own that names
 * it (a path from the registry is the callout's only for the callout, so polls skip the pattern).
 */
export function mayPlaceCall(spec: SendSpec, path: string): boolean {
  if (spec.operation === "callout") return true;
  return spec.path !== undefined && CALLOUT_PATH.test(path.split("?")[0] ?? "");
}

export class GatewayClient {
  readonly connection: Connection;
  private readonly guard: CallGuard | typeof NO_CALLOUTS;

  constructor(connection: Connection, guard: CallGuard | typeof NO_CALLOUTS) {
    this.connection = connection;
    this.guard = guard;
  }

  /** A client of a profile's gateway (TLS, proxy and time limit from the profile and the options) with its guard. */
  static async open(profile: TargetProfile, options: ClientOptions): Promise<GatewayClient> {
    return new GatewayClient(await openConnection(profile, options), options.guard);
  }

  /** Resolves once the guard's rate cap lets the next callout leave (for a caller that marks when it sent one). */
  async calloutSlot(): Promise<void> {
    if (this.guard !== NO_CALLOUTS) await this.guard.slot();
  }

  /** The default headers of an agent's request: JSON and its Guid (sign-in sends none). */
  headers(channel?: AgentChannel, extra?: Record<string, string>): Record<string, string> {
    return agentHeaders(channel, extra);
  }

  /**
   * Sends one request for an agent's channel; takes the answer's Set-GUID and cookies into the channel. A
   * request that could place a call leaves only through the guard: it waits for the rate cap, and a number
   * outside the profile's list or a spent budget throws (HarnessError) before anything is sent.
   */
  async send(spec: SendSpec, channel?: AgentChannel): Promise<GatewayReply> {
    const operation = spec.operation ? OPERATIONS[spec.operation] : undefined;
    const method = spec.method ?? operation?.method ?? "GET";
    const path = spec.path ?? (spec.operation ? pathFor(spec.operation, spec.agentId ?? "") : "/");
    if (mayPlaceCall(spec, path)) {
      if (this.guard === NO_CALLOUTS)
        throw new HarnessError(
          "CCGW_NUMBER_NOT_ALLOWED",
          `a client opened without a call guard cannot send ${method} ${path}`,
        );
      await this.guard.admitWhenFree(spec.body);
    }
    const headers = spec.headers ? { ...spec.headers } : this.headers(channel);
    const cookie = channel?.cookies.header();
    if (cookie) headers.cookie = cookie;
    const body =
      spec.body === undefined
        ? undefined
        : typeof spec.body === "string"
          ? spec.body
          : JSON.stringify(spec.body);
    const started = Date.now();
    const base = { method, path };
    try {
      // The dispatcher's headers and body timeouts are the request's time limit (no timer per request).
      const response = await exchange(this.connection.dispatcher, {
        origin: this.connection.origin,
        path: `${this.connection.prefix}${path}`,
        method: method as "GET",
        headers,
        body: body ?? null,
      });
      const { text } = response;
      const responseHeaders = response.headers;
      channel?.cookies.take(responseHeaders);
      const setGuid = guidOfSetGuid(setGuidHeader(responseHeaders));
      if (channel && setGuid && setGuid !== channel.guid) {
        if (channel.guid !== undefined) channel.rotations++;
        channel.guid = setGuid;
      }
      const reply: GatewayReply = {
        method,
        path,
        status: response.status,
        headers: responseHeaders,
        json: parseJson(text),
        text,
        ms: Date.now() - started,
      };
      if (setGuid) reply.setGuid = setGuid;
      return reply;
    } catch (error) {
      return {
        ...base,
        status: 0,
        headers: {},
        json: undefined,
        text: "",
        error: describe(error),
        ms: Date.now() - started,
      };
    }
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}

function parseJson(text: string): unknown {
  // Empty or blank answers have no JSON (JSON.parse throws on blank text, so no trim is needed).
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A network failure in a few words: the innermost code and message. */
function describe(error: unknown): string {
  let current: unknown = error;
  let text = String((error as Error)?.message ?? error);
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") text = `${code}: ${current.message}`;
    current = (current as { cause?: unknown }).cause;
  }
  return text;
}
