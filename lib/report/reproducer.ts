/**
 * A failed case's request as a curl command that sends it again (as Schemathesis's reproducers do). The
 * exchange is already redacted, so secrets appear as environment variables, never as values: the Guid as
 * ${CCGW_GUID}, passwords as ${CCGW_AGENT_PASSWORD}, and the gateway's CA file as ${CCGW_CA_FILE}.
 */
import { REDACTED } from "../redact.ts";
import type { Exchange } from "./conformance.ts";

/** The environment variable that stands for a redacted field. */
function variableFor(name: string): string {
  const key = name.toLowerCase();
  if (key === "guid") return "CCGW_GUID";
  if (key === "password") return "CCGW_AGENT_PASSWORD";
  if (key === "cookie") return "CCGW_COOKIE";
  return `CCGW_${key.replace(/[^a-z0-9]+/g, "_").toUpperCase()}`;
}

/** A shell word in single quotes (nothing inside is expanded). */
function single(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

// Marks where a variable goes in a JSON text, before the text is quoted for the shell (a private-use
// character: JSON.stringify leaves it as it is). NOTE: a variable's value lands in the JSON as it is, so a
// password holding " or \ must be exported JSON-escaped.
const MARK = "\uE000";

/** A shell word that expands the marked variables and nothing else. */
function withVariables(text: string): string {
  if (!text.includes(MARK)) return single(text);
  const escaped = text.replace(/[\\"$`]/g, (c) => `\\${c}`);
  const expanded = escaped.replace(
    new RegExp(`${MARK}([A-Z0-9_]+)${MARK}`, "g"),
    (_m, name: string) => `\${${name}}`,
  );
  return `"${expanded}"`;
}

/** Replaces redacted fields of a body with marked variables, deeply. */
function markSecrets(value: unknown, name = ""): unknown {
  if (value === REDACTED) return `${MARK}${variableFor(name)}${MARK}`;
  if (Array.isArray(value)) return value.map((v) => markSecrets(v, name));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, markSecrets(v, k)]));
  }
  return value;
}

/** The curl command that sends this exchange's request to the gateway at `baseUrl`. */
export function curlOf(exchange: Exchange, baseUrl: string): string {
  const { request } = exchange;
  const url = `${baseUrl.replace(/\/$/, "")}${request.path}`;
  const parts = [`curl -sS -i -X ${request.method} ${single(url)}`];
  if (url.startsWith("https:")) parts.push(`--cacert "\${CCGW_CA_FILE}"`);
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    const shown = value === REDACTED ? `${MARK}${variableFor(name)}${MARK}` : String(value);
    parts.push(`-H ${withVariables(`${name}: ${shown}`)}`);
  }
  if (request.body !== undefined) {
    const body = typeof request.body === "string" ? request.body : JSON.stringify(markSecrets(request.body));
    parts.push(`--data-binary ${withVariables(body)}`);
  }
  return parts.join(" \\\n  ");
}
