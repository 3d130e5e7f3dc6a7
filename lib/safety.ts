/**
 * Safety rails for runs against a real gateway: only the profile's numbers may be dialled, the call rate and
 * the total number of calls stay under the profile's caps. A CallGuard is handed to lib/gateway's client when
 * it is opened, and every request that could place a call leaves the client only through it.
 */
import type { TargetProfile } from "../contracts/index.ts";
import { HarnessError } from "./errors.ts";

/** What a run may do: the numbers it may dial and its caps. */
export interface SafetyPolicy {
  /** The only numbers that may appear as `called` in a callout. */
  readonly allowed: readonly string[];
  /** Callouts per second across the whole run; absent means no cap. */
  readonly maxCallsPerSecond?: number;
  /** Callouts in one run; absent means no budget. */
  readonly maxTotalCalls?: number;
  /**
   * The contract's longest `called` (read from the callout request schema by the caller). When set, a number
   * longer than it is let through if it starts with a listed number of exactly that length: no valid number
   * extends a maximal one, so the extra digits can only be overdial on a line the profile owns. This is how the
   * functional suite probes the maxLength+1 boundary without dialling anyone else.
   */
  readonly maxCalledLength?: number;
}

/** The parts of a target profile the policy is made from. */
export interface SafetyProfile extends Pick<TargetProfile, "maxCallsPerSecond" | "maxTotalCalls"> {
  called: readonly (string | { number: string })[];
}

/** The policy a target profile sets. */
export function policyFromProfile(profile: SafetyProfile): SafetyPolicy {
  const allowed = profile.called.map((entry) => (typeof entry === "string" ? entry : entry.number));
  return {
    allowed,
    ...(profile.maxCallsPerSecond !== undefined ? { maxCallsPerSecond: profile.maxCallsPerSecond } : {}),
    ...(profile.maxTotalCalls !== undefined ? { maxTotalCalls: profile.maxTotalCalls } : {}),
  };
}

/**
 * Throws CCGW_NUMBER_NOT_ALLOWED unless `called` is exactly one of the allowed numbers. No normalisation on
 * purpose: "+86 4000001" is not "4000001" as far as a switch is concerned.
 */
export function assertNumberAllowed(policy: SafetyPolicy, called: unknown): void {
  if (typeof called === "string" && policy.allowed.includes(called)) return;
  const max = policy.maxCalledLength;
  if (typeof called === "string" && max !== undefined && called.length > max) {
    const prefix = called.slice(0, max);
    if (prefix.length === max && policy.allowed.includes(prefix)) return;
  }
  const shown = typeof called === "string" ? JSON.stringify(called) : `a ${typeof called} value`;
  throw new HarnessError(
    "CCGW_NUMBER_NOT_ALLOWED",
    `refusing to dial ${shown}: it is not in the target profile's called list (${policy.allowed.length} number${policy.allowed.length === 1 ? "" : "s"})`,
    "add the number to `called` in the target profile if it is a lab number you own",
  );
}

/**
 * True when a base URL's host is this machine (127.0.0.0/8, ::1 or localhost).
 */
