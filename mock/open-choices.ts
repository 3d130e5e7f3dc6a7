/**
 * The mock's side of the behaviour the pages leave open (contracts/data/open-choices.json): each choice takes
 * its first option unless it is switched to its alternate, so the suite can be tried against both. The request
 * side lives here (what a callout body means); the answer side is one switch at each place that answers.
 */
import { type JsonSchema, OPEN_CHOICES, openChoice } from "../contracts/index.ts";
import { MockConfigError } from "./faults.ts";

/** The choices switched to their alternate option. */
export class OpenChoices {
  private readonly alternates: ReadonlySet<string>;
  constructor(alternates: readonly string[] = []) {
    this.alternates = new Set(validateChoices(alternates));
  }
  /** True when the choice takes its alternate (second) option. */
  alternate(id: string): boolean {
    return this.alternates.size > 0 && this.alternates.has(id);
  }
  list(): string[] {
    return [...this.alternates];
  }
}

/** Checks choice ids; `true` means every choice. Throws MockConfigError naming an unknown one. */
export function validateChoices(value: unknown, root = "alternateChoices"): string[] {
  if (value === true) return Object.keys(OPEN_CHOICES);
  if (value === false || value === undefined) return [];
  if (!Array.isArray(value)) throw new MockConfigError(root, "must be true or an array of open choice ids");
  return value.map((id, i) => {
    if (typeof id !== "string" || !OPEN_CHOICES[id]) {
      throw new MockConfigError(
        `${root}/${i}`,
        `unknown open choice ${JSON.stringify(id)}; known: ${Object.keys(OPEN_CHOICES).join(", ")}`,
      );
    }
    return id;
  });
}

/**
 * What a callout body means to this gateway before it is validated: empty values of a field that "can be
 * empty" are the field left out; with lenient types, "1" is 1 for an integer field and 1 is "1" for a string
 * field; unknown fields are dropped when they are ignored. Returns a new object; non-objects pass through.
 */
export function normaliseBody(body: unknown, schema: JsonSchema, choices: OpenChoices): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return body;
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const out: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  const empty = openChoice("skillid-empty");
  const emptyField = empty.field?.slice(1);
  if (emptyField && !choices.alternate(empty.id) && empty.values?.some((v) => v === out[emptyField])) {
    delete out[emptyField];
  }
  for (const [name, value] of Object.entries(out)) {
    const field = properties[name];
    if (!field) {
      if (choices.alternate("unknown-body-field")) delete out[name];
      continue;
    }
    if (choices.alternate("lenient-scalar-types")) out[name] = converted(value, field);
  }
  return out;
}

/** A scalar read as the field's type when it means the same number. */
function converted(value: unknown, field: JsonSchema): unknown {
  const types = Array.isArray(field.type) ? field.type : [field.type];
  if (types.includes("integer") && typeof value === "string" && /^-?[0-9]+$/.test(value))
    return Number(value);
  if (types.includes("string") && typeof value === "number" && Number.isSafeInteger(value) && value >= 0) {
    return String(value);
  }
  return value;
}
