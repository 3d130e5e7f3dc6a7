/**
 * The dial guard sits where callouts are sent, not only in the generators: the functional suite's send() refuses
 * a number outside the profile before any byte leaves, and the k6 agent checks the body before its request.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pathFor } from "../../contracts/index.ts";
import { HarnessError } from "../../lib/errors.ts";
import type { TargetProfile } from "../../lib/target-profile.ts";
import { makeTarget, send } from "../../scenarios/support/client.ts";

let hits = 0;
const server = createServer((_req, res) => {
  hits += 1;
  res.setHeader("content-type", "application/json");
  res.end('{"retcode":"0","message":"","result":"1"}');
});
let profile: TargetProfile;

beforeAll(async () => {
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  profile = {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    called: ["4000001", "1".repeat(24)],
    agents: [{ id: "1001", password: "secret-pw-1", phone: "700001" }],
  };
});
afterAll(() => {
  server.close();
});

const deadlines = { flowMs: 1000, rotationMs: 1000, requestMs: 1000 };

describe("the functional suite's request path", () => {
  it("refuses a callout to a number outside the list before sending anything", async () => {
    const target = makeTarget(profile, deadlines);
    const before = hits;
    const error = await send(target, {
      operation: "callout",
      method: "PUT",
      path: pathFor("callout", "1001"),
      body: { called: "4000009" },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe("CCGW_NUMBER_NOT_ALLOWED");
    expect(hits).toBe(before);
  });

  it("sends a callout to a listed number, and overdial on the 24-digit listed number", async () => {
    const target = makeTarget(profile, deadlines);
    const before = hits;
    for (const called of ["4000001", `${"1".repeat(24)}5`]) {
      const reply = await send(target, {
        operation: "callout",
        method: "PUT",
        path: pathFor("callout", "1001"),
        body: { called },
      });
      expect(reply.status).toBe(200);
    }
    expect(hits).toBe(before + 2);
  });
});

describe("the k6 agent's request path", () => {
  it("checks the body with assertCalloutAllowed before its callout request", () => {
    const source = readFileSync(new URL("../../load/lib/agent.ts", import.meta.url), "utf8");
    const place = source.slice(source.indexOf("async placeCall("));
    const guard = place.indexOf("assertCalloutAllowed(");
    const request = place.indexOf("http.asyncRequest(");
    expect(guard).toBeGreaterThan(0);
    expect(guard).toBeLessThan(request);
  });
});
