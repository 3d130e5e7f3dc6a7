/**
 * Fault injection: latency per operation, injected retcodes or HTTP 5xx at a rate, dropped connections,
 * delayed and lost events, and Guid expiry. The configuration is validated as a whole; a bad value is an error
 * naming its field, never ignored.
 */
import { createAjv, OPERATION_IDS, type OperationId, RETCODES } from "../contracts/index.ts";
import { DISTRIBUTION_SCHEMA, type Distribution, type Rng } from "./state/random.ts";

/** Per-operation settings are keyed by operation id (vendor log name) or "*" for every operation. */
export type PerOperation<T> = Partial<Record<OperationId | "*", T>>;

/** An injected error: a vendor retcode (HTTP 200) or an HTTP 5xx status, answered at the given rate. */
export type InjectedError = { rate: number; retcode: string } | { rate: number; status: number };

export interface FaultConfig {
  /** Extra delay before answering. */
  latency?: PerOperation<Distribution>;
  /** Answers replaced by an error at a rate (0..1). */
  errors?: PerOperation<InjectedError>;
  /** Connections closed without an answer at a rate (0..1). */
  drop?: PerOperation<{ rate: number }>;
  /** Events made late (order kept) or lost at a rate. */
  events?: { delay?: Distribution; lossRate?: number };
  /** Every Guid expires this long after it was issued, whatever the auth mode. */
  guidExpiryMs?: number;
}

const OP_KEYS = [...OPERATION_IDS, "*"];
const RATE = { type: "number", minimum: 0, maximum: 1 } as const;

const FAULT_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    latency: {
      type: "object",
      propertyNames: { enum: OP_KEYS },
      additionalProperties: DISTRIBUTION_SCHEMA,
    },
    errors: {
      type: "object",
      propertyNames: { enum: OP_KEYS },
      additionalProperties: {
        oneOf: [
          {
            type: "object",
            required: ["rate", "retcode"],
            additionalProperties: false,
            properties: { rate: RATE, retcode: { type: "string", pattern: "^[0-9]{3}-[0-9]{3}$" } },
          },
          {
            type: "object",
            required: ["rate", "status"],
            additionalProperties: false,
            properties: { rate: RATE, status: { type: "integer", minimum: 500, maximum: 599 } },
          },
        ],
      },
    },
    drop: {
      type: "object",
      propertyNames: { enum: OP_KEYS },
      additionalProperties: {
        type: "object",
        required: ["rate"],
        additionalProperties: false,
        properties: { rate: RATE },
      },
    },
    events: {
      type: "object",
      additionalProperties: false,
      properties: { delay: DISTRIBUTION_SCHEMA, lossRate: RATE },
    },
    guidExpiryMs: { type: "number", minimum: 0 },
  },
} as const;

const validateSchema = createAjv({ allErrors: false }).compile(FAULT_SCHEMA);

/** A configuration error of the mock's control plane (faults, defects, capacity), naming the field. */
export class MockConfigError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = "MockConfigError";
    this.field = field;
  }
}

/** Checks a fault configuration; throws MockConfigError naming the first bad field. */
export function validateFaults(value: unknown, root = "faults"): FaultConfig {
  if (!validateSchema(value)) {
    const error = validateSchema.errors?.[0];
    const params = (error?.params ?? {}) as Record<string, unknown>;
    const badKey = error?.propertyName ?? params.propertyName;
    const extra = params.additionalProperty ?? params.missingProperty ?? badKey;
    const field = `${root}${error?.instancePath ?? ""}${extra !== undefined ? `/${String(extra)}` : ""}`;
    const message =
      badKey !== undefined
        ? `is not an operation id (${OP_KEYS.join(", ")})`
        : params.additionalProperty !== undefined
          ? "is not a known setting"
          : (error?.message ?? "is invalid");
    throw new MockConfigError(field, message);
  }
  const config = value as FaultConfig;
  for (const [op, injected] of Object.entries(config.errors ?? {})) {
    if (injected && "retcode" in injected && !RETCODES.some((r) => r.code === injected.retcode)) {
      throw new MockConfigError(
        `${root}/errors/${op}/retcode`,
        `"${injected.retcode}" is not in contracts/data/retcodes.json`,
      );
    }
  }
  for (const [key, dist] of Object.entries(config.latency ?? {})) {
    if (dist?.kind === "uniform" && dist.max < dist.min) {
      throw new MockConfigError(`${root}/latency/${key}/max`, "must be >= min");
    }
  }
  return config;
}

/** The active fault configuration and the decisions drawn from it. */
export class Faults {
  config: FaultConfig;
  private readonly rng: Rng;
  constructor(config: FaultConfig, rng: Rng) {
    this.config = validateFaults(config);
    this.rng = rng;
  }

  set(config: unknown): void {
    this.config = validateFaults(config);
  }

  /** Extra latency for this request, in ms (0 when none). */
  latency(op: OperationId): number {
    const dist = this.config.latency?.[op] ?? this.config.latency?.["*"];
    return dist ? this.rng.sample(dist) : 0;
  }

  /** Whether to close this request's connection without answering. */
  drop(op: OperationId): boolean {
    const rule = this.config.drop?.[op] ?? this.config.drop?.["*"];
    return rule !== undefined && this.rng.chance(rule.rate);
  }

  /** The error to answer instead of the real answer, if one is drawn. */
  error(op: OperationId): InjectedError | undefined {
    const rule = this.config.errors?.[op] ?? this.config.errors?.["*"];
    return rule && this.rng.chance(rule.rate) ? rule : undefined;
  }
}
