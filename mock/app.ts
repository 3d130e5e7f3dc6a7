/**
 * Builds the mock gateway's fastify app (no listen). Vendor routes are registered by iterating the operation
 * registry of the contracts, so adding an operation starts there; a handler table typed by operation id makes
 * a missing handler a compile error.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import {
  contractsFor,
  type HttpMethod,
  OPERATION_IDS,
  OPERATIONS,
  type OperationId,
  type SchemaName,
} from "../contracts/index.ts";
import { Roster } from "../lib/roster.ts";
import type { Outcome } from "../lib/target-profile.ts";
import { ADMIN_PREFIX, adminError, registerAdmin } from "./admin.ts";
import { Capacity } from "./capacity.ts";
import { Defects } from "./defects.ts";
import { Faults } from "./faults.ts";
import { OpenChoices } from "./open-choices.ts";
import { type GatewayOptions, type ResolvedOptions, resolveOptions } from "./options.ts";
import { agenteventHandlers } from "./routes/agentevent.ts";
import { authenticate, guidHeader } from "./routes/auth.ts";
import { onlineagentHandlers } from "./routes/onlineagent.ts";
import { voicecallHandlers } from "./routes/voicecall.ts";
import { type Answer, failure, type Handler, type Runtime, situationCode } from "./runtime.ts";
import { systemClock } from "./state/clock.ts";
import { Rng } from "./state/random.ts";
import { Store } from "./state/store.ts";

/** One handler per operation of the registry. */
const HANDLERS: Record<OperationId, Handler> = {
  ...onlineagentHandlers,
  ...agenteventHandlers,
  ...voicecallHandlers,
};

const ALL_METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE", "PATCH", "OPTIONS"] as const;

/** Largest request body accepted (a transport limit of the mock, answered 413 beyond). */
const BODY_LIMIT = 1024 * 1024;

const runtimes = new WeakMap<FastifyInstance, Runtime>();

/** The runtime (state, faults, defects) behind an app built by buildApp. */
export function runtimeOf(app: FastifyInstance): Runtime {
  const rt = runtimes.get(app);
  if (!rt) throw new Error("not a mock gateway app");
  return rt;
}

/** Extra options of buildApp that only the server needs. */
export interface BuildExtras {
  https?: { key: string; cert: string; ca?: string; requestCert?: boolean; rejectUnauthorized?: boolean };
}

/** Builds the runtime: state, validators, faults, capacity and defects from the options. */
export function createRuntime(options: ResolvedOptions, clock = systemClock()): Runtime {
  const rng = new Rng(options.seed);
  const faults = new Faults(options.faults, rng);
  const defects = new Defects(options.defects);
  const fixed = new Map<string, Outcome>();
  for (const entry of options.called) if (entry.outcome) fixed.set(entry.number, entry.outcome);
  const contracts = contractsFor(options.edition);
  // Compile the hot validators now, not on the first request.
  for (const name of [
    "voicecall/callout.request",
    "onlineagent/login.request",
    "common/agent-id",
  ] as SchemaName[]) {
    contracts.validator(name);
  }
  return {
    options,
    contracts,
    clock,
    rng,
    store: new Store({
      edition: options.edition,
      clock,
      rng,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs,
      maxQueuedEvents: options.maxQueuedEvents,
      // Defect event-loss: one event in twenty lost, on top of the configured event faults.
      eventFaults: () =>
        defects.has("event-loss") ? { ...faults.config.events, loseEvery: 20 } : faults.config.events,
    }),
    directory: new Roster(options),
    faults,
    capacity: new Capacity(options.capacity),
    defects,
    choices: new OpenChoices(options.alternateChoices),
    outcomeOf: (called) => fixed.get(called) ?? rng.pick(options.outcomeMix),
  };
}

