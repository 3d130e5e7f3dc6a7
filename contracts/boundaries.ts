/**
 * The boundary walker: turns the constraints of a request schema (of one edition) into named positive and
 * negative cases, each tagged with its clause. Whether a case is valid is decided by the contract itself (the
 * case is validated), so the walker never carries its own idea of a limit.
 */
import { utf8Length } from "./ajv.ts";
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

/** A character put at the start, in the middle or at the end of a valid value; blanks go around it. */
export interface Insert {
  text: string;
  at: "start" | "middle" | "end" | "around";
}

/** Puts an insert into a valid value (of at least two characters for the middle). */
export function applyInsert(value: string, insert: Insert): string {
  switch (insert.at) {
    case "start":
      return `${insert.text}${value}`;
    case "middle": {
      const half = Math.max(1, Math.floor(value.length / 2));
      return `${value.slice(0, half)}${insert.text}${value.slice(half)}`;
    }
    case "end":
      return `${value}${insert.text}`;
    default:
      return `${insert.text}${value}${insert.text}`;
  }
}

/** Makes text: `length` characters from `alphabet`. The default cycles the alphabet; suites pass a seeded one. */
export type TextMaker = (length: number, alphabet: readonly string[]) => string;

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

// Characters tried against a pattern: the first ones it accepts fill valid strings, the first ones it refuses
// are the "forbidden character" cases. A multi-byte letter and a space are among them on purpose.
const CANDIDATES = ["0", "1", "7", "9", "a", "Z", "*", "#", "+", "-", " ", "é", "中", "%", ";", "."];
// Used for the UTF-8 byte limit: three bytes each, one character each in UTF-16.
const MULTI_BYTE = "中";
const MAX_FORBIDDEN = 3;

// A value of another JSON type that reads as the same number: how strictly types are enforced is open.
const LENIENT = {
  ambiguous: openChoice("lenient-scalar-types").note,
  choice: "lenient-scalar-types",
} as const;

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

