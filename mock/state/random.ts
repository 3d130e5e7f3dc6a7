/**
 * Seeded randomness for the mock: outcome mixes, timing distributions and fault rates all draw from one
 * generator per gateway, so a run is replayable from its seed.
 */

/** A delay distribution in milliseconds. */
export type Distribution =
  | { kind: "fixed"; ms: number }
  | { kind: "uniform"; min: number; max: number }
  | { kind: "lognormal"; median: number; sigma: number };

/** JSON Schema of a Distribution, used wherever the mock validates configuration. */
export const DISTRIBUTION_SCHEMA = {
  oneOf: [
    {
      type: "object",
      required: ["kind", "ms"],
      additionalProperties: false,
      properties: { kind: { const: "fixed" }, ms: { type: "number", minimum: 0 } },
    },
    {
      type: "object",
      required: ["kind", "min", "max"],
      additionalProperties: false,
      properties: {
        kind: { const: "uniform" },
        min: { type: "number", minimum: 0 },
        max: { type: "number", minimum: 0 },
      },
    },
    {
      type: "object",
      required: ["kind", "median", "sigma"],
      additionalProperties: false,
      properties: {
        kind: { const: "lognormal" },
        median: { type: "number", minimum: 0 },
        sigma: { type: "number", minimum: 0, maximum: 5 },
      },
    },
  ],
} as const;

/** Deterministic generator (mulberry32): fast, small state, good enough for simulation. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  /** Standard normal by Box-Muller. */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A sample of a distribution, rounded to whole milliseconds. */
  sample(dist: Distribution): number {
    switch (dist.kind) {
      case "fixed":
        return dist.ms;
      case "uniform":
        return Math.round(dist.min + (dist.max - dist.min) * this.next());
      case "lognormal":
        return Math.round(dist.median * Math.exp(dist.sigma * this.normal()));
    }
  }

  /** A key of weights chosen with probability proportional to its weight. */
  pick<K extends string>(weights: Readonly<Partial<Record<K, number>>>): K {
    const entries = Object.entries(weights) as [K, number][];
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let r = this.next() * total;
    for (const [key, w] of entries) {
      r -= w;
      if (r < 0) return key;
    }
    const last = entries[entries.length - 1];
    if (!last) throw new Error("pick() needs at least one weight");
    return last[0];
  }
}