export function isLoopback(baseUrl: string): boolean {
  const match = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(baseUrl);
  const host = (match?.[1] ?? "").replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Reads `called` from a callout request body (object or JSON text); undefined when there is none. */
export function calledOf(body: unknown): unknown {
  let value = body;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (typeof value !== "object" || value === null) return undefined;
  return (value as { called?: unknown }).called;
}

/** True when a `called` value could reach a phone: a non-empty string of digits, * and # (of any length). */
export function isDialable(called: unknown): boolean {
  return typeof called === "string" && /^[0-9*#]+$/.test(called);
}

/**
 * The check at the place where a callout request is sent: a dialable `called` must be on the list (a too-long
 * all-digit number counts as dialable, since a lax gateway might cut it short and dial it). A value no switch
 * can dial (empty, absent, or with other characters) passes, so the functional suite can still probe how the
 * gateway refuses malformed numbers. Throws CCGW_NUMBER_NOT_ALLOWED.
 */
export function assertCalloutAllowed(policy: SafetyPolicy, body: unknown): void {
  const called = calledOf(body);
  if (isDialable(called)) assertNumberAllowed(policy, called);
}

/** Options of a CallGuard. */
export interface CallGuardOptions {
  /** Time source in milliseconds. @default Date.now */
  now?: () => number;
  /**
   * The fraction of the run's caps this guard owns. Each share of a load run (worker, segment) has its own
   * guard, so with N shares each gets 1/N of the rate and of the budget, and the sum can never exceed the
   * profile's caps. @default 1
   */
  share?: number;
  /**
   * Where the budget is counted when several processes share it (the functional suite's test files run in
   * separate module instances): `spent()` reads the run's count so far, `record()` adds one. @default this guard
   */
  counter?: { spent(): number; record(): void };
}

/**
 * Guards every callout of one process (or one share of a load run): the number must be allowed, the budget must not be spent,
 * and no more than the rate cap may start inside any one-second window. Call `admit()` right before sending.
 */
export class CallGuard {
  readonly policy: SafetyPolicy;
  private readonly now: () => number;
  private readonly rateCap: number | undefined;
  private readonly windowMs: number;
  private readonly budget: number | undefined;
  private readonly recent: number[] = [];
  private readonly counter: { spent(): number; record(): void } | undefined;
  private sent = 0;

  constructor(policy: SafetyPolicy, options: CallGuardOptions = {}) {
    const share = options.share ?? 1;
    if (!(share > 0 && share <= 1)) throw new RangeError(`CallGuard share must be in (0, 1], got ${share}`);
    this.policy = policy;
    this.now = options.now ?? Date.now;
    this.counter = options.counter;
    // Shares are rounded down, so the guards of one run together never exceed the caps. A rate share below one
    // call per second becomes one call per longer window (0.25/s: one call in any 4 s).
    const rate = policy.maxCallsPerSecond === undefined ? undefined : policy.maxCallsPerSecond * share;
    this.windowMs = rate === undefined ? 1000 : Math.max(1000, Math.ceil(1000 / rate));
    this.rateCap = rate === undefined ? undefined : Math.max(1, Math.floor((rate * this.windowMs) / 1000));
    this.budget = policy.maxTotalCalls === undefined ? undefined : Math.floor(policy.maxTotalCalls * share);
  }

  /** Callouts admitted so far. */
  get count(): number {
    return this.sent;
  }

  /** Callouts left in the budget (Infinity without one). */
  get remaining(): number {
    return this.budget === undefined ? Number.POSITIVE_INFINITY : Math.max(0, this.budget - this.spent());
  }

  private spent(): number {
    return this.counter ? this.counter.spent() : this.sent;
  }

  /** Milliseconds to wait before the next callout fits under the rate cap (0 when it fits now). */
  delayBeforeNextCall(): number {
    if (this.rateCap === undefined) return 0;
    const now = this.now();
    this.expire(now);
    if (this.recent.length < this.rateCap) return 0;
    const oldest = this.recent[this.recent.length - this.rateCap] ?? now;
    return Math.max(0, oldest + this.windowMs - now);
  }

  /** Resolves once the rate cap lets the next callout leave (at once when it does now). */
  async slot(): Promise<void> {
    for (let wait = this.delayBeforeNextCall(); wait > 0; wait = this.delayBeforeNextCall()) {
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /**
   * Admits a callout request body once the rate cap lets it leave: a number outside the list is refused at
   * once, the budget when it is spent; otherwise it waits for a slot and takes it.
   */
  async admitWhenFree(body: unknown): Promise<void> {
    assertCalloutAllowed(this.policy, body);
    // Another caller may take the slot between slot()'s last look and ours: look again, and take it with no
    // await in between.
    do await this.slot();
    while (this.delayBeforeNextCall() > 0);
    this.admitBody(body);
  }

  /**
   * Checks and records one callout to `called`: throws CCGW_NUMBER_NOT_ALLOWED for a number outside the list,
   * CCGW_BUDGET_EXCEEDED when the budget is spent or the rate cap would be broken. Nothing is recorded when it
   * throws.
   */
  admit(called: unknown): void {
    assertNumberAllowed(this.policy, called);
    this.take();
  }

  /**
   * The same for a callout request body, with the request-site rule of assertCalloutAllowed (undialable probes
   * pass the number check); every admitted body counts against the budget and the rate.
   */
  admitBody(body: unknown): void {
    assertCalloutAllowed(this.policy, body);
    this.take();
  }

  private take(): void {
    const spent = this.spent();
    if (this.budget !== undefined && spent >= this.budget) {
      throw new HarnessError(
        "CCGW_BUDGET_EXCEEDED",
        `refusing callout ${spent + 1}: the budget of ${this.budget} call${this.budget === 1 ? "" : "s"} is spent (maxTotalCalls)`,
        "raise maxTotalCalls in the target profile or shorten the run",
      );
    }
    const wait = this.delayBeforeNextCall();
    if (wait > 0) {
      throw new HarnessError(
        "CCGW_BUDGET_EXCEEDED",
        `refusing callout: ${this.rateCap} call(s) already started in the last ${this.windowMs} ms (maxCallsPerSecond); next slot in ${wait} ms`,
        "lower the load rate or wait for delayBeforeNextCall()",
      );
    }
    this.recent.push(this.now());
    this.sent += 1;
    this.counter?.record();
  }

  private expire(now: number): void {
    while (this.recent.length > 0 && (this.recent[0] ?? now) <= now - this.windowMs) this.recent.shift();
  }
}

/** What a load run intends to do, for the dry run and for the cap check before anything is sent. */
export interface RunPlan {
  target: string;
  agents: number;
  numbers: readonly string[];
  /** Callouts per second at the peak of the run. */
  peakCallsPerSecond: number;
  durationSeconds: number;
  /** Upper bound of callouts the run can make. */
  totalCalls: number;
  /** Optional phases (e.g. "contract suite", "load smoke") with their own figures. */
  phases?: readonly { name: string; calls?: number; callsPerSecond?: number; durationSeconds?: number }[];
}

/** Throws CCGW_BUDGET_EXCEEDED when a plan's peak rate or total calls break the policy's caps. */
export function assertPlanWithinCaps(policy: SafetyPolicy, plan: RunPlan): void {
  if (policy.maxCallsPerSecond !== undefined && plan.peakCallsPerSecond > policy.maxCallsPerSecond) {
    throw new HarnessError(
      "CCGW_BUDGET_EXCEEDED",
      `the run would start ${plan.peakCallsPerSecond} calls/s, above maxCallsPerSecond ${policy.maxCallsPerSecond}`,
      "choose a lighter load profile or raise maxCallsPerSecond in the target profile",
    );
  }
  if (policy.maxTotalCalls !== undefined && plan.totalCalls > policy.maxTotalCalls) {
    throw new HarnessError(
      "CCGW_BUDGET_EXCEEDED",
      `the run could make up to ${plan.totalCalls} calls, above maxTotalCalls ${policy.maxTotalCalls}`,
      "choose a shorter load profile or raise maxTotalCalls in the target profile",
    );
  }
}

/** The dry-run text: what would be sent, to whom, how fast and how much. */
export function formatPlan(plan: RunPlan, policy: SafetyPolicy): string {
  const numbers =
    plan.numbers.length <= 8
      ? plan.numbers.join(", ")
      : `${plan.numbers.slice(0, 8).join(", ")} … (${plan.numbers.length} in all)`;
  const cap = (value: number | undefined) => (value === undefined ? "none" : String(value));
  const lines = [
    `target:            ${plan.target}`,
    `agents:            ${plan.agents}`,
    `numbers:           ${numbers}`,
    `peak rate:         ${plan.peakCallsPerSecond} calls/s (cap ${cap(policy.maxCallsPerSecond)})`,
    `duration:          ${plan.durationSeconds} s`,
    `total calls (max): ${plan.totalCalls} (budget ${cap(policy.maxTotalCalls)})`,
  ];
  for (const phase of plan.phases ?? []) {
    const rate = phase.callsPerSecond === undefined ? "" : `, ${phase.callsPerSecond} calls/s`;
    const time = phase.durationSeconds === undefined ? "" : `, ${phase.durationSeconds} s`;
    const calls = phase.calls === undefined ? "a few calls per clause" : `up to ${phase.calls} calls`;
    lines.push(`  ${phase.name}: ${calls}${rate}${time}`);
  }
  return lines.join("\n");
}