interface ScalarDraft {
  kind: string;
  fieldValue: unknown;
  /** Extra words for the name, e.g. "(25 characters)". */
  note?: string;
  /** The case is valid under one reading of the page and invalid under another. */
  ambiguous?: string;
  /** The open choice the case probes. */
  choice?: string;
  insert?: Insert;
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

function firstValid(schema: JsonSchema, text: TextMaker): unknown {
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (schema.type === "string") {
    const alphabet = allowedChars(schema);
    return text(Math.max(1, Number(schema.minLength ?? 1)), alphabet);
  }
  if (schema.type === "integer") return Number(schema.minimum ?? 0);
  return undefined;
}

function patternOf(schema: JsonSchema): RegExp | undefined {
  return typeof schema.pattern === "string" ? new RegExp(schema.pattern, "u") : undefined;
}

/** Characters a pattern accepts one at a time (all candidates when there is no pattern). */
function allowedChars(schema: JsonSchema): string[] {
  const range = schema["x-digits-range"];
  if (range) return ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"];
  const pattern = patternOf(schema);
  if (!pattern) return ["a", "b", "c", "0", "1"];
  const allowed = CANDIDATES.filter((c) => pattern.test(c.repeat(1)) || pattern.test(c.repeat(2)));
  return allowed.length > 0 ? allowed : ["0"];
}

/** The scalar cases of one field schema: lengths, values, enum members, pattern, type. */
function scalarDrafts(schema: JsonSchema, text: TextMaker): ScalarDraft[] {
  const drafts: ScalarDraft[] = [];
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const range = schema["x-digits-range"] as { minimum: number; maximum: number } | undefined;
  if (range) {
    for (const [kind, n] of [
      ["from-1", range.minimum - 1],
      ["from", range.minimum],
      ["to", range.maximum],
      ["to+1", range.maximum + 1],
    ] as const) {
      drafts.push({ kind, fieldValue: String(n) });
    }
    drafts.push(...insertDrafts(String(range.minimum), ["a"], false));
    return drafts;
  }
  if (Array.isArray(schema.enum)) {
    for (const member of schema.enum) drafts.push({ kind: "enum-member", fieldValue: member });
    const numbers = schema.enum.filter((m): m is number => typeof m === "number");
    const outside = numbers.length > 0 ? Math.max(...numbers) + 1 : "not-a-member";
    drafts.push({ kind: "enum-outside", fieldValue: outside });
  }
  if (types.includes("string")) {
    const alphabet = allowedChars(schema);
    const min = typeof schema.minLength === "number" ? schema.minLength : undefined;
    const max = typeof schema.maxLength === "number" ? schema.maxLength : undefined;
    drafts.push({ kind: "empty", fieldValue: "" });
    if (min !== undefined && min > 1)
      drafts.push({ kind: "minLength-1", fieldValue: text(min - 1, alphabet) });
    if (min !== undefined && min > 0) drafts.push({ kind: "minLength", fieldValue: text(min, alphabet) });
    if (max !== undefined) {
      drafts.push({ kind: "maxLength", fieldValue: text(max, alphabet), note: `(${max} characters)` });
      drafts.push({
        kind: "maxLength+1",
        fieldValue: text(max + 1, alphabet),
        note: `(${max + 1} characters)`,
      });
    }
    const bytes = schema["x-maxUtf8Bytes"];
    if (typeof bytes === "number") drafts.push(...byteDrafts(bytes, max, alphabet, text));
    const pattern = patternOf(schema);
    if (pattern) {
      // Two characters at least, so a forbidden one has a middle to go in.
      const filler = text(Math.max(2, min ?? 1), alphabet);
      const forbidden = CANDIDATES.filter((c) => !pattern.test(`${filler}${c}`) && !pattern.test(c)).slice(
        0,
        MAX_FORBIDDEN,
      );
      drafts.push(...insertDrafts(filler, forbidden, !pattern.test(` ${filler} `)));
    }
    // A number where a string is expected: open when the pattern accepts its digits (a gateway may convert it).
    const converted = pattern === undefined || pattern.test("1");
    drafts.push({ kind: "wrong-type", fieldValue: 1, note: "(a number)", ...(converted ? LENIENT : {}) });
  } else if (types.includes("integer")) {
    if (typeof schema.minimum === "number") {
      drafts.push({ kind: "minimum-1", fieldValue: schema.minimum - 1 });
      drafts.push({ kind: "minimum", fieldValue: schema.minimum });
    }
    if (typeof schema.maximum === "number") {
      drafts.push({ kind: "maximum", fieldValue: schema.maximum });
      drafts.push({ kind: "maximum+1", fieldValue: schema.maximum + 1 });
    }
    const sample = Array.isArray(schema.enum) ? schema.enum[0] : (schema.minimum ?? 1);
    drafts.push({ kind: "wrong-type", fieldValue: String(sample), note: "(a string)", ...LENIENT });
    drafts.push({ kind: "not-an-integer", fieldValue: Number(sample) + 0.5 });
  }
  return drafts;
}

/**
 * Each forbidden character at the start, in the middle and at the end of a valid value (a check that looks at
 * one end only passes the others), and blanks around a valid value when the pattern refuses them (a gateway
 * that trims before it checks accepts it).
 */
function insertDrafts(valid: string, forbidden: readonly string[], blanks: boolean): ScalarDraft[] {
  const drafts: ScalarDraft[] = [];
  for (const c of forbidden) {
    for (const at of ["start", "middle", "end"] as const) {
      const insert = { text: c, at };
      drafts.push({
        kind: "forbidden-character",
        fieldValue: applyInsert(valid, insert),
        note: `(${JSON.stringify(c)} at the ${at})`,
        insert,
      });
    }
  }
  if (blanks) {
    const insert = { text: " ", at: "around" } as const;
    drafts.push({
      kind: "blanks-around",
      fieldValue: applyInsert(valid, insert),
      note: "(a valid value between blanks)",
      insert,
    });
  }
  return drafts;
}

/**
 * Cases at a UTF-8 byte limit: ASCII at the limit and one over (the character and byte readings agree), and
 * multi-byte text at the limit and one byte over (one over in bytes, but fewer characters than a character
 * limit allows: the page's "16 KB" does not say which, so that case is open).
 */
function byteDrafts(
  bytes: number,
  maxChars: number | undefined,
  alphabet: readonly string[],
  text: TextMaker,
): ScalarDraft[] {
  const ascii = alphabet.filter((c) => utf8Length(c) === 1);
  const drafts: ScalarDraft[] = [];
  if (maxChars !== bytes) {
    drafts.push({ kind: "maxBytes-ascii", fieldValue: text(bytes, ascii), note: `(${bytes} ASCII bytes)` });
    drafts.push({
      kind: "maxBytes+1-ascii",
      fieldValue: text(bytes + 1, ascii),
      note: `(${bytes + 1} ASCII bytes)`,
    });
  }
  const width = utf8Length(MULTI_BYTE);
  const count = Math.floor(bytes / width);
  const rest = bytes - count * width;
  const atLimit = MULTI_BYTE.repeat(count) + text(rest, ascii);
  const over = `${atLimit}${text(1, ascii)}`;
  drafts.push({
    kind: "maxBytes-multibyte",
    fieldValue: atLimit,
    note: `(${bytes} bytes, ${atLimit.length} characters)`,
  });
  drafts.push({
    kind: "maxBytes+1-multibyte",
    fieldValue: over,
    note: `(${bytes + 1} bytes, ${over.length} characters)`,
    ...(maxChars === undefined || over.length <= maxChars
      ? {
          ambiguous:
            "One byte over the limit in UTF-8 but within it in characters: the page says 16 KB without saying bytes or characters.",
          choice: "callappdata-unit",
        }
      : {}),
  });
  return drafts;
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
