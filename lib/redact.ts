/**
 * One redaction rule set for logs, evidence, JUnit and reports: passwords and Guids never leave the process.
 * Field names come from the contracts' `x-secret` marks; values are also caught by shape, so a Guid inside a
 * header string or a message is masked too.
 */
import { schemaFiles } from "../contracts/index.ts";

export const REDACTED = "[redacted]";

/** A Set-GUID value in text (a log line, an answer): the cookie name and a run of token characters. */
const SET_GUID_VALUE = /JSESSIONID=[A-Za-z0-9._~-]{8,}/g;

/** Names of fields marked `x-secret` anywhere in the contracts, plus the headers that carry a Guid. */
export const SECRET_FIELDS: ReadonlySet<string> = collectSecretFields();

// A Guid as the gateway issues it: a UUID, optionally with a .AgentGateway<N> suffix.
const GUID_PATTERN =
  /[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(\.AgentGateway[0-9]+)?/g;

/** Masks Guids in a string, and any of the given secret values (e.g. the profile's passwords). */
export function redactText(text: string, secrets: Iterable<string> = []): string {
  let out = text.replace(SET_GUID_VALUE, `JSESSIONID=${REDACTED}`).replace(GUID_PATTERN, REDACTED);
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** A deep copy of a value with secret fields and Guid-shaped strings masked. Header names match case-insensitively. */
export function redact<T>(value: T, secrets: Iterable<string> = []): T {
  const list = [...secrets];
  const walk = (node: unknown): unknown => {
    if (typeof node === "string") return redactText(node, list);
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node !== "object" || node === null) return node;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) {
      out[key] =
        SECRET_FIELDS.has(key.toLowerCase()) && child !== undefined && child !== null
          ? REDACTED
          : walk(child);
    }
    return out;
  };
  return walk(value) as T;
}

function collectSecretFields(): Set<string> {
  const names = new Set<string>(["guid", "set-guid", "password", "authorization", "cookie", "set-cookie"]);
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (typeof node !== "object" || node === null) return;
    const properties = (node as { properties?: Record<string, { "x-secret"?: boolean }> }).properties;
    for (const [name, sub] of Object.entries(properties ?? {})) {
      if (sub && typeof sub === "object" && sub["x-secret"] === true) names.add(name.toLowerCase());
    }
    for (const child of Object.values(node)) visit(child);
  };
  visit(Object.values(schemaFiles));
  return names;
}
