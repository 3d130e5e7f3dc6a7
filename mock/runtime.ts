/**
 * What every route handler works with: the resolved options, the contracts of the edition, the state store,
 * the clock and seeded randomness, and the switchable faults, capacity and defects. Also the shape of an
 * answer and the helpers that turn a situation into the vendor's envelope.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { type Contracts, RETCODES, SITUATIONS } from "../contracts/index.ts";
import type { Roster } from "../lib/roster.ts";
import type { Outcome } from "../lib/target-profile.ts";
import type { Capacity } from "./capacity.ts";
import type { Defects } from "./defects.ts";
import type { Faults } from "./faults.ts";
import type { OpenChoices } from "./open-choices.ts";
import type { ResolvedOptions } from "./options.ts";
import type { Clock } from "./state/clock.ts";
import type { Rng } from "./state/random.ts";
import type { Store } from "./state/store.ts";

export interface Runtime {
  options: ResolvedOptions;
  contracts: Contracts;
  clock: Clock;
  rng: Rng;
  store: Store;
  /** The agents the mock knows (listed, then its range, computed on lookup). */
  directory: Roster;
  faults: Faults;
  capacity: Capacity;
  defects: Defects;
  /** Open choices of the pages switched to their alternate option. */
  choices: OpenChoices;
  /** Outcome of dialling a number: fixed for configured numbers, drawn from the outcome mix otherwise. */
  outcomeOf(called: string): Outcome;
}

/** A vendor answer: HTTP status (200 unless a transport fault), JSON body and extra headers. */
export interface Answer {
  status?: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** A route handler of one operation. */
export type Handler = (
  rt: Runtime,
  request: FastifyRequest,
  agentId: string,
  reply: FastifyReply,
) => Answer | Promise<Answer>;

/** Situations the mock answers, named as in contracts/data/retcodes.json. */
export type SituationName = keyof typeof SITUATIONS & string;

/** The code the mock answers in a situation: the first one the contracts allow. */
export function situationCode(name: string): string {
  const code = SITUATIONS[name]?.codes[0];
  if (!code) throw new Error(`contracts/data/retcodes.json has no situation "${name}"`);
  return code;
}

const MEANINGS = new Map(RETCODES.map((r) => [r.code, r.meaning]));

/** A failure envelope with the catalog's meaning as message. */
export function failure(code: string, message?: string): Answer {
  return { body: { message: message ?? MEANINGS.get(code) ?? "", retcode: code } };
}

/** A failure for a situation of the contracts. */
export function refuse(situation: string, message?: string): Answer {
  return failure(situationCode(situation), message);
}

/** A success envelope. */
export function success(result: unknown, headers?: Record<string, string>): Answer {
  return headers
    ? { body: { message: "", retcode: "0", result }, headers }
    : { body: { message: "", retcode: "0", result } };
}
