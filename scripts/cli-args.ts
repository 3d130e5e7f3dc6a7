/** Parsers for numeric command-line values, shared by every script: a bad value is a usage error naming the flag. */
import { InvalidArgumentError } from "commander";

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
