/**
 * What the sign-in contract documents for its optional fields, read from the schema of an edition: bodies that
 * cover every documented value, and the state a sign-in without `status` leads to.
 */
import type { JsonSchema } from "./editions.ts";
import type { Contracts } from "./validate.ts";

function loginSchema(contracts: Contracts): { properties: Record<string, JsonSchema>; required: string[] } {
  const schema = contracts.schemas["onlineagent/login.request"] as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return { properties: schema.properties ?? {}, required: schema.required ?? [] };
}

/** Values of one sign-in field the contract names itself (its enum, else its default); none for free text. */
function documentedValues(field: JsonSchema): unknown[] {
  const branches = (field.oneOf ?? field.anyOf) as JsonSchema[] | undefined;
  const typed = branches?.find((b) => b.type === "integer") ?? branches?.[0];
  const values = Array.isArray(field.enum) ? field.enum : Array.isArray(typed?.enum) ? typed.enum : undefined;
  if (values) return values;
  return field.default !== undefined ? [field.default] : [];
}

// Sign-in fields a polling client never sends: with both, the gateway pushes events instead of answering polls.
const PUSH_FIELDS = new Set(["callBackUri", "serviceToken"]);

/**
 * Sign-in option bodies covering every optional field with a value the contract documents: one body per value
 * of the field with most values (status 3, 4, 5), each also carrying every other field at its default.
 */
export function signInOptionBodies(contracts: Contracts): Record<string, unknown>[] {
  const { properties, required } = loginSchema(contracts);
  const fields = Object.entries(properties)
    .filter(([name]) => !required.includes(name) && !PUSH_FIELDS.has(name))
    .map(([name, schema]) => ({ name, values: documentedValues(schema) }))
    .filter((f) => f.values.length > 0);
  const rounds = Math.max(1, ...fields.map((f) => f.values.length));
  return Array.from({ length: rounds }, (_, i) => {
    const body: Record<string, unknown> = {};
    for (const f of fields) {
      // A field's default when this round has no value of its own (agenttype 11 needs a video agent).
      const fallback = properties[f.name]?.default;
      body[f.name] = f.values.length === rounds ? f.values[i] : (fallback ?? f.values[0]);
    }
    return body;
  });
}

/** The state code a sign-in leads to: `status` when given, else the contract's default of that field. */
export function signInState(contracts: Contracts, status?: number | string): number | undefined {
  const value = status ?? loginSchema(contracts).properties.status?.default;
  const code = typeof value === "string" ? Number(value) : value;
  return typeof code === "number" ? code : undefined;
}