/** Builds the fastify app of the mock gateway. */
export async function buildApp(
  options: GatewayOptions = {},
  extras: BuildExtras = {},
): Promise<FastifyInstance> {
  const resolved = resolveOptions(options);
  const rt = createRuntime(resolved, options.clock);
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    forceCloseConnections: true,
    ...(extras.https ? { https: extras.https } : {}),
  }) as unknown as FastifyInstance;
  runtimes.set(app, rt);
  acceptJsonBodies(app, rt);
  registerVendorRoutes(app, rt);
  registerAdmin(app, rt);
  registerErrorAnswers(app, rt);
  app.addHook("onClose", async () => {
    rt.store.reset();
    rt.clock.clearAll?.();
  });
  return app;
}

/**
 * Only JSON bodies (any other content type, or none, is answered 415); an empty JSON body is no body. Defect
 * content-type-not-required: a body without Content-Type is read as JSON anyway.
 */
function acceptJsonBodies(app: FastifyInstance, rt: Runtime): void {
  app.removeContentTypeParser(["text/plain", "application/json"]);
  const unsupported = () => Object.assign(new Error("Unsupported Media Type"), { statusCode: 415 });
  // The vendor's clients send Content-Type: application/json on every request, bodyless ones included: an
  // empty JSON body is no body, not a parse error. Otherwise fastify's parser (with its prototype-poisoning
  // protection) applies.
  const jsonParser = app.getDefaultJsonParser("error", "error");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text === "") {
      done(null, undefined);
      return;
    }
    void jsonParser(request, text, done);
  });
  app.addContentTypeParser("*", { parseAs: "string" }, (request, body, done) => {
    if (request.headers["content-type"] !== undefined || !rt.defects.has("content-type-not-required")) {
      done(unsupported(), undefined);
      return;
    }
    void jsonParser(request, typeof body === "string" ? body : body.toString("utf8"), done);
  });
}

/** A route per operation of the registry, and 405 with Allow for the other methods on its path. */
function registerVendorRoutes(app: FastifyInstance, rt: Runtime): void {
  const byPath = new Map<string, HttpMethod[]>();
  for (const id of OPERATION_IDS) {
    const op = OPERATIONS[id];
    const url = op.path.replace("{agentid}", ":agentid");
    byPath.set(url, [...(byPath.get(url) ?? []), op.method]);
    app.route({ method: op.method, url, config: { op: id }, handler: vendorRoute(rt, id) });
  }
  for (const [url, methods] of byPath) {
    const allowed = methods.includes("GET") ? [...methods, "HEAD"] : methods;
    const others = ALL_METHODS.filter((m) => !allowed.includes(m));
    app.route({
      method: [...others],
      url,
      handler: async (_request, reply) =>
        reply
          .code(405)
          .header("allow", allowed.join(", "))
          .send({ message: `method not allowed; use ${allowed.join(" or ")}` }),
    });
  }
}

/** Errors and unknown paths: vendor paths answer as the vendor does, control paths in the mock's own shape. */
function registerErrorAnswers(app: FastifyInstance, rt: Runtime): void {
  app.setErrorHandler(
    async (error: { code?: string; statusCode?: number; message: string }, request, reply) => {
      const op = (request.routeOptions.config as { op?: OperationId } | undefined)?.op;
      const status = error.statusCode ?? 500;
      if (request.url.startsWith(ADMIN_PREFIX)) {
        return adminError(
          reply,
          status >= 400 && status < 600 ? status : 500,
          error.code ?? "MOCK_ERROR",
          error.message,
        );
      }
      // Malformed JSON (and other body errors fastify answers 400) is a parameter error of the vendor interface.
      if (op && status === 400) return send(rt, reply, op, failure(situationCode("invalid-parameter")));
      if (status >= 400 && status < 500) {
        rt.store.count(op ?? "unknown", `http-${status}`);
        return reply.code(status).send({ message: error.message });
      }
      rt.store.count(op ?? "unknown", "http-500");
      return reply.code(500).send({ message: "internal error of the mock" });
    },
  );
  app.setNotFoundHandler(async (request, reply) => {
    rt.store.count(request.url.startsWith(ADMIN_PREFIX) ? "admin" : "unknown", "http-404");
    if (request.url.startsWith(ADMIN_PREFIX))
      return adminError(reply, 404, "MOCK_NOT_FOUND", "no such control path");
    return reply.code(404).send({ message: "not found" });
  });
}

