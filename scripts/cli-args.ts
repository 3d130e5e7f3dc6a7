/** Parsers for numeric command-line values, shared by every script: a bad value is a usage error naming the flag. */
import { InvalidArgumentError } from "commander";
import { schemaFiles } from "../contracts/index.ts";

/** An integer of at least `min`. */
export function integer(name: string, min = 0): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isInteger(n) || n < min) {
      throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
    }
    return n;
  };
}

/** A number above zero (a positive integer when `wholeNumber`). */
export function positive(name: string, wholeNumber = false): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n <= 0 || (wholeNumber && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`${name} must be a ${wholeNumber ? "positive integer" : "number > 0"}`);
    }
    return n;
  };
}

/** `i/N` of --segment: this process runs segment i (0-based, as JOB_COMPLETION_INDEX) of N. */
export function segmentValue(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index >= count)
    throw new InvalidArgumentError("expected i/N with 0 <= i < N, e.g. 0/4");
  return { index, count };
}

/** --start-at: an ISO time or epoch milliseconds, so every segment starts together. */
export function startAtValue(value: string): number {
  const at = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(at))
    throw new InvalidArgumentError("expected an ISO time (2026-12-01T18:00:00Z) or epoch ms");
  return at;
}

/** The service levels of a load run, as result.json's schema states them (names and ranges). */
const SLO_SCHEMA = schemaFiles["harness/load-segment"].$defs.slo;
type SloName = keyof typeof SLO_SCHEMA.properties;
export const SLO_NAMES = Object.keys(SLO_SCHEMA.properties) as SloName[];

/** --slo name=value, repeatable: folded into one object of service levels, each within its schema's range. */
export function sloValue(
  value: string,
  previous: Partial<Record<SloName, number>> = {},
): Partial<Record<SloName, number>> {
  const m = /^(\w+)=(.+)$/.exec(value.trim());
  const name = SLO_NAMES.find((n) => n === m?.[1]);
  if (!name) throw new InvalidArgumentError(`expected name=value, the name one of ${SLO_NAMES.join(", ")}`);
  const n = Number(m?.[2]);
  const range: { minimum: number; maximum?: number } = SLO_SCHEMA.properties[name];
  if (!Number.isFinite(n) || n < range.minimum || (range.maximum !== undefined && n > range.maximum))
    throw new InvalidArgumentError(
      `${name} must be a number from ${range.minimum}${range.maximum === undefined ? "" : ` to ${range.maximum}`}`,
    );
  return { ...previous, [name]: n };
}
