/**
 * The harness's own errors: configuration and usage mistakes, unreachable targets. Each has a code from one
 * catalog, so the README can say how to fix it and scripts can map it to an exit code.
 */

export const ERROR_CODES = {
  CCGW_PROFILE_NOT_FOUND: "the target profile file cannot be read",
  CCGW_PROFILE_INVALID:
    "the target profile breaks its schema (contracts/schemas/harness/target-profile.schema.json)",
  CCGW_PROFILE_ENV_MISSING: "the target profile names an environment variable that is not set",
  CCGW_USAGE: "a command-line flag or value is wrong",
  CCGW_BASELINE_INVALID:
    "the baseline file cannot be read or breaks its schema (contracts/schemas/harness/baseline.schema.json)",
  CCGW_TARGET_UNREACHABLE: "the gateway does not answer (connection refused, DNS, timeout)",
  CCGW_TARGET_TLS: "the gateway's TLS certificate is not trusted",
  CCGW_TARGET_NOT_JSON: "the gateway answered something that is not JSON",
  CCGW_SIGN_IN_REFUSED: "the gateway refused to sign a test agent in",
  CCGW_NUMBER_NOT_ALLOWED: "a number outside the profile's called list was about to be dialled",
  CCGW_BUDGET_EXCEEDED: "the call-rate cap or the total-calls budget would be exceeded",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error of the harness, with a catalog code and an optional hint on how to fix it. */
export class HarnessError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  constructor(code: ErrorCode, message: string, hint?: string) {
    super(message);
    this.name = "HarnessError";
    this.code = code;
    if (hint !== undefined) this.hint = hint;
  }

  /** One line for a terminal: code, message and hint. */
  toLine(): string {
    return `${this.code}: ${this.message}${this.hint ? ` (${this.hint})` : ""}`;
  }
}

/**
 * Exit codes of every command: 0 pass, 1 a test or threshold failed, 2 usage or configuration error, 130
 * interrupted (Ctrl-C, every agent signed out first: 128 + SIGINT, as shells report it).
 */
export const EXIT = { PASS: 0, FAIL: 1, USAGE: 2, INTERRUPTED: 130 } as const;
