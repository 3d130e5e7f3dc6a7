/**
 * Options of the mock gateway and their defaults. Vendor timers (poll wait, no-poll sign-out, Guid rotation and
 * validity) default to the documented values; everything is overridable so tests run in milliseconds.
 */
import { randomBytes } from "node:crypto";
import { DEFAULT_EDITION, type Edition, isEdition } from "../contracts/index.ts";
import type { Agent, AgentRange } from "../lib/roster.ts";
import type { AuthMode, Outcome } from "../lib/target-profile.ts";
import type { CapacityConfig } from "./capacity.ts";
import type { FaultConfig } from "./faults.ts";
import { validateChoices } from "./open-choices.ts";
import type { Clock } from "./state/clock.ts";
import type { Distribution } from "./state/random.ts";

/** Delays between the events of a call script. */
export interface TimingConfig {
  /** Gap between events that follow each other at once (e.g. Busy after Offhook). */
  eventGap: Distribution;
  /** Agent picks up their own ringing phone. */
  agentPickup: Distribution;
  /** Customer's phone starts ringing after the agent is off-hook. */
  customerAlerting: Distribution;
  /** Customer answers. */
  customerAnswer: Distribution;
  /** Ringing without answer until the platform gives up. */
  customerNoAnswer: Distribution;
  /** Customer's line reports busy. */
  customerBusy: Distribution;
  /** Agent's phone rings unanswered until the platform gives up. */
  agentNoAnswer: Distribution;
}

/** Phone-like timing: seconds of ringing, a few seconds to answer. */
export const REALISTIC_TIMING: TimingConfig = {
  eventGap: { kind: "uniform", min: 5, max: 40 },
  agentPickup: { kind: "lognormal", median: 1500, sigma: 0.4 },
  customerAlerting: { kind: "uniform", min: 200, max: 900 },
  customerAnswer: { kind: "lognormal", median: 5000, sigma: 0.5 },
  customerNoAnswer: { kind: "uniform", min: 20000, max: 30000 },
  customerBusy: { kind: "uniform", min: 500, max: 2000 },
  agentNoAnswer: { kind: "uniform", min: 10000, max: 20000 },
};

/** The vendor's event order in tenths of a second: short load runs whose calls must end inside their drain time. */
export const BRISK_TIMING: TimingConfig = {
  eventGap: { kind: "fixed", ms: 5 },
  agentPickup: { kind: "uniform", min: 50, max: 150 },
  customerAlerting: { kind: "uniform", min: 20, max: 80 },
  customerAnswer: { kind: "uniform", min: 200, max: 400 },
  customerNoAnswer: { kind: "uniform", min: 800, max: 1200 },
  customerBusy: { kind: "uniform", min: 100, max: 300 },
  agentNoAnswer: { kind: "uniform", min: 600, max: 1000 },
};

const ZERO: Distribution = { kind: "fixed", ms: 0 };
/** No delays at all: a callout's whole event script is queued before the callout answers. */
export const FAST_TIMING: TimingConfig = {
  eventGap: ZERO,
  agentPickup: ZERO,
  customerAlerting: ZERO,
  customerAnswer: ZERO,
  customerNoAnswer: ZERO,
  customerBusy: ZERO,
  agentNoAnswer: ZERO,
};

