/** Tests of the preflight's failure classes and of the sign-out sweep, against servers on 127.0.0.1. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mockProfile, type RunningGateway, startGateway } from "../../testing/loopback-gateway.ts";
import { HarnessError } from "../errors.ts";
import { Roster } from "../roster.ts";
import type { TargetProfile } from "../target-profile.ts";
import { preflight, sweepSignOut } from "./index.ts";

let tlsGateway: RunningGateway;
let httpGateway: RunningGateway;
const servers: Server[] = [];

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  tlsGateway = await startGateway({ quiet: true, selfCheck: false });
  httpGateway = await startGateway({ quiet: true, tls: false, selfCheck: false });
});
afterAll(async () => {
  await tlsGateway.close();
  await httpGateway.close();
  for (const s of servers) s.close();
});

async function codeOf(profile: TargetProfile, timeoutMs = 2000): Promise<string | undefined> {
  const agent = new Roster(profile).first()[0];
  if (!agent) throw new Error("no agent");
  try {
    await preflight(profile, agent, timeoutMs);
    return undefined;
  } catch (error) {
    if (error instanceof HarnessError) {
      // One line, no secret, no stack.
      expect(error.toLine()).not.toContain("\n");
      expect(error.toLine()).not.toContain(agent.password);
      return error.code;
    }
    throw error;
  }
}

describe("preflight", () => {
  it("passes against the mock with its CA", async () => {
    expect(await codeOf(mockProfile(tlsGateway))).toBeUndefined();
    const stats = (await tlsGateway.admin("/stats")) as { agentsSignedIn: number };
    expect(stats.agentsSignedIn).toBe(0);
  });

  it("calls a closed port unreachable", async () => {
    const server = createServer();
    const url = await listen(server);
    await new Promise<void>((done) => server.close(() => done()));
    expect(await codeOf({ ...mockProfile(httpGateway), baseUrl: url })).toBe("CCGW_TARGET_UNREACHABLE");
  });

  it("calls a server that never answers unreachable, within the time limit", async () => {
    const url = await listen(createServer(() => undefined));
    expect(await codeOf({ ...mockProfile(httpGateway), baseUrl: url }, 300)).toBe("CCGW_TARGET_UNREACHABLE");
  });

  it("calls an untrusted self-signed certificate a TLS failure", async () => {
    const { tls: _tls, ...profile } = mockProfile(tlsGateway);
    expect(await codeOf(profile)).toBe("CCGW_TARGET_TLS");
  });

  it("accepts the untrusted certificate only with tls.insecure", async () => {
    const profile = { ...mockProfile(tlsGateway), tls: { insecure: true } };
    expect(await codeOf(profile)).toBeUndefined();
  });

  it("calls an HTML answer not JSON, quoting the start of it", async () => {
    const url = await listen(
      createServer((_req, res) => {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<html><body>Welcome to the portal</body></html>");
      }),
    );
    const profile = { ...mockProfile(httpGateway), baseUrl: url };
    const agent = new Roster(profile).first()[0];
    if (!agent) throw new Error("no agent");
    const error = await preflight(profile, agent, 2000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe("CCGW_TARGET_NOT_JSON");
    expect((error as HarnessError).message).toContain("Welcome to the portal");
    expect((error as HarnessError).message).toContain("text/html");
  });

  it("calls a wrong password a refused sign-in, with the retcode", async () => {
    const base = mockProfile(httpGateway);
    const profile: TargetProfile = {
      ...base,
      agentRange: undefined,
      agents: [{ id: "1001", password: "wrong-password-1", phone: "700001" }],
    };
    delete profile.agentRange;
    const error = await preflight(
      profile,
      { id: "1001", password: "wrong-password-1", phone: "700001" },
      2000,
    ).catch((e: unknown) => e);
    expect((error as HarnessError).code).toBe("CCGW_SIGN_IN_REFUSED");
    expect((error as HarnessError).message).toMatch(/retcode \d{3}-\d{3}/);
  });
});

describe("sign-out sweep", () => {
  it("leaves no agent signed in, even those an interrupted phase left behind", async () => {
    const profile = mockProfile(httpGateway);
    const agents = new Roster(profile).first().slice(0, 5);
    // Leave three agents signed in, as a killed phase would.
    for (const agent of agents.slice(0, 3)) {
      const res = await fetch(`${profile.baseUrl}/agentgateway/resource/onlineagent/${agent.id}`, {
        method: "PUT",
        headers: { "content-type": "application/json; charset=UTF-8" },
        body: JSON.stringify({ password: agent.password, phonenum: agent.phone }),
      });
      expect(((await res.json()) as { retcode: string }).retcode).toBe("0");
    }
    expect(((await httpGateway.admin("/stats")) as { agentsSignedIn: number }).agentsSignedIn).toBe(3);
    const result = await sweepSignOut(profile, agents, { timeoutMs: 2000 });
    expect(result).toEqual({ signedOut: 5, failed: 0 });
    expect(((await httpGateway.admin("/stats")) as { agentsSignedIn: number }).agentsSignedIn).toBe(0);
  });
});
