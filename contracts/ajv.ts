/**
 * The one ajv configuration of the project: JSON Schema 2020-12, strict mode, ajv-formats, and the project's
 * own keywords. The mock, the functional suite, the scripts and the load engine all build their validators here,
 * so a schema means the same thing everywhere.
 */
import { Ajv2020, type KeywordDefinition, type Options } from "ajv/dist/2020.js";
import { _, str } from "ajv/dist/compile/codegen/index.js";
import addFormatsModule from "ajv-formats";

// NOTE: ajv-formats is CommonJS; under Node's ESM loader its default export is the plugin itself, under some
// bundlers it is wrapped in { default }. Accept both rather than depend on one interop behaviour.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as typeof addFormatsModule.default;

/** Annotation keywords: carried by schemas, ignored by validation, read by the harness. */
export const ANNOTATION_KEYWORDS = [
  /** Clause of the interface page (an id in contracts/clauses.json) a constraint derives from. */
  "x-spec",
  /** Why the vendor leaves the gateway's reaction to breaking this constraint open. */
  "x-open",
  /** The value is a secret (password, Guid): redact it in logs, evidence and reports. */
  "x-secret",
  /** Form used in the vendor's examples; the mock follows it, gateways are not held to it. */
  "x-example-pattern",
] as const;

/**
 * `x-digits-range`: a decimal string whose integer value lies in [minimum, maximum]. Validation uses the
 * `pattern` that contracts/editions.ts derives from it; the keyword itself stays as data for the boundary
 * walker and the reports.
 */
const digitsRange: KeywordDefinition = {
  keyword: "x-digits-range",
  schemaType: "object",
  metaSchema: {
    type: "object",
    required: ["minimum", "maximum"],
    additionalProperties: false,
    properties: { minimum: { type: "integer" }, maximum: { type: "integer" } },
  },
};

/**
 * `x-maxUtf8Bytes`: the string's UTF-8 encoding is at most N bytes. Written as generated code (not a
 * validate function), so a standalone validator carries it without a runtime import. A lone surrogate
 * counts as 3 bytes, as it does once replaced by U+FFFD.
 */
const maxUtf8Bytes: KeywordDefinition = {
  keyword: "x-maxUtf8Bytes",
  type: "string",
  schemaType: "number",
  metaSchema: { type: "integer", minimum: 0 },
  error: { message: ({ schemaCode }) => str`must be at most ${schemaCode} bytes of UTF-8` },
  code(cxt) {
    const { gen, data, schema } = cxt;
    const bytes = gen.let("bytes", 0);
    gen.forRange("i", 0, _`${data}.length`, (i) => {
      const c = gen.const("c", _`${data}.charCodeAt(${i})`);
      gen.if(_`${c} < 0x80`);
      gen.assign(bytes, _`${bytes} + 1`);
      gen.elseIf(_`${c} < 0x800`);
      gen.assign(bytes, _`${bytes} + 2`);
      gen.elseIf(
        _`${c} >= 0xd800 && ${c} < 0xdc00 && ${i} + 1 < ${data}.length && (${data}.charCodeAt(${i} + 1) & 0xfc00) === 0xdc00`,
      );
      gen.assign(bytes, _`${bytes} + 4`);
      gen.code(_`${i}++`);
      gen.else();
      gen.assign(bytes, _`${bytes} + 3`);
      gen.endIf();
    });
    cxt.fail(_`${bytes} > ${schema}`);
  },
};

/** Options shared by every ajv of the project. `strict` stays on: it is what catches a misspelt keyword. */
export const AJV_OPTIONS: Options = {
  strict: true,
  allErrors: true,
  verbose: true,
  // The harness validates data as it is; no coercion, no defaults written into what we send or received.
  coerceTypes: false,
  // Union types ("integer" or "string") are how the vendor's loosely typed fields are described; strict stays on otherwise.
  allowUnionTypes: true,
  useDefaults: false,
};

/** Builds an ajv with the project's keywords and formats. Extra options (for example `code` for standalone output) are merged in. */
export function createAjv(extra: Options = {}): Ajv2020 {
  const ajv = new Ajv2020({ ...AJV_OPTIONS, ...extra });
  addFormats(ajv);
  for (const keyword of ANNOTATION_KEYWORDS) ajv.addKeyword({ keyword });
  ajv.addKeyword(digitsRange);
  ajv.addKeyword(maxUtf8Bytes);
  return ajv;
}

/** UTF-8 length of a string, counted as the `x-maxUtf8Bytes` keyword counts it. */
export function utf8Length(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (
      c >= 0xd800 &&
      c < 0xdc00 &&
      i + 1 < value.length &&
      (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00
    ) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
