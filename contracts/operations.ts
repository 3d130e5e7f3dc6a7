/**
 * The operation registry: every interface the harness calls, keyed by the method name the vendor writes in the
 * gateway log (agentgateway-rest.log). That name is the operation id everywhere: mock routes, scenario files,
 * metric tags and report rows.
 */
import retcodeData from "./data/retcodes.json" with { type: "json" };
import type { SchemaName } from "./schema-files.ts";

export type HttpMethod = "GET" | "PUT" | "POST" | "DELETE";

export interface Operation {
  /** Vendor log name, used as the operation id. */
  readonly id: OperationId;
  readonly method: HttpMethod;
  /** Path template under the gateway's base URL; {agentid} is the only parameter. */
  readonly path: string;
  /** The vendor's resource group, which also names folders in contracts/, mock/ and scenarios/. */
  readonly resource: "onlineagent" | "agentevent" | "voicecall";
  /** Request headers schema: sign-in carries Content-Type only, everything after it also the Guid. */
  readonly headers: SchemaName;
  /** Body schema, for operations that send one. */
  readonly request?: SchemaName;
  readonly response: SchemaName;
  /** Whether a success answer carries the Set-GUID header (always for sign-in; on rotation for polls). */
  readonly setsGuid: "always" | "on-rotation" | "never";
  /** Clause naming the operation's method rule in contracts/clauses.json, where the page has one. */
  readonly clause: string;
  /** One line in our words. */
  readonly summary: string;
}

const AGENT = "/agentgateway/resource/onlineagent/{agentid}";
const VOICE = "/agentgateway/resource/voicecall/{agentid}";

export const OPERATIONS = {
  login: {
    id: "login",
    method: "PUT",
    path: AGENT,
    resource: "onlineagent",
    headers: "common/sign-in-headers",
    request: "onlineagent/login.request",
    response: "onlineagent/login.response",
    setsGuid: "always",
    clause: "login/header/Set-GUID",
    summary: "Sign the agent in and bind its phone; the Guid comes back in Set-GUID.",
  },
  forceLogin: {
    id: "forceLogin",
    method: "PUT",
    path: `${AGENT}/forcelogin`,
    resource: "onlineagent",
    headers: "common/sign-in-headers",
    request: "onlineagent/login.request",
    response: "onlineagent/login.response",
    setsGuid: "always",
    clause: "forceLogin/takeover",
    summary: "Sign the agent in, replacing a session it already has.",
  },
  logout: {
    id: "logout",
    method: "DELETE",
    path: `${AGENT}/logout`,
    resource: "onlineagent",
    headers: "common/request-headers",
    response: "onlineagent/logout.response",
    setsGuid: "never",
    clause: "logout/response",
    summary: "Sign the agent out.",
  },
  getAgentStatus: {
    id: "getAgentStatus",
    method: "GET",
    path: `${AGENT}/agentstatus`,
    resource: "onlineagent",
    headers: "common/request-headers",
    response: "onlineagent/agentstatus.response",
    setsGuid: "never",
    clause: "getAgentStatus/response",
    summary: "Read the agent's state code.",
  },
  getAgentEvent: {
    id: "getAgentEvent",
    method: "GET",
    path: "/agentgateway/resource/agentevent/{agentid}",
    resource: "agentevent",
    headers: "common/request-headers",
    response: "agentevent/getAgentEvent.response",
    setsGuid: "on-rotation",
    clause: "getAgentEvent/long-poll",
    summary: "Long-poll for the agent's next event; also the agent's heartbeat.",
  },
  callout: {
    id: "callout",
    method: "PUT",
    path: `${VOICE}/callout`,
    resource: "voicecall",
    headers: "common/request-headers",
    request: "voicecall/callout.request",
    response: "voicecall/callout.response",
    setsGuid: "never",
    clause: "callout/method",
    summary: "Make a common outbound call; the new call's id comes back in result.",
  },
  release: {
    id: "release",
    method: "DELETE",
    path: `${VOICE}/release`,
    resource: "voicecall",
    headers: "common/request-headers",
    response: "voicecall/release.response",
    setsGuid: "never",
    clause: "release/response",
    summary: "Release the agent's current call.",
  },
  hold: {
    id: "hold",
    method: "POST",
    path: `${VOICE}/hold`,
    resource: "voicecall",
    headers: "common/request-headers",
    response: "voicecall/hold.response",
    setsGuid: "never",
    clause: "hold/response",
    summary: "Put the agent's current call on hold.",
  },
} as const satisfies Record<string, Omit<Operation, "id"> & { id: string }>;

export type OperationId = keyof typeof OPERATIONS;
export const OPERATION_IDS = Object.keys(OPERATIONS) as OperationId[];

/** The operation with this vendor log name. */
export function operation(id: OperationId): Operation {
  return OPERATIONS[id];
}

/** The path of an operation for one agent, e.g. pathFor("callout", "1001"). */
export function pathFor(id: OperationId, agentId: string): string {
  return OPERATIONS[id].path.replace("{agentid}", encodeURIComponent(agentId));
}

/** Retcodes whose pages document them for this operation (contracts/data/retcodes.json), "0" included. */
export function documentedRetcodes(id: OperationId): string[] {
  return retcodeData.codes.filter((c) => (c.documentedFor as string[]).includes(id)).map((c) => c.code);
}

/**
 * Callout failure codes that say the platform could not place the call, not that the request or the session
 * was wrong: the documented callout codes less those of an invalid parameter or number and of a bad session.
 */
export function platformRefusals(): string[] {
  const situations = retcodeData.situations as Record<string, { codes: string[] }>;
  const request = new Set(
    ["invalid-parameter", "invalid-called", "not-signed-in", "guid-wrong"].flatMap(
      (n) => situations[n]?.codes ?? [],
    ),
  );
  return documentedRetcodes("callout").filter((code) => code !== "0" && !request.has(code));
}
