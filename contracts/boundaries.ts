/**
 * The boundary walker: turns the constraints of a request schema (of one edition) into named positive and
 * negative cases, each tagged with its clause. Whether a case is valid is decided by the contract itself (the
 * case is validated), so the walker never carries its own idea of a limit.
 */
import {
  applyInsert,
  firstValid,
  type Insert,
  type ScalarDraft,
  scalarDrafts,
  type TextMaker,
} from "./boundary-values.ts";
import { OPEN_CHOICES, openChoice } from "./data.ts";
import type { JsonSchema } from "./editions.ts";
import type { SchemaName } from "./schema-files.ts";
import type { Contracts, Violation } from "./validate.ts";

/** One generated case: a whole request value with one field pushed to (or past) a limit. */
export interface BoundaryCase {
  /** Stable, readable name, e.g. "called: maxLength+1 (25 characters)". */
  name: string;
  /** JSON pointer of the field ("" for a schema whose value is the field, such as the agent id). */
  field: string;
  /** What the case probes: "minLength-1", "max", "enum-outside", "missing", "wrong-type", ... */
  kind: string;
  /** The whole value to send (the base with the field replaced, removed or added). */
  value: unknown;
  /** The field's value in this case (undefined when removed). */
  fieldValue: unknown;
  /** Clause of the constraint (x-spec of the field; the schema's own for unknown fields). */
  clause: string;
  /** Whether the contract accepts the value. */
  valid: boolean;
  /** The contract's violations (empty for a valid case). */
  violations: Violation[];
  /**
   * Set when the page does not pin the gateway's reaction: x-open on the constraint, or a case that is valid
   * under one reading of the page and invalid under another (bytes versus characters). Record, never fail.
   */
  open?: string;
  /** The open choice (contracts/data/open-choices.json) whose option the gateway's answer shows. */
  choice?: string;
  /**
   * For a forbidden character or blanks: what was put where around a valid value, so a suite can rebuild the
   * case around a value of its own (a number it may dial) and keep the same fault.
   */
  insert?: Insert;
}

export { applyInsert, type Insert, type TextMaker };

export interface WalkOptions {
  /** Source of filler text; seeded faker in the suites. */
  text?: TextMaker;
  /** Name of the unknown field added by the "unknown-field" case. @default "xUnknownField" */
  unknownField?: string;
}

const cycleText: TextMaker = (length, alphabet) => {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[i % alphabet.length] ?? "0";
  return out;
};

/**
 * Every boundary case of one schema of an edition, built around `base` (a valid value of that schema).
 * For an object schema the walker visits each property; for a scalar schema (e.g. common/agent-id) the value
 * itself.
 */
export function boundaryCases(
  contracts: Contracts,
  schemaName: SchemaName,
  base: unknown,
  options: WalkOptions = {},
): BoundaryCase[] {
  const schema = contracts.schemas[schemaName];
  if (!schema) throw new Error(`no schema named "${schemaName}"`);
  const baseViolations = contracts.validate(schemaName, base);
  if (baseViolations.length > 0) {
    throw new Error(
      `boundaryCases(${schemaName}): the base value is not valid: ${baseViolations.map((v) => v.message).join("; ")}`,
    );
  }
  const text = options.text ?? cycleText;
  const rootClause = String(schema["x-spec"] ?? "unmapped");
  if (schema.type === "object" && typeof base === "object" && base !== null && !Array.isArray(base)) {
    const drafts = objectDrafts(schema, base as Record<string, unknown>, text, rootClause, options);
    return finish(contracts, schemaName, drafts);
  }
  const drafts = scalarDrafts(schema, text).map((d) => ({
    ...d,
    field: "",
    label: String(schema.title ?? schemaName),
    value: d.fieldValue,
    clause: rootClause,
  }));
  return finish(contracts, schemaName, drafts);
}

