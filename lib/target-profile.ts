/**
 * The target profile: one JSON file that selects a gateway for the mock, the functional suite and the load runs.
 * Loading substitutes ${ENV_NAME} placeholders, validates against contracts/schemas/harness/target-profile, and
 * fails with the field and the rule that broke.
 */
import { readFile } from "node:fs/promises";
import type { TargetProfile } from "../contracts/index.ts";
import { contractsFor, DEFAULT_EDITION, type Edition } from "../contracts/index.ts";
import { HarnessError } from "./errors.ts";

// A test agent, and every agent of a profile: lib/roster.ts (`new Roster(profile)`).
export type { Agent } from "./roster.ts";
export type { TargetProfile };

/** What dialling a number produces in a lab (or in the mock). */
export type Outcome = "answered" | "not-answered" | "busy" | "agent-no-answer";

export interface CalledNumber {
  number: string;
  outcome?: Outcome;
}

export type AuthMode = "static" | "dynamic";

const ENV_PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replaces ${NAME} in every string of a JSON value; a variable that is not set is an error naming the field. */
export function substituteEnv(value: unknown, env: Record<string, string | undefined>, path = ""): unknown {
  if (typeof value === "string") {
    return value.replace(ENV_PLACEHOLDER, (_match, name: string) => {
      const found = env[name];
      if (found === undefined) {
        throw new HarnessError(
          "CCGW_PROFILE_ENV_MISSING",
          `target profile ${path || "/"}: environment variable ${name} is not set`,
          `export ${name}=... before the run`,
        );
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => substituteEnv(item, env, `${path}/${i}`));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, `${path}/${k}`)]),
    );
  }
  return value;
}

/** Validates a parsed profile (after substitution). `source` names the file in messages. */
export function parseTargetProfile(
  raw: unknown,
  env: Record<string, string | undefined> = process.env,
  source = "target profile",
): TargetProfile {
  const value = substituteEnv(raw, env);
  const violations = contractsFor(DEFAULT_EDITION).validate("harness/target-profile", value);
  if (violations.length > 0) {
    const lines = violations.map((v) => {
      const field = v.path === "" ? "(root)" : v.path;
      return `${field}: ${v.message.replace(/^harness\/target-profile: \S+ /, "").replace(/ \[[^\]]*\]$/, "")}`;
    });
    throw new HarnessError("CCGW_PROFILE_INVALID", `${source} is invalid:\n  ${lines.join("\n  ")}`);
  }
  return value as TargetProfile;
}

/** Reads, substitutes and validates a profile file. */
export async function loadTargetProfile(
  path: string,
  env: Record<string, string | undefined> = process.env,
): Promise<TargetProfile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new HarnessError(
      "CCGW_PROFILE_NOT_FOUND",
      `cannot read target profile ${path}: ${(error as Error).message}`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new HarnessError(
      "CCGW_PROFILE_INVALID",
      `target profile ${path} is not JSON: ${(error as Error).message}`,
    );
  }
  return parseTargetProfile(raw, env, `target profile ${path}`);
}

/** The numbers the harness may dial, with the outcome each produces where the profile says it. */
export function calledNumbers(profile: TargetProfile): CalledNumber[] {
  return profile.called.map((entry) =>
    typeof entry === "string"
      ? { number: entry }
      : { number: entry.number, ...(entry.outcome ? { outcome: entry.outcome } : {}) },
  );
}

export function profileEdition(profile: TargetProfile): Edition {
  return profile.edition ?? DEFAULT_EDITION;
}

export function profileAuthMode(profile: TargetProfile): AuthMode {
  return profile.authMode ?? "dynamic";
}

/** How long the events an action triggers may take, in ms (the profile's eventDeadlines over the defaults). */
export interface EventDeadlines {
  /** Callout to the end of the call's setup (Talking, or Call_Out_Fail after ringing). */
  setupMs: number;
  /** An action to the events that follow it at once (Ready after sign-in or release, Hold after hold). */
  promptMs: number;
}

/** Defaults of eventDeadlines for a real gateway: ringing until the platform's no-answer timer, and a prompt event. */
export const DEFAULT_EVENT_DEADLINES: EventDeadlines = { setupMs: 60_000, promptMs: 10_000 };

/** The profile's event deadlines over `base` (lib's defaults for a real gateway, or a suite's for its mock). */
export function eventDeadlines(
  profile: TargetProfile,
  base: EventDeadlines = DEFAULT_EVENT_DEADLINES,
): EventDeadlines {
  return { ...base, ...(profile.eventDeadlines ?? {}) };
}

/** Secret values of a profile (passwords), for lib/redact.ts. */
export function profileSecrets(profile: TargetProfile): string[] {
  const secrets = (profile.agents ?? []).map((a) => a.password);
  if (profile.agentRange) secrets.push(profile.agentRange.password);
  return secrets.filter((s) => s.length > 0);
}

// Lives in lib/safety.ts, beside the other rules of what may be sent where.
export { isLoopback } from "./safety.ts";
