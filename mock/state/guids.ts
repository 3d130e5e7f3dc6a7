/**
 * Guids of one agent session: the current one and, under dynamic authentication, the one it replaced, which
 * stays valid until its own validity ends. Format as in the vendor's examples: <uuid>.AgentGateway0.
 */
import { randomUUID } from "node:crypto";

/** Node suffix of every Guid this mock issues (a single gateway node). */
export const GUID_SUFFIX = ".AgentGateway0";

export function newGuid(): string {
  return `${randomUUID()}${GUID_SUFFIX}`;
}

/** One issued Guid. */
export interface IssuedGuid {
  value: string;
  issuedAt: number;
  /** Set by the admin API or a fault: the Guid is refused from then on. */
  expired: boolean;
}

/** Why a Guid was accepted or refused. */
export type GuidCheck = "current" | "previous" | "expired" | "unknown";

/** The Guids of one session. */
export class GuidBook {
  current: IssuedGuid;
  previous: IssuedGuid | undefined;

  constructor(now: number) {
    this.current = { value: newGuid(), issuedAt: now, expired: false };
  }

  /** Replaces the current Guid (issued at `at`); the old one becomes the previous one. Returns the new value. */
  rotate(at: number): string {
    this.previous = this.current;
    this.current = { value: newGuid(), issuedAt: at, expired: false };
    return this.current.value;
  }

  /**
   * When the gateway's own clock rotates the Guid (option guidRotation "clock"): the issue times of the Guids
   * the clock has made since the current one, oldest first, at most the last two (older ones are gone).
   */
  dueRotations(now: number, intervalMs: number): number[] {
    if (intervalMs <= 0) return [];
    const due = Math.floor((now - this.current.issuedAt) / intervalMs);
    if (due <= 0) return [];
    const last = this.current.issuedAt + due * intervalMs;
    return due === 1 ? [last] : [last - intervalMs, last];
  }

  /**
   * Checks a presented Guid. The current one is valid for the whole session (it is refreshed by polling); the
   * previous one until validityMs after it was issued. expiryMs (a fault) caps the age of every Guid.
   */
  check(value: string, now: number, validityMs: number, expiryMs: number | undefined): GuidCheck {
    const match =
      value === this.current.value
        ? this.current
        : value === this.previous?.value
          ? this.previous
          : undefined;
    if (!match) return "unknown";
    if (match.expired) return "expired";
    if (expiryMs !== undefined && now - match.issuedAt >= expiryMs) return "expired";
    if (match === this.current) return "current";
    return now - match.issuedAt < validityMs ? "previous" : "expired";
  }
}
