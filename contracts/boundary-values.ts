/**
 * The values at and past the limits of one field schema, each a draft the boundary walker turns into a case:
 * lengths and byte limits, enum members and one outside, ranges, a value of another JSON type, and every
 * forbidden character of a pattern at the start, in the middle and at the end of a valid value, with blanks
 * around one. Whether a value is valid is decided later, by the contract itself.
 */
import { utf8Length } from "./ajv.ts";
import { openChoice } from "./data.ts";
import type { JsonSchema } from "./editions.ts";

/** Makes text: `length` characters from `alphabet`. The default cycles the alphabet; suites pass a seeded one. */
export type TextMaker = (length: number, alphabet: readonly string[]) => string;

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

/** One value of a field, before it is put into a whole request. */
export interface ScalarDraft {
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

export function firstValid(schema: JsonSchema, text: TextMaker): unknown {
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
export function scalarDrafts(schema: JsonSchema, text: TextMaker): ScalarDraft[] {
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