/** Options of startGateway and buildGateway. */
export interface GatewayOptions {
  /** @default 0 (any free port) */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  /** HTTPS with a self-signed certificate made at start. @default true */
  tls?: boolean;
  /** Names and addresses the server certificate is issued to. @default ["localhost", "127.0.0.1", "::1"] */
  certificateNames?: string[];
  /** Mutual TLS: only clients with a certificate of the mock's client CA are served (see clientCertFile). @default false */
  clientCertificates?: boolean;
  /**
   * Behind a load balancer: sign-in sets a cookie that pins the agent to its node, and every later request of
   * the agent must carry it (without it the node does not know the session: 000-003). @default false
   */
  stickyCookie?: boolean;
  /** @default DEFAULT_EDITION of the contracts */
  edition?: Edition;
  /** @default "dynamic" (the vendor's default AUTHMODE) */
  authMode?: AuthMode;
  /** Agents with their own credentials, in addition to agentRange. */
  agents?: Agent[];
  /** @default DEFAULT_AGENT_RANGE when no agents are given */
  agentRange?: AgentRange;
  /** Numbers with a fixed outcome; other numbers get an outcome from outcomeMix. @default DEFAULT_CALLED */
  called?: { number: string; outcome?: Outcome }[];
  /** @default 1 */
  seed?: number;
  /** Long-poll wait when no event is queued. @default 10000 */
  pollWaitMs?: number;
  /** An agent that does not poll this long is signed out. @default 120000 */
  heartbeatTimeoutMs?: number;
  /** Dynamic auth: a poll this long after the Guid was issued gets a new one. @default 60000 */
  guidRotationMs?: number;
  /**
   * Dynamic auth: what drives the rotation. "on-poll": the first poll guidRotationMs after the Guid was issued
   * makes a new one. "clock": the gateway makes a new Guid every guidRotationMs whether or not the agent polls,
   * and the next poll hands over the current one; an agent that stops polling holds a Guid that goes stale.
   * @default "on-poll"
   */
  guidRotation?: "on-poll" | "clock";
  /** Dynamic auth: how long a rotated-out Guid is still accepted after it was issued. @default 120000 */
  guidValidityMs?: number;
  /** @default "realistic" */
  timing?: "realistic" | "brisk" | "fast" | TimingConfig;
  /** Outcome weights for numbers without a fixed outcome. @default DEFAULT_OUTCOME_MIX */
  outcomeMix?: Partial<Record<Outcome, number>>;
  faults?: FaultConfig;
  capacity?: CapacityConfig;
  /** Names from DEFECTS to switch on. */
  defects?: string[];
  /**
   * Open choices (contracts/data/open-choices.json) switched to their alternate option: ids, or true for all.
   * @default none: every choice takes its first option
   */
  alternateChoices?: boolean | string[];
  /** Validate every vendor response against its contract; a mismatch is answered with HTTP 500. @default true under vitest */
  selfCheck?: boolean;
  /** Events kept per agent; the oldest is dropped (and counted lost) beyond it. @default 1000 */
  maxQueuedEvents?: number;
  /** Injectable time source. @default the system clock */
  clock?: Clock;
  /** No log lines on stderr. @default true */
  quiet?: boolean;
}

/**
 * Password of the default agent pool: CCGW_MOCK_PASSWORD when set, otherwise made up when this module loads and
 * put into the environment, so the child processes a run starts (the suite, the load run) agree with this one. Never a
 * literal in the repository, and a value no output may contain (the redaction tests look for it).
 */
function defaultPoolPassword(): string {
  const given = process.env.CCGW_MOCK_PASSWORD;
  if (given) return given;
  const made = `mock-${randomBytes(12).toString("base64url")}`;
  process.env.CCGW_MOCK_PASSWORD = made;
  return made;
}

/** The default agent pool: large enough for load tests, inside the agent id range of every edition. */
export const DEFAULT_AGENT_RANGE: AgentRange = {
  from: 1001,
  count: 20000,
  password: defaultPoolPassword(),
  phoneFrom: 700001,
};

/** One number per outcome, so tests can choose the flow they want. */
export const DEFAULT_CALLED: { number: string; outcome: Outcome }[] = [
  { number: "4000001", outcome: "answered" },
  { number: "4000002", outcome: "not-answered" },
  { number: "4000003", outcome: "busy" },
  { number: "4000004", outcome: "agent-no-answer" },
];

export const DEFAULT_OUTCOME_MIX: Record<Outcome, number> = {
  answered: 0.7,
  "not-answered": 0.15,
  busy: 0.1,
  "agent-no-answer": 0.05,
};

