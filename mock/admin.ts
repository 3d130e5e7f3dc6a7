/**
 * The control plane under /__mock/, outside the vendor's path space: reset, stats, faults, defects, capacity
 * and Guid expiry. Its errors have their own shape ({"mockError": {code, field, message}}) so they can never be
 * mistaken for a vendor answer.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { DEFECTS } from "./defects.ts";
import { MockConfigError } from "./faults.ts";
import type { Runtime } from "./runtime.ts";

/** Prefix of every control-plane path. */
export const ADMIN_PREFIX = "/__mock";

/** Answers a control-plane error. */
export function adminError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  field?: string,
) {
  return reply.code(status).send({ mockError: { code, message, ...(field ? { field } : {}) } });
}

function configured(reply: FastifyReply, apply: () => unknown) {
  try {
    return apply();
  } catch (error) {
    if (error instanceof MockConfigError)
      return adminError(reply, 400, "MOCK_BAD_CONFIG", error.message, error.field);
    throw error;
  }
}

/** Registers the /__mock/ routes. */
export function registerAdmin(app: FastifyInstance, rt: Runtime): void {
  const start = { faults: rt.faults.config, defects: rt.defects.list(), capacity: rt.capacity.config };

  app.get(`${ADMIN_PREFIX}/health`, async () => ({ ok: true }));

  app.post(`${ADMIN_PREFIX}/reset`, async () => {
    rt.store.reset();
    rt.faults.set(start.faults);
    rt.defects.set(start.defects);
    rt.capacity.set(start.capacity);
    rt.capacity.reset();
    return { ok: true };
  });

  app.get(`${ADMIN_PREFIX}/stats`, async () => {
    rt.store.sweep();
    return {
      edition: rt.options.edition,
      authMode: rt.options.authMode,
      ...rt.store.stats(),
      capacityRefused: rt.capacity.refused,
      defects: rt.defects.list(),
    };
  });

  app.get(`${ADMIN_PREFIX}/faults`, async () => rt.faults.config);
  app.put(`${ADMIN_PREFIX}/faults`, async (request, reply) =>
    configured(reply, () => {
      rt.faults.set(request.body ?? {});
      return rt.faults.config;
    }),
  );

  app.get(`${ADMIN_PREFIX}/defects`, async () => ({ enabled: rt.defects.list(), catalog: DEFECTS }));
  app.put(`${ADMIN_PREFIX}/defects`, async (request, reply) =>
    configured(reply, () => {
      const body = request.body as { enabled?: unknown } | undefined;
      if (typeof body !== "object" || body === null || !("enabled" in body)) {
        throw new MockConfigError("enabled", 'body must be {"enabled": [defect names]}');
      }
      rt.defects.set(body.enabled);
      return { enabled: rt.defects.list() };
    }),
  );

  app.get(`${ADMIN_PREFIX}/capacity`, async () => rt.capacity.config);
  app.put(`${ADMIN_PREFIX}/capacity`, async (request, reply) =>
    configured(reply, () => {
      rt.capacity.set(request.body ?? {});
      return rt.capacity.config;
    }),
  );

  app.post<{ Params: { id: string } }>(`${ADMIN_PREFIX}/agents/:id/expire-guid`, async (request, reply) => {
    const session = rt.store.live(request.params.id);
    if (!session)
      return adminError(reply, 404, "MOCK_NOT_SIGNED_IN", `agent ${request.params.id} is not signed in`);
    session.guids.current.expired = true;
    if (session.guids.previous) session.guids.previous.expired = true;
    return { ok: true };
  });
}
