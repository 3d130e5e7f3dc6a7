/**
 * Editions of the interface page. The schema files describe the base edition; contracts/editions.json lists,
 * for every other edition, the changes to apply. This module produces the schema set of one edition.
 */
import toRegexRange from "to-regex-range";
import editionsData from "./editions.json" with { type: "json" };
import { type SchemaName, schemaFiles } from "./schema-files.ts";

export const EDITIONS = ["2023-09", "2025-03", "2025-11"] as const;
/** An edition of the interface page, named by the date of its publication. */
export type Edition = (typeof EDITIONS)[number];
/** The edition used when none is chosen: the page in shared/spec. */
export const DEFAULT_EDITION = editionsData.default as Edition;

/** Every edition's changes to the base schemas, each with its clause (contracts/editions.json). */
export const EDITION_CHANGES = editionsData.editions;

export type JsonSchema = Record<string, unknown>;

interface EditionChange {
  schema: string;
  pointer: string;
  value?: unknown;
  remove?: boolean;
  "x-spec": string;
}

export function isEdition(value: unknown): value is Edition {
  return typeof value === "string" && (EDITIONS as readonly string[]).includes(value);
}

/** Facts about one edition, for reports and --help texts. */
export function editionInfo(edition: Edition): { published: string; summary: string } {
  const entry = editionsData.editions[edition];
  return { published: entry.published, summary: entry.summary };
}

const cache = new Map<Edition, Readonly<Record<SchemaName, JsonSchema>>>();

/** All schemas of an edition, keyed by schema name. The objects are fresh copies: callers may not mutate them. */
export function schemasFor(edition: Edition): Readonly<Record<SchemaName, JsonSchema>> {
  const cached = cache.get(edition);
  if (cached) return cached;
  const schemas = structuredClone(schemaFiles) as unknown as Record<SchemaName, JsonSchema>;
  for (const change of editionsData.editions[edition].changes as EditionChange[])
    applyChange(schemas, change);
  for (const schema of Object.values(schemas)) expandDigitRanges(schema);
  cache.set(edition, schemas);
  return schemas;
}

function applyChange(schemas: Record<string, JsonSchema>, change: EditionChange): void {
  const name = change.schema.replace(/\.schema\.json$/, "");
  const root = schemas[name];
  if (!root) throw new Error(`contracts/editions.json: unknown schema "${change.schema}"`);
  const tokens = change.pointer
    .split("/")
    .slice(1)
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
  const last = tokens.pop();
  if (last === undefined) throw new Error(`contracts/editions.json: empty pointer for "${change.schema}"`);
  let node: unknown = root;
  for (const token of tokens) {
    node = (node as Record<string, unknown> | undefined)?.[token];
    if (typeof node !== "object" || node === null) {
      throw new Error(
        `contracts/editions.json: pointer ${change.pointer} does not exist in ${change.schema}`,
      );
    }
  }
  const parent = node as Record<string, unknown>;
  if (!(last in parent)) {
    throw new Error(`contracts/editions.json: pointer ${change.pointer} does not exist in ${change.schema}`);
  }
  if (change.remove) delete parent[last];
  else parent[last] = structuredClone(change.value);
}

/** Turns every `x-digits-range` into the exact `pattern` a validator (ours, Prism's, Schemathesis's) can use. */
function expandDigitRanges(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) expandDigitRanges(item);
    return;
  }
  if (typeof node !== "object" || node === null) return;
  const schema = node as JsonSchema;
  const range = schema["x-digits-range"] as { minimum: number; maximum: number } | undefined;
  if (range) schema.pattern = `^${toRegexRange(range.minimum, range.maximum, { capture: false })}$`;
  for (const value of Object.values(schema)) expandDigitRanges(value);
}
