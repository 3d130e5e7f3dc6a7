/**
 * A failed connection to a gateway, named: an untrusted or unusable certificate is CCGW_TARGET_TLS, anything
 * else (refused, timed out, no route, a proxy that would not connect) CCGW_TARGET_UNREACHABLE.
 */
import { HarnessError } from "../errors.ts";

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
