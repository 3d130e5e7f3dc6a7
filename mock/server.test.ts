/** The gateway over a real socket: HTTPS with the generated CA, plain HTTP, the profile it describes. */
import { readFile } from "node:fs/promises";
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pathFor } from "../contracts/index.ts";
import { parseTargetProfile } from "../lib/target-profile.ts";
import { DEFAULT_AGENT_RANGE, mockProfile, type RunningGateway, startGateway } from "./index.ts";

describe("HTTPS gateway", () => {
  let gw: RunningGateway;
  let dispatcher: Agent;
  beforeAll(async () => {
    gw = await startGateway({ timing: "fast", pollWaitMs: 20, authMode: "dynamic", guidRotationMs: 0 });
    dispatcher = new Agent({ connect: { ca: await readFile(String(gw.caFile), "utf8") } });
  });
  afterAll(async () => {
    await dispatcher.close();
    await gw.close();
  });

  async function call(method: "PUT" | "GET" | "DELETE", path: string, guid?: string, body?: unknown) {
    const response = await request(`${gw.url}${path}`, {
      method,
      dispatcher,
      headers: { "content-type": "application/json; charset=UTF-8", ...(guid ? { guid } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await response.body.json()) as Record<string, unknown>;
    const setGuid = response.headers["set-guid"];
    return { json, guid: typeof setGuid === "string" ? setGuid.slice("JSESSIONID=".length) : undefined };
  }

  it("runs the cycle over TLS trusting only the generated CA, following Set-GUID rotations", async () => {
    expect(gw.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const login = await call("PUT", pathFor("login", "1010"), undefined, {
      password: DEFAULT_AGENT_RANGE.password,
      phonenum: "1",
    });
    let guid = String(login.guid);
    const callout = await call("PUT", pathFor("callout", "1010"), guid, { called: "4000001" });
    expect(callout.json.retcode).toBe("0");
    const types: string[] = [];
    let rotations = 0;
    for (let i = 0; i < 20 && !types.includes("AgentEvent_Talking"); i++) {
      const poll = await call("GET", pathFor("getAgentEvent", "1010"), guid);
      if (poll.guid) {
        rotations++;
        guid = poll.guid;
      }
      const event = poll.json.event as { eventType: string; content: unknown } | null;
      if (event) types.push(event.eventType);
    }
    expect(types).toContain("AgentEvent_Talking");
    expect(rotations).toBeGreaterThan(0);
    expect((await call("DELETE", pathFor("release", "1010"), guid)).json.retcode).toBe("0");
  });

  it("refuses a client that does not trust the CA", async () => {
    await expect(request(`${gw.url}/__mock/health`)).rejects.toThrow();
  });

  it("describes itself as a valid target profile", () => {
    const profile = parseTargetProfile(mockProfile(gw));
    expect(profile.tls?.caFile).toBe(gw.caFile);
    expect(profile.called).toContainEqual({ number: "4000003", outcome: "busy" });
    expect(profile.agentRange?.from).toBe(1001);
  });
});

describe("plain HTTP gateway", () => {
  it("listens without TLS and answers the admin API", async () => {
    const gw = await startGateway({ tls: false });
    try {
      expect(gw.url).toMatch(/^http:\/\//);
      expect(gw.caFile).toBeUndefined();
      const response = await request(`${gw.url}/__mock/health`);
      expect(await response.body.json()).toEqual({ ok: true });
      expect(await gw.admin("/stats")).toMatchObject({ agentsSignedIn: 0 });
    } finally {
      await gw.close();
    }
  });
});
