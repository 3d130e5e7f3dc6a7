/**
 * How to reach a gateway, from its target profile: one undici dispatcher with keep-alive, the profile's TLS
 * (CA, client certificate for mutual TLS, servername, lowest TLS version; verification on unless tls.insecure)
 * and its proxy (profile.proxy, else HTTPS_PROXY / HTTP_PROXY / NO_PROXY of the environment), and a time
 * limit per request. A base URL with an IPv6 literal ([::1]) works as any other.
 */
import { readFile } from "node:fs/promises";
import type { ConnectionOptions } from "node:tls";
import { Agent, type Dispatcher, EnvHttpProxyAgent, ProxyAgent } from "undici";
import { HarnessError } from "../errors.ts";
import { profileSecrets, type TargetProfile } from "../target-profile.ts";

export interface Connection {
  /** The profile's baseUrl without a trailing slash. */
  baseUrl: string;
  /** Scheme, host and port of baseUrl (what the dispatcher connects to). */
  origin: string;
  /** The path of baseUrl without a trailing slash ("" for none), put before every operation's path. */
  prefix: string;
  dispatcher: Dispatcher;
  timeoutMs: number;
  /** Values no log, error or report may show (the profile's passwords). */
  secrets: string[];
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Time limit of one request (connect, headers, body). */
  timeoutMs: number;
  /** Keep-alive connections per origin. @default 16 */
  connections?: number;
  /**
   * Longest a connection with no request stays open, ms, whatever the gateway's keep-alive hint says (a gateway
   * may ask for 72 s: thousands of agents would then each keep a spare connection, and a file, that long).
   * @default undici's (the gateway's hint, up to 10 minutes)
   */
  idleMs?: number;
}

async function pem(file: string, field: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new HarnessError(
      "CCGW_TARGET_TLS",
      `cannot read tls.${field} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      `point tls.${field} at a PEM file`,
    );
  }
}

/** The TLS options of a profile, files read. */
export async function tlsOptions(profile: TargetProfile): Promise<ConnectionOptions> {
  const tls = profile.tls ?? {};
  return {
    rejectUnauthorized: tls.insecure !== true,
    minVersion: tls.minVersion ?? "TLSv1.2",
    ...(tls.caFile ? { ca: await pem(tls.caFile, "caFile") } : {}),
    ...(tls.certFile ? { cert: await pem(tls.certFile, "certFile") } : {}),
    ...(tls.keyFile ? { key: await pem(tls.keyFile, "keyFile") } : {}),
    ...(tls.servername ? { servername: tls.servername } : {}),
  };
}

/** Opens the dispatcher of a profile's gateway. Unreadable TLS files are CCGW_TARGET_TLS errors. */
export async function openConnection(profile: TargetProfile, options: OpenOptions): Promise<Connection> {
  const tls = await tlsOptions(profile);
  const { timeoutMs } = options;
  const pool = {
    connections: options.connections ?? 16,
    pipelining: 1,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    ...(options.idleMs !== undefined
      ? { keepAliveTimeout: options.idleMs, keepAliveMaxTimeout: options.idleMs }
      : {}),
  };
  // The environment's proxy variables are read only when one is set: a direct agent skips that per request.
  const envProxy = ["HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"].some(
    (name) => process.env[name],
  );
  const connect = { ...tls, timeout: timeoutMs };
  const dispatcher: Dispatcher = profile.proxy
    ? new ProxyAgent({ uri: profile.proxy, requestTls: tls, ...pool })
    : envProxy
      ? new EnvHttpProxyAgent({ connect, requestTls: tls, ...pool })
      : new Agent({ connect, ...pool });
  const baseUrl = profile.baseUrl.replace(/\/+$/, "");
  const url = new URL(baseUrl);
  return {
    baseUrl,
    origin: url.origin,
    prefix: url.pathname.replace(/\/+$/, ""),
    dispatcher,
    timeoutMs,
    secrets: profileSecrets(profile),
    close: () => dispatcher.close(),
  };
}
