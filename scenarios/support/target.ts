/**
 * The gateway under test as the suite sees it: the target profile read into agents, numbers, callers and the
 * contracts of its edition, its call guard and lib/gateway's client, plus how long the suite waits for what a
 * gateway does by itself.
 */
import { type Contracts, contractsFor, type Edition } from "../../contracts/index.ts";
import { CallLedger } from "../../lib/call-ledger.ts";
import { GatewayClient } from "../../lib/gateway/index.ts";
import { Roster } from "../../lib/roster.ts";
import { CallGuard, policyFromProfile, type SafetyPolicy } from "../../lib/safety.ts";
import {
  type AuthMode,
  type CalledNumber,
  calledNumbers,
  eventDeadlines,
  profileAuthMode,
  profileEdition,
  profileSecrets,
  type TargetProfile,
} from "../../lib/target-profile.ts";

/** How long the suite waits for things a gateway does by itself. Deadlines, never sleeps. */
export interface Deadlines {
  /** Callout to the end of the call's setup (Talking or Call_Out_Fail); the profile's eventDeadlines.setupMs. */
  setupMs: number;
  /** Events that follow an action at once (Ready after sign-in or release, Hold); eventDeadlines.promptMs. */
  promptMs: number;
  /** A Guid rotation under dynamic authentication. */
  rotationMs: number;
  /** One HTTP request; must exceed the gateway's long-poll wait. */
  requestMs: number;
  /** Waiting for free agents before a case is marked not tested. */
  leaseMs: number;
  /** Pause after an empty poll before the next one (the vendor asks for 200–500 ms). */
  pollPauseMs: number;
  /** The whole run of one set of cases: past it, the run ends and names what was still waiting. */
  watchdogMs: number;
}

/** Everything a check needs about the gateway under test. */
export interface Target {
  profile: TargetProfile;
  edition: Edition;
  authMode: AuthMode;
  contracts: Contracts;
  /** The profile's agents, expanded on demand. */
  agents: Roster;
  called: CalledNumber[];
  /** Calling numbers the suite may present: the profile's caller and callers. */
  callers: string[];
  secrets: string[];
  deadlines: Deadlines;
  /** Call ids the gateway returned in this run, to the case and agent that got them (they must be unique). */
  callIds: Map<string, string>;
  /** When the run began on this machine's clock (epoch ms): the start of its clock window. */
  startedAt: number;
  /** The run's call guard: the profile's numbers and caps, the budget counted in the run's call ledger. */
  calls: CallGuard;
  /** lib/gateway's client of the target, opened with its call guard on first use. */
  gateway(): Promise<GatewayClient>;
  /** Closes the client (its keep-alive connections), if it was opened. */
  closeGateway(): Promise<void>;
  /**
   * Answers about the session to requests that did not test it (each was re-sent on a re-established session
   * or left its case not tested): against a conforming gateway the session keeper leaves none.
   */
  sessionAnswers: string[];
  /** Sessions the gateway stopped answering polls for (a refused Guid): none against a conforming gateway. */
  sessionsLost: string[];
}

/** Options of makeTarget. */
export interface TargetOptions {
  /**
   * The run's folder, where its call ledger counts callouts across the suite's test files (each a module
   * instance of its own) and the main job's phases; without it the budget is this target's alone.
   */
  ledgerDir?: string;
}

/** Builds the target of a profile: its agents, numbers and contracts, its call guard and its client (TLS from the profile, read by lib/gateway when it opens). */
export function makeTarget(
  profile: TargetProfile,
  deadlines: Deadlines,
  options: TargetOptions = {},
): Target {
  const edition = profileEdition(profile);
  const callers = [...(profile.caller ? [profile.caller] : []), ...(profile.callers ?? [])];
  const contracts = contractsFor(edition);
  const counter = options.ledgerDir ? { counter: CallLedger.inReportDir(options.ledgerDir) } : {};
  const calls = new CallGuard(dialPolicy(profile, contracts), counter);
  let client: Promise<GatewayClient> | undefined;
  return {
    profile,
    edition,
    authMode: profileAuthMode(profile),
    contracts,
    agents: new Roster(profile),
    called: calledNumbers(profile),
    callers: [...new Set(callers)],
    secrets: profileSecrets(profile),
    // The event deadlines are the gateway's (its timers): the profile's, over the suite's defaults.
    deadlines: { ...deadlines, ...eventDeadlines(profile, deadlines) },
    callIds: new Map(),
    startedAt: Date.now(),
    sessionAnswers: [],
    sessionsLost: [],
    calls,
    gateway() {
      client ??= GatewayClient.open(profile, { timeoutMs: deadlines.requestMs, guard: calls });
      return client;
    },
    async closeGateway() {
      const opened = client;
      client = undefined;
      await (await opened)?.close();
    },
  };
}

/**
 * The dial policy of a target (lib/safety.ts): the profile's numbers, plus overdial on a listed number of the
 * contract's maximum `called` length, so the maxLength+1 boundary can be probed without dialling anyone else.
 */
export function dialPolicy(profile: TargetProfile, contracts: Contracts): SafetyPolicy {
  const schema = contracts.schemas["voicecall/callout.request"] as {
    properties?: { called?: { maxLength?: number } };
  };
  const max = schema.properties?.called?.maxLength;
  return { ...policyFromProfile(profile), ...(max !== undefined ? { maxCalledLength: max } : {}) };
}
