/**
 * The capacity model: a maximum of concurrent calls and a callout rate (token bucket). Beyond either, callout
 * answers as an overloaded gateway would: HTTP 200 with retcode 100-007 (the documented "agent operation failed"
 * code of callout), so a capacity search against the mock has a known knee.
 */
import { MockConfigError } from "./faults.ts";

export interface CapacityConfig {
  /** Calls not yet ended, held calls included, across all agents. */
  maxConcurrentCalls?: number;
  /** Callouts admitted per second (a token bucket). */
  maxCallsPerSecond?: number;
  /**
   * Size of the bucket in seconds of maxCallsPerSecond, never less than one call (so rates below 1/s work).
   * A load step of S seconds can pass at up to (1 + burstSeconds / S) times the rate. @default 1
   */
  burstSeconds?: number;
}

const SETTINGS = ["maxConcurrentCalls", "maxCallsPerSecond", "burstSeconds"];

/** Why a callout was refused. */
export type Refusal = "concurrent-calls" | "call-rate";

export function validateCapacity(value: unknown, root = "capacity"): CapacityConfig {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new MockConfigError(root, "must be an object");
  }
  for (const [key, v] of Object.entries(value)) {
    if (!SETTINGS.includes(key)) {
      throw new MockConfigError(`${root}/${key}`, `is not a capacity setting (${SETTINGS.join(", ")})`);
    }
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
      throw new MockConfigError(`${root}/${key}`, `must be a number > 0, got ${JSON.stringify(v)}`);
    }
    if (key === "maxConcurrentCalls" && !Number.isInteger(v)) {
      throw new MockConfigError(`${root}/${key}`, "must be an integer");
    }
  }
  return value as CapacityConfig;
}

export class Capacity {
  config: CapacityConfig;
  private tokens = 0;
  private refilledAt = 0;
  refused: Record<Refusal, number> = { "concurrent-calls": 0, "call-rate": 0 };

  constructor(config: CapacityConfig) {
    this.config = validateCapacity(config);
    this.tokens = burst(this.config);
  }

  set(config: unknown): void {
    this.config = validateCapacity(config);
    this.tokens = burst(this.config);
    this.refilledAt = 0;
  }

  /** Admits one callout, or says why not. */
  admit(activeCalls: number, now: number): Refusal | undefined {
    const { maxConcurrentCalls, maxCallsPerSecond } = this.config;
    if (maxConcurrentCalls !== undefined && activeCalls >= maxConcurrentCalls) {
      this.refused["concurrent-calls"]++;
      return "concurrent-calls";
    }
    if (maxCallsPerSecond !== undefined) {
      if (this.refilledAt === 0) this.refilledAt = now;
      this.tokens = Math.min(
        burst(this.config),
        this.tokens + ((now - this.refilledAt) * maxCallsPerSecond) / 1000,
      );
      this.refilledAt = now;
      if (this.tokens < 1) {
        this.refused["call-rate"]++;
        return "call-rate";
      }
      this.tokens -= 1;
    }
    return undefined;
  }

  reset(): void {
    this.refused = { "concurrent-calls": 0, "call-rate": 0 };
    this.tokens = burst(this.config);
    this.refilledAt = 0;
  }
}

/** Size of the token bucket: burstSeconds' worth of calls (one second by default), never less than one call. */
function burst({ maxCallsPerSecond, burstSeconds = 1 }: CapacityConfig): number {
  return maxCallsPerSecond === undefined ? 0 : Math.max(1, maxCallsPerSecond * burstSeconds);
}
