/**
 * Contract checks under load: a sampled fraction (CCGW_CONTRACT_SAMPLE) of responses and events is validated
 * with the ajv standalone validators generated from the contracts at build time, so no virtual user compiles a
 * schema and validation cannot become the bottleneck of the load generator.
 */
import { callout, calloutRequest, getAgentEvent, login, logout, release } from "ccgw:validators";
import { violations } from "./metrics.ts";

const validators = { callout, calloutRequest, getAgentEvent, login, logout, release };

export type ValidatedOperation = keyof typeof validators;

let sampleRate = 0;
let logged = 0;
// A few violations are printed so a failing run says what broke; the rest only count.
const MAX_LOGGED = 5;

/** Sets the fraction of checks that run (0 to 1). */
export function setContractSample(rate: number): void {
  sampleRate = rate;
}

/** True when this response should be validated (decided before parsing costs anything). */
export function sampled(): boolean {
  return sampleRate >= 1 || (sampleRate > 0 && Math.random() < sampleRate);
}

/** Validates a parsed body against an operation's response contract and records the verdict. */
export function checkContract(operation: ValidatedOperation, body: unknown): boolean {
  const validate = validators[operation];
  const ok = validate(body);
  if (ok) {
    violations.add(0, { operation });
    return true;
  }
  const first = validate.errors?.[0];
  violations.add(1, { operation, path: first?.instancePath ?? "" });
  if (logged < MAX_LOGGED) {
    logged++;
    console.warn(
      `contract violation in ${operation}: ${first?.instancePath ?? ""} ${first?.message ?? "invalid"}`,
    );
  }
  return false;
}

/** Records a body that was not JSON at all as a violation of the operation's contract. */
export function notJson(operation: ValidatedOperation): void {
  violations.add(1, { operation, path: "(not JSON)" });
}
