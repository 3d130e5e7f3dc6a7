/**
 * Test support for the mock's own unit tests: a small agent client over fastify inject() that signs in, keeps
 * the latest Guid the gateway hands over (read by lib/gateway), and drains polls.
 */
import type { FastifyInstance } from "fastify";
import { OPERATIONS, type OperationId, pathFor } from "../contracts/index.ts";
import { guidOfSetGuid } from "../lib/gateway/index.ts";
import { DEFAULT_AGENT_RANGE } from "./options.ts";

export const JSON_HEADERS = { "content-type": "application/json; charset=UTF-8" } as const;

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/** One agent talking to an app through inject(). */
export class TestAgent {
  guid: string | undefined;
  readonly app: FastifyInstance;
  readonly id: string;
  readonly password: string;
  constructor(app: FastifyInstance, id: string, password = DEFAULT_AGENT_RANGE.password) {
    this.app = app;
    this.id = id;
    this.password = password;
  }

  /** Calls an operation with the current Guid (unless headers override it). */
  async call(op: OperationId, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const { method } = OPERATIONS[op];
    const response = await this.app.inject({
      method,
      url: pathFor(op, this.id),
      headers: { ...JSON_HEADERS, ...(this.guid ? { guid: this.guid } : {}), ...headers },
      ...(body === undefined ? {} : { payload: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const setGuid = response.headers["set-guid"];
    if (typeof setGuid === "string") this.guid = guidOfSetGuid(setGuid);
    return {
      status: response.statusCode,
      headers: response.headers as Reply["headers"],
      body: String(response.headers["content-type"]).startsWith("application/json")
        ? (JSON.parse(response.body) as Record<string, unknown>)
        : { text: response.body },
    };
  }

  async login(extra: Record<string, unknown> = {}): Promise<Reply> {
    return this.call("login", { password: this.password, phonenum: "700001", ...extra });
  }

  /** Polls until an answer without event; returns the event types (and events) seen. */
  async drain(max = 50): Promise<{ type: string; content: unknown; eventGenTime?: unknown }[]> {
    const events: { type: string; content: unknown; eventGenTime?: unknown }[] = [];
    for (let i = 0; i < max; i++) {
      const reply = await this.call("getAgentEvent");
      const event = reply.body.event as {
        eventType: string;
        content: unknown;
        eventGenTime?: unknown;
      } | null;
      if (!event) return events;
      events.push({ type: event.eventType, content: event.content, eventGenTime: event.eventGenTime });
    }
    return events;
  }
}
