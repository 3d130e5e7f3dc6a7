/**
 * Starts the mock gateway on a socket (HTTPS by default, loopback, port 0 unless told) and describes the
 * running gateway as a target profile.
 */
import type { FastifyInstance } from "fastify";
import type { TargetProfile } from "../lib/target-profile.ts";
import { buildApp, runtimeOf } from "./app.ts";
import type { GatewayOptions, ResolvedOptions } from "./options.ts";
import { makeCertificate } from "./tls.ts";

/** A listening mock gateway. */
export interface RunningGateway {
  /** Base URL without /agentgateway, e.g. https://127.0.0.1:40123. */
  url: string;
  /** PEM file of the CA that signed the server certificate (HTTPS only). */
  caFile?: string;
  /** The same CA as a PEM string. */
  ca?: string;
  /** Mutual TLS: a client certificate and key the mock accepts (PEM files). */
  clientCertFile?: string;
  clientKeyFile?: string;
  options: ResolvedOptions;
  app: FastifyInstance;
  /**
   * Calls the control plane: admin("/stats"), admin("/faults", {...}); "METHOD /path" picks the method,
   * otherwise GET without a body, PUT with one, POST for /reset and /agents/{id}/expire-guid.
   */
  admin(path: string, body?: unknown): Promise<unknown>;
  close(): Promise<void>;
}

/** Builds the app without listening, for inject() tests. */
export async function buildGateway(options: GatewayOptions = {}): Promise<FastifyInstance> {
  return buildApp(options);
}

/** Starts the gateway and waits until it listens. */
export async function startGateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  const tls = options.tls ?? true;
  const certificate = tls
    ? await makeCertificate({
        ...(options.certificateNames ? { names: options.certificateNames } : {}),
        client: options.clientCertificates === true,
      })
    : undefined;
  // Mutual TLS: the server asks for a client certificate and serves only those of its own CA.
  const mutual =
    certificate && options.clientCertificates
      ? { ca: certificate.ca, requestCert: true, rejectUnauthorized: true }
      : {};
  const app = await buildApp(
    options,
    certificate ? { https: { key: certificate.key, cert: certificate.cert, ...mutual } } : {},
  );
  const rt = runtimeOf(app);
  try {
    await app.listen({ port: rt.options.port, host: rt.options.host });
  } catch (error) {
    await certificate?.dispose();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : rt.options.port;
  const host = rt.options.host.includes(":") ? `[${rt.options.host}]` : rt.options.host;
  let closed = false;
  return {
    url: `${tls ? "https" : "http"}://${host}:${port}`,
    ...(certificate ? { caFile: certificate.caFile, ca: certificate.ca } : {}),
    ...(certificate?.client
      ? { clientCertFile: certificate.client.certFile, clientKeyFile: certificate.client.keyFile }
      : {}),
    options: rt.options,
    app,
    admin: (path, body) => adminCall(app, path, body),
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await certificate?.dispose();
    },
  };
}

async function adminCall(app: FastifyInstance, path: string, body: unknown): Promise<unknown> {
  const match = /^(GET|PUT|POST|DELETE)\s+(.*)$/.exec(path);
  let method = match?.[1];
  let url = (match?.[2] ?? path).trim();
  if (!url.startsWith("/__mock")) url = `/__mock${url.startsWith("/") ? "" : "/"}${url}`;
  if (!method) {
    if (/\/reset$|\/expire-guid$/.test(url)) method = "POST";
    else method = body === undefined ? "GET" : "PUT";
  }
  const response = await app.inject({
    method: method as "GET" | "PUT" | "POST" | "DELETE",
    url,
    ...(body === undefined ? {} : { payload: body as object }),
  });
  const parsed: unknown = response.body ? JSON.parse(response.body) : undefined;
  if (response.statusCode >= 400) {
    const error = (parsed as { mockError?: { message?: string } } | undefined)?.mockError;
    throw new Error(
      `mock admin ${method} ${url}: HTTP ${response.statusCode}: ${error?.message ?? response.body}`,
    );
  }
  return parsed;
}

/** A target profile describing the running mock: where it is, how to trust it, its agents and numbers. */
export function mockProfile(gw: RunningGateway): TargetProfile {
  const { options } = gw;
  const called = options.called.map((c) =>
    c.outcome ? { number: c.number, outcome: c.outcome } : { number: c.number },
  ) as TargetProfile["called"];
  const agents = options.agents.length > 0 ? { agents: options.agents.map((a) => ({ ...a })) } : {};
  const range = options.agentRange ? { agentRange: { ...options.agentRange } } : {};
  const profile = {
    name: "embedded mock",
    baseUrl: gw.url,
    edition: options.edition,
    authMode: options.authMode,
    called,
    // The mock's agents are ours: taking a session over does no harm.
    allowForceLogin: true,
    ...(gw.caFile ? { tls: { caFile: gw.caFile } } : {}),
    ...agents,
    ...range,
  } as TargetProfile;
  return profile;
}
