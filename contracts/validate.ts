/**
 * Validation against the contracts of one edition. Validators are compiled once per edition and schema;
 * violations come back as data that names the field, the value and the clause of the page.
 */
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import { createAjv } from "./ajv.ts";
import { DEFAULT_EDITION, type Edition, type JsonSchema, schemasFor } from "./editions.ts";
import type { SchemaName } from "./schema-files.ts";

/** One way in which a value breaks a contract. */
export interface Violation {
  /** Schema the value was checked against. */
  schema: SchemaName;
  /** JSON pointer to the offending field ("" for the whole value), e.g. "/called". */
  path: string;
  /** The JSON Schema keyword that failed, e.g. "maxLength". */
  keyword: string;
  /** Clause of the interface page (contracts/clauses.json) the constraint derives from. */
  clause: string;
  /** The offending value, or "[redacted]" when the schema marks it secret. */
  value: unknown;
  /** Readable sentence: field, rule, value and clause. */
  message: string;
  /** Set when the vendor leaves the gateway's reaction open: a report records it but does not fail on it. */
  open?: string;
}

export const SCHEMA_BASE_URI = "https://ccgw-harness.invalid/schemas/";

/** The id (URI) of a schema by its name. */
export function schemaId(name: SchemaName): string {
  return `${SCHEMA_BASE_URI}${name}.schema.json`;
}

/** Validators of one edition of the interface page. */
export class Contracts {
  readonly edition: Edition;
  readonly schemas: Readonly<Record<SchemaName, JsonSchema>>;
  private readonly ajv = createAjv();
  private readonly compiled = new Map<SchemaName, ValidateFunction>();

  constructor(edition: Edition) {
    this.edition = edition;
    this.schemas = schemasFor(edition);
    for (const schema of Object.values(this.schemas)) this.ajv.addSchema(schema);
  }

  /** The compiled validator of a schema (compiled on first use, then cached). */
  validator(name: SchemaName): ValidateFunction {
    let fn = this.compiled.get(name);
    if (!fn) {
      fn = this.ajv.getSchema(schemaId(name));
      if (!fn) throw new Error(`no schema named "${name}" in contracts/schemas`);
      this.compiled.set(name, fn);
    }
    return fn;
  }

  /** Checks a value; an empty array means it conforms. */
  validate(name: SchemaName, data: unknown): Violation[] {
    const fn = this.validator(name);
    if (fn(data)) return [];
    return toViolations(name, fn.errors ?? [], data);
  }

  /** Throws a ContractError listing every violation when the value does not conform. */
  assert(name: SchemaName, data: unknown): void {
    const violations = this.validate(name, data);
    if (violations.length > 0) throw new ContractError(violations);
  }
}

/** Raised where breaking a contract is a programming error (for example a request the harness built itself). */
export class ContractError extends Error {
  readonly violations: Violation[];
  constructor(violations: Violation[]) {
    super(violations.map((v) => v.message).join("\n"));
    this.name = "ContractError";
    this.violations = violations;
  }
}

const byEdition = new Map<Edition, Contracts>();

/** The shared validators of an edition (one ajv per edition for the whole process). */
export function contractsFor(edition: Edition = DEFAULT_EDITION): Contracts {
  let contracts = byEdition.get(edition);
  if (!contracts) {
    contracts = new Contracts(edition);
    byEdition.set(edition, contracts);
  }
  return contracts;
}

// Keywords whose failure only says "a sub-schema failed"; the sub-schema's own error carries the detail.
const WRAPPER_KEYWORDS = new Set(["if", "allOf", "anyOf", "oneOf", "then", "else", "$ref"]);

function toViolations(name: SchemaName, errors: ErrorObject[], data: unknown): Violation[] {
  // A "type" error at a path where a deeper error also exists is the losing branch of an anyOf/oneOf
  // (for example "event must be null" next to the real problem inside the event): drop it.
  const useful = errors.filter(
    (e) =>
      !WRAPPER_KEYWORDS.has(e.keyword) &&
      !(
        e.keyword === "type" && errors.some((o) => o !== e && o.instancePath.startsWith(`${e.instancePath}/`))
      ),
  );
  // anyOf/oneOf with only wrapper errors (e.g. a value matching none of several branches) still needs a row.
  const chosen = useful.length > 0 ? useful : errors.slice(0, 1);
  const seen = new Set<string>();
  const violations: Violation[] = [];
  for (const error of chosen) {
    const v = toViolation(name, error, data);
    const key = `${v.path}|${v.keyword}|${v.clause}`;
    if (seen.has(key)) continue;
    seen.add(key);
    violations.push(v);
  }
  return violations;
}

function toViolation(name: SchemaName, error: ErrorObject, data: unknown): Violation {
  const parent = (error.parentSchema ?? {}) as JsonSchema;
  let path = error.instancePath;
  const properties = (parent.properties ?? {}) as Record<string, JsonSchema>;
  let clauseNode: JsonSchema = parent;
  if (error.keyword === "required" || error.keyword === "dependentRequired") {
    const missing = String((error.params as { missingProperty?: string }).missingProperty ?? "");
    path = `${path}/${escapePointer(missing)}`;
    clauseNode = properties[missing] ?? parent;
  } else if (error.keyword === "additionalProperties") {
    const extra = String((error.params as { additionalProperty?: string }).additionalProperty ?? "");
    path = `${path}/${escapePointer(extra)}`;
  }
  const clause = String(clauseNode["x-spec"] ?? parent["x-spec"] ?? "unmapped");
  const secret = parent["x-secret"] === true || clauseNode["x-secret"] === true;
  const value = error.keyword === "required" ? undefined : secret ? "[redacted]" : valueAt(data, path);
  const shown = value === undefined ? "nothing" : formatValue(value);
  const where = path === "" ? "the value" : path.slice(1).replace(/\//g, ".");
  const open = typeof parent["x-open"] === "string" ? parent["x-open"] : undefined;
  const rule = error.keyword === "required" ? "is required but missing" : (error.message ?? "is invalid");
  const message = `${name}: ${where} ${rule}${extraDetail(error)}; got ${shown} [${clause}]`;
  return { schema: name, path, keyword: error.keyword, clause, value, message, ...(open ? { open } : {}) };
}

function extraDetail(error: ErrorObject): string {
  if (error.keyword === "additionalProperties") {
    return ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})`;
  }
  if (error.keyword === "enum") {
    return ` (${JSON.stringify((error.params as { allowedValues?: unknown }).allowedValues)})`;
  }
  return "";
}

function escapePointer(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

function valueAt(data: unknown, pointer: string): unknown {
  if (pointer === "") return data;
  let node: unknown = data;
  for (const raw of pointer.split("/").slice(1)) {
    const token = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return node;
}

/** Short, single-line rendering of a value for messages: long strings are cut, with their length. */
function formatValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  if (text.length <= 60) return text;
  const length = typeof value === "string" ? ` (${value.length} characters)` : "";
  return `${text.slice(0, 40)}…${length}`;
}