/** Options with every default filled in. */
export interface ResolvedOptions
  extends Required<
    Omit<
      GatewayOptions,
      | "agents"
      | "agentRange"
      | "faults"
      | "capacity"
      | "clock"
      | "timing"
      | "alternateChoices"
      | "certificateNames"
      | "clientCertificates"
    >
  > {
  alternateChoices: string[];
  agents: Agent[];
  agentRange: AgentRange | undefined;
  timing: TimingConfig;
  faults: FaultConfig;
  capacity: CapacityConfig;
}

// NOTE: these defaults are the vendor's timer values (domain.md section 7). They live in the mock's options,
// not in the contracts, because they are gateway settings (basic.properties, AUTHMODE), not interface rules.
const POLL_WAIT_MS = 10000;
const HEARTBEAT_TIMEOUT_MS = 120000;
const GUID_ROTATION_MS = 60000;
const GUID_VALIDITY_MS = 120000;

/** Fills in defaults and checks the values, throwing an Error that names the bad option. */
export function resolveOptions(options: GatewayOptions = {}): ResolvedOptions {
  const edition = options.edition ?? DEFAULT_EDITION;
  if (!isEdition(edition)) throw new Error(`option edition: unknown edition "${String(edition)}"`);
  const authMode = options.authMode ?? "dynamic";
  if (authMode !== "static" && authMode !== "dynamic") {
    throw new Error(`option authMode: must be "static" or "dynamic", got "${String(authMode)}"`);
  }
  const agents = options.agents ?? [];
  const agentRange = options.agentRange ?? (agents.length === 0 ? DEFAULT_AGENT_RANGE : undefined);
  const timing =
    options.timing === "fast"
      ? FAST_TIMING
      : options.timing === "brisk"
        ? BRISK_TIMING
        : options.timing === undefined || options.timing === "realistic"
          ? REALISTIC_TIMING
          : { ...REALISTIC_TIMING, ...options.timing };
  const resolved: ResolvedOptions = {
    port: options.port ?? 0,
    host: options.host ?? "127.0.0.1",
    tls: options.tls ?? true,
    edition,
    authMode,
    agents,
    agentRange,
    called: options.called ?? DEFAULT_CALLED,
    seed: options.seed ?? 1,
    pollWaitMs: options.pollWaitMs ?? POLL_WAIT_MS,
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS,
    guidRotationMs: options.guidRotationMs ?? GUID_ROTATION_MS,
    guidValidityMs: options.guidValidityMs ?? GUID_VALIDITY_MS,
    guidRotation: options.guidRotation ?? "on-poll",
    timing,
    outcomeMix: options.outcomeMix ?? DEFAULT_OUTCOME_MIX,
    faults: options.faults ?? {},
    capacity: options.capacity ?? {},
    defects: options.defects ?? [],
    alternateChoices: validateChoices(options.alternateChoices),
    stickyCookie: options.stickyCookie ?? false,
    selfCheck: options.selfCheck ?? process.env.VITEST !== undefined,
    maxQueuedEvents: options.maxQueuedEvents ?? 1000,
    quiet: options.quiet ?? true,
  };
  for (const key of [
    "pollWaitMs",
    "heartbeatTimeoutMs",
    "guidRotationMs",
    "guidValidityMs",
    "maxQueuedEvents",
  ] as const) {
    const value = resolved[key];
    if (!Number.isFinite(value) || value < 0)
      throw new Error(`option ${key}: must be a number >= 0, got ${value}`);
  }
  if (resolved.guidRotation !== "on-poll" && resolved.guidRotation !== "clock") {
    throw new Error(
      `option guidRotation: must be "on-poll" or "clock", got "${String(resolved.guidRotation)}"`,
    );
  }
  if (!Number.isInteger(resolved.seed))
    throw new Error(`option seed: must be an integer, got ${resolved.seed}`);
  const weights = Object.values(resolved.outcomeMix);
  if (weights.some((w) => typeof w !== "number" || w < 0) || weights.reduce((a, b) => a + (b ?? 0), 0) <= 0) {
    throw new Error("option outcomeMix: weights must be numbers >= 0 with a positive sum");
  }
  return resolved;
}