/** The cases of an object schema: each property's scalar, open-choice and missing cases, then the object's own. */
function objectDrafts(
  schema: JsonSchema,
  baseObject: Record<string, unknown>,
  text: TextMaker,
  rootClause: string,
  options: WalkOptions,
): Draft[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const dependents = (schema.dependentSchemas ?? {}) as Record<string, JsonSchema>;
  const drafts: Draft[] = [];
  for (const [name, sub] of Object.entries(properties)) {
    const clause = String(sub["x-spec"] ?? rootClause);
    const field = { field: `/${name}`, label: name, clause };
    const companions = dependencyValues(dependents[name]);
    for (const d of scalarDrafts(sub, text)) {
      drafts.push({ ...d, ...field, value: { ...baseObject, ...companions, [name]: d.fieldValue } });
    }
    for (const choice of Object.values(OPEN_CHOICES)) {
      if (choice.field !== `/${name}` || !choice.values) continue;
      for (const value of choice.values) {
        const ambiguous = { ambiguous: choice.note, choice: choice.id };
        drafts.push({
          kind: "empty",
          ...field,
          value: { ...baseObject, [name]: value },
          fieldValue: value,
          ...ambiguous,
        });
      }
    }
    if (required.has(name)) {
      const { [name]: _removed, ...without } = baseObject;
      drafts.push({ kind: "missing", ...field, value: without, fieldValue: undefined });
    }
  }
  drafts.push(...dependencyDrafts(properties, dependents, baseObject, text, rootClause));
  if (schema.additionalProperties === false) {
    const extra = options.unknownField ?? "xUnknownField";
    drafts.push({
      kind: "unknown-field",
      field: `/${extra}`,
      label: extra,
      value: { ...baseObject, [extra]: "1" },
      fieldValue: "1",
      clause: rootClause,
      ambiguous: openChoice("unknown-body-field").note,
      choice: "unknown-body-field",
    });
  }
  return drafts;
}

/** Each dependent field sent without what it depends on (the base already lacks the companion values). */
function dependencyDrafts(
  properties: Record<string, JsonSchema>,
  dependents: Record<string, JsonSchema>,
  baseObject: Record<string, unknown>,
  text: TextMaker,
  rootClause: string,
): Draft[] {
  const drafts: Draft[] = [];
  for (const [name, dependency] of Object.entries(dependents)) {
    const sub = properties[name];
    const sample = sub ? firstValid(sub, text) : undefined;
    if (sample === undefined) continue;
    const without = { ...baseObject, [name]: sample };
    for (const companion of Object.keys(dependencyValues(dependency))) delete without[companion];
    drafts.push({
      kind: "dependency-missing",
      field: `/${name}`,
      label: name,
      value: without,
      fieldValue: sample,
      clause: String(dependency["x-spec"] ?? sub?.["x-spec"] ?? rootClause),
    });
  }
  return drafts;
}

interface Draft extends ScalarDraft {
  field: string;
  label: string;
  value: unknown;
  clause: string;
}

/** Values of the companion fields a dependent field needs (e.g. mediaability 1 for userVideoDirection). */
function dependencyValues(dependency: JsonSchema | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const props = (dependency?.properties ?? {}) as Record<string, JsonSchema>;
  for (const [name, sub] of Object.entries(props)) {
    if ("const" in sub) out[name] = sub.const;
    else if (Array.isArray(sub.enum) && sub.enum.length > 0) out[name] = sub.enum[0];
  }
  return out;
}

function describe(value: unknown): string {
  if (value === undefined) return "absent";
  if (typeof value === "string") {
    return value.length > 12 ? `"${value.slice(0, 8)}…"` : JSON.stringify(value);
  }
  return JSON.stringify(value);
}

function finish(contracts: Contracts, schemaName: SchemaName, drafts: Draft[]): BoundaryCase[] {
  const seen = new Set<string>();
  const cases: BoundaryCase[] = [];
  for (const d of drafts) {
    // Two kinds may produce the same value (an empty string is also min-1); the first name wins.
    const structural = d.kind === "missing" || d.kind === "dependency-missing" ? d.kind : "";
    const key = `${d.field}|${JSON.stringify(d.fieldValue)}|${structural}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const violations = contracts.validate(schemaName, d.value);
    const valid = violations.length === 0;
    const openViolation = violations.find((v) => v.open)?.open;
    const open =
      d.ambiguous ?? (violations.length > 0 && violations.every((v) => v.open) ? openViolation : undefined);
    // An x-open constraint names its clause; the open choice about that clause is what the answer shows.
    const choice =
      d.choice ??
      (open ? Object.values(OPEN_CHOICES).find((c) => c["x-spec"] === violations[0]?.clause)?.id : undefined);
    const what = d.kind === "missing" ? "missing" : `${d.kind} ${d.note ?? describe(d.fieldValue)}`;
    cases.push({
      name: `${d.label}: ${what}`,
      field: d.field,
      kind: d.kind,
      value: d.value,
      fieldValue: d.fieldValue,
      clause: d.clause,
      valid,
      violations,
      ...(open ? { open } : {}),
      ...(choice ? { choice } : {}),
      ...(d.insert ? { insert: d.insert } : {}),
    });
  }
  return cases;
}