/** Wraps an operation's handler with agent id validation, faults, stats and the response self-check. */
function vendorRoute(rt: Runtime, id: OperationId) {
  const handler = HANDLERS[id];
  const agentIdValid = rt.contracts.validator("common/agent-id");
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const agentId = (request.params as { agentid?: string }).agentid ?? "";
    const faults = rt.faults.config;
    if (faults.drop && rt.faults.drop(id)) {
      rt.store.count(id, "dropped");
      reply.hijack();
      request.raw.socket?.destroy();
      return;
    }
    if (faults.latency) {
      const ms = rt.faults.latency(id);
      if (ms > 0) await new Promise<void>((resolve) => rt.clock.setTimer(resolve, ms));
    }
    if (faults.errors) {
      const injected = rt.faults.error(id);
      if (injected) {
        if ("status" in injected) {
          rt.store.count(id, `http-${injected.status}`);
          return reply.code(injected.status).type("text/plain").send(`injected HTTP ${injected.status}`);
        }
        return send(rt, reply, id, failure(injected.retcode));
      }
    }
    let answer: Answer;
    if (agentIdValid(agentId)) answer = await handler(rt, request, agentId, reply);
    else answer = await outOfRange(rt, request, agentId, reply, handler);
    return send(rt, reply, id, answer);
  };
}

/**
 * The answer to an agent id outside the edition's range: 000-002, or (open choice check-order) the session's
 * refusal when the Guid is checked first. Defect agentid-out-of-range: the id is not checked at all, and the
 * request acts for the agent whose Guid it carries.
 */
async function outOfRange(
  rt: Runtime,
  request: FastifyRequest,
  agentId: string,
  reply: FastifyReply,
  handler: Handler,
): Promise<Answer> {
  if (rt.defects.has("agentid-out-of-range")) {
    const owner = rt.store.guidOwners.get(guidHeader(request) ?? "");
    if (owner) return handler(rt, request, owner, reply);
  }
  if (rt.choices.alternate("check-order")) {
    const auth = authenticate(rt, request, agentId);
    if ("answer" in auth) return auth.answer;
  }
  return failure(situationCode("invalid-parameter"));
}

/** Sends a vendor answer: counts it and, in self-check mode, validates it against the response contract. */
function send(rt: Runtime, reply: FastifyReply, id: OperationId, answer: Answer) {
  // Open choice error-http-status: a failure retcode in the JSON envelope, with HTTP 400 instead of 200.
  const failed = answer.status === undefined && answer.body.retcode !== "0";
  const status = failed && rt.choices.alternate("error-http-status") ? 400 : (answer.status ?? 200);
  rt.store.count(id, answer.status === undefined ? String(answer.body.retcode) : `http-${status}`);
  if (rt.options.selfCheck && !rt.defects.any) {
    const violations = rt.contracts.validate(OPERATIONS[id].response, answer.body);
    if (violations.length > 0) {
      return reply
        .code(500)
        .header("x-mock-violations", JSON.stringify(violations.map((v) => v.message)).slice(0, 4000))
        .send({ mockError: { code: "MOCK_SELF_CHECK", message: "answer breaks its contract", violations } });
    }
  }
  if (answer.headers) reply.headers(answer.headers);
  if (rt.defects.has("html-answers")) {
    return reply
      .code(status)
      .type("text/html")
      .send(`<html><body>${String(answer.body.retcode)}</body></html>`);
  }
  if (rt.defects.has("retcode-as-number") && answer.body.retcode === "0") {
    return reply.code(status).send({ ...answer.body, retcode: 0 });
  }
  return reply.code(status).send(answer.body);
}
