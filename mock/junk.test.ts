/**
 * Robustness: seeded junk at every route (bodies, content types, agent ids, Guids, methods) never crashes the
 * mock, never yields a 5xx, and every HTTP 200 answer still validates against its response contract (the
 * self-check is on under vitest, so a violation would surface as a 500).
 */
import { describe, expect, it } from "vitest";
import { contractsFor, OPERATION_IDS, OPERATIONS, pathFor } from "../contracts/index.ts";
import { DEFAULT_AGENT_RANGE } from "./index.ts";
import { buildGateway } from "./server.ts";
import { Rng } from "./state/random.ts";
import { TestAgent } from "./testing.ts";

const JUNK_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  "",
  "x".repeat(5000),
  "\u0000\uffff\ud800",
  [],
  [1, "2"],
  {},
  { __proto__: { polluted: 1 } },
  { constructor: { prototype: { polluted: 1 } } },
  { called: ["1"] },
  { called: 1 },
  { called: "1", extra: 1 },
  { password: 1, phonenum: null },
  { password: DEFAULT_AGENT_RANGE.password, phonenum: "1", status: "9" },
];
const RAW_BODIES = [
  '{"called":',
  "[",
  "nul",
  '{"a":1}{',
  "\u00ff\u00fe",
  '{"__proto__":{"x":1}}',
  "1",
  '"str"',
];
const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=UTF-8",
  "text/plain",
  "application/xml",
  "",
  "application/json; charset=latin1",
];
const AGENT_IDS = [
  "1001",
  "0",
  "100",
  "101",
  "59999",
  "60000",
  "999999",
  "-1",
  "1e3",
  "abc",
  "%00",
  "..%2F..",
  "1001 ",
  "١٠٠١",
];
const GUIDS = ["", "x", "00000000-0000-0000-0000-000000000000.AgentGateway0", "a".repeat(3000)];

describe("junk input", () => {
  it("never crashes the mock nor breaks a response contract", async () => {
    const app = await buildGateway({ timing: "fast", pollWaitMs: 0, selfCheck: true });
    const rng = new Rng(7);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rng.next() * list.length)] as T;
    const bad: string[] = [];
    for (let i = 0; i < 600; i++) {
      const op = pick(OPERATION_IDS);
      const id = pick(AGENT_IDS);
      const raw = rng.chance(0.4);
      const payload = raw ? pick(RAW_BODIES) : JSON.stringify(pick(JUNK_VALUES));
      const contentType = pick(CONTENT_TYPES);
      const method = rng.chance(0.85)
        ? OPERATIONS[op].method
        : pick(["GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS"] as const);
      const response = await app.inject({
        method,
        url: pathFor(op, "X").replace("X", id),
        headers: { ...(contentType ? { "content-type": contentType } : {}), guid: pick(GUIDS) },
        ...(rng.chance(0.8) ? { payload } : {}),
      });
      if (response.statusCode >= 500)
        bad.push(
          `${method} ${op} ${id} ${payload.slice(0, 40)} -> ${response.statusCode} ${response.body.slice(0, 200)}`,
        );
      if (response.statusCode === 200 && method === OPERATIONS[op].method) {
        const violations = contractsFor().validate(OPERATIONS[op].response, response.json());
        if (violations.length > 0) bad.push(`${op}: ${violations[0]?.message}`);
      }
    }
    expect(bad).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const agent = new TestAgent(app, "1001");
    expect((await agent.login()).body.retcode).toBe("0");
    expect((await agent.call("callout", { called: "4000001" })).body.retcode).toBe("0");
    await app.close();
  });
});
