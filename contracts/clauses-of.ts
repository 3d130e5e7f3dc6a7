/**
 * Which clauses a conforming value was held to: walks a schema along a value (the properties present, the
 * `allOf` parts, the `if`/`then`/`else` branch and the `anyOf`/`oneOf` branches that apply, `$ref`s) and
 * collects every `x-spec` met on the way. A report credits these clauses when the value passed validation.
 */
import type { ValidateFunction } from "ajv/dist/2020.js";
import { createAjv } from "./ajv.ts";
import type { JsonSchema } from "./editions.ts";
import type { SchemaName } from "./schema-files.ts";
import { type Contracts, schemaId } from "./validate.ts";

/** A clause a value was held to, with the JSON pointer of the first place it applied ("" for the root). */
export interface AppliedClause {
  clause: string;
  path: string;
}

interface Walker {
  byId: Map<string, JsonSchema>;
  check: (id: string, pointer: string, data: unknown) => boolean;
  /** Sub-schemas by id and pointer, resolved once (a walk visits the same ones for every answer). */
  nodes: Map<string, unknown>;
}

const walkers = new WeakMap<Contracts, Walker>();

function walkerOf(contracts: Contracts): Walker {
  let walker = walkers.get(contracts);
  if (!walker) {
    // A separate ajv: sub-schemas (an `if`, one `anyOf` branch) are compiled by pointer, which would otherwise
    // fill the validators shared by the whole edition. A branch alone (an `if` of `properties` and `required`)
    // lacks the `type` its parent gives, which strict types would refuse; the whole schemas are checked elsewhere.
    const ajv = createAjv({ strictTypes: false });
    const byId = new Map<string, JsonSchema>();
    for (const schema of Object.values(contracts.schemas)) {
      ajv.addSchema(schema);
      byId.set(String(schema.$id), schema);
    }
    const compiled = new Map<string, ValidateFunction>();
    const check = (id: string, pointer: string, data: unknown): boolean => {
      const key = `${id}#${pointer}`;
      let fn = compiled.get(key);
      if (!fn) {
        fn = ajv.getSchema(key);
        if (!fn) throw new Error(`clauses-of: no sub-schema at ${key}`);
        compiled.set(key, fn);
      }
      return fn(data) === true;
    };
    walker = { byId, check, nodes: new Map() };
    walkers.set(contracts, walker);
  }
  return walker;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function pointerToken(token: string | number): string {
  return encodeURIComponent(String(token).replace(/~/g, "~0").replace(/\//g, "~1"));
}

function nodeAt(root: JsonSchema, pointer: string): unknown {
  let node: unknown = root;
  for (const raw of pointer.split("/").slice(1)) {
    const token = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    node = isObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[token] : undefined;
  }
  return node;
}

/**
 * The clauses (`x-spec`) of every constraint of `schema` that applied to `data`, in the order met, each once.
 * Only meaningful for a value that conforms: for one that does not, the violations name the clauses.
 */
export function appliedClauses(contracts: Contracts, schema: SchemaName, data: unknown): AppliedClause[] {
  const walker = walkerOf(contracts);
  const found = new Map<string, string>();
  const visit = (id: string, pointer: string, value: unknown, path: string, depth: number): void => {
    // Recursive schemas stop when the value does; the depth guard only protects against a broken $ref cycle.
    if (depth > 64) return;
    const key = `${id}#${pointer}`;
    let node = walker.nodes.get(key);
    if (node === undefined && !walker.nodes.has(key)) {
      const root = walker.byId.get(id);
      if (!root) throw new Error(`clauses-of: unknown schema ${id}`);
      node = nodeAt(root, pointer);
      walker.nodes.set(key, node);
    }
    if (!isObject(node)) return;
    const spec = node["x-spec"];
    if (typeof spec === "string" && !found.has(spec)) found.set(spec, path);
    const at = (suffix: string) => `${pointer}/${suffix}`;
    if (typeof node.$ref === "string") {
      const target = new URL(node.$ref, id);
      const fragment = target.hash.replace(/^#/, "");
      target.hash = "";
      visit(target.href, fragment, value, path, depth + 1);
    }
    if (Array.isArray(node.allOf)) {
      node.allOf.forEach((_, i) => {
        visit(id, at(`allOf/${i}`), value, path, depth + 1);
      });
    }
    for (const keyword of ["anyOf", "oneOf"] as const) {
      const branches = node[keyword];
      if (!Array.isArray(branches)) continue;
      branches.forEach((_, i) => {
        if (walker.check(id, at(`${keyword}/${i}`), value))
          visit(id, at(`${keyword}/${i}`), value, path, depth + 1);
      });
    }
    if (isObject(node.if)) {
      const branch = walker.check(id, at("if"), value) ? "then" : "else";
      if (isObject(node[branch])) visit(id, at(branch), value, path, depth + 1);
    }
    if (isObject(node.properties) && isObject(value)) {
      for (const name of Object.keys(node.properties)) {
        if (value[name] === undefined) continue;
        visit(
          id,
          at(`properties/${pointerToken(name)}`),
          value[name],
          `${path}/${pointerToken(name)}`,
          depth + 1,
        );
      }
    }
    if (Array.isArray(value)) {
      if (Array.isArray(node.prefixItems)) {
        node.prefixItems.forEach((_, i) => {
          if (i < value.length) visit(id, at(`prefixItems/${i}`), value[i], `${path}/${i}`, depth + 1);
        });
      }
      if (isObject(node.items)) {
        const from = Array.isArray(node.prefixItems) ? node.prefixItems.length : 0;
        for (let i = from; i < value.length; i++) visit(id, at("items"), value[i], `${path}/${i}`, depth + 1);
      }
    }
  };
  visit(schemaId(schema), "", data, "", 0);
  return [...found].map(([clause, path]) => ({ clause, path }));
}
