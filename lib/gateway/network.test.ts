/**
 * Real lab networks, against the embedded mock through lib/gateway's client: a cookie that pins each agent to
 * its node, a proxy (from the profile and from HTTPS_PROXY), mutual TLS, a certificate for a host name reached
 * through an IP address with tls.servername, a base URL with an IPv6 literal, and one with a path prefix.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createProxy } from "proxy";
import { afterEach, describe, expect, it } from "vitest";
import {
  type GatewayOptions,
  mockProfile,
  type RunningGateway,
  startGateway,
} from "../../testing/loopback-gateway.ts";
import { Roster } from "../roster.ts";
import { CallGuard, policyFromProfile } from "../safety.ts";
import type { Agent, TargetProfile } from "../target-profile.ts";
import {
  AgentChannel,
  GatewayClient,
  retcodeOf,
  type SendOperation,
  signIn,
  signInPolicy,
  signOut,
} from "./index.ts";

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function gateway(options: GatewayOptions): Promise<RunningGateway> {
  const gw = await startGateway({ timing: "fast", pollWaitMs: 50, ...options });
  closers.push(() => gw.close());
  return gw;
}

async function client(profile: TargetProfile): Promise<GatewayClient> {
  const c = await GatewayClient.open(profile, {
    timeoutMs: 3000,
    guard: new CallGuard(policyFromProfile(profile)),
  });
  closers.push(() => c.close());
  return c;
}

/** One agent's whole cycle over its own channel: sign-in, poll, callout, release, sign-out; the retcodes. */
async function cycle(
  c: GatewayClient,
  profile: TargetProfile,
  agent: Agent,
  channel = new AgentChannel(),
): Promise<string[]> {
  const send: SendOperation = (operation, body, headers) =>
    c.send({ operation, agentId: agent.id, body, ...(headers ? { headers } : {}) }, channel);
  const codes: string[] = [];
  const signedIn = await signIn(send, agent, signInPolicy(profile));
  codes.push(retcodeOf(signedIn.reply));
  codes.push(retcodeOf(await send("getAgentEvent")));
  codes.push(retcodeOf(await send("callout", { called: "4000001" })));
  codes.push(retcodeOf(await send("release")));
  codes.push(
    (await signOut(send, agent, signInPolicy(profile), true)).done ? "signed out" : "still signed in",
  );
  return codes;
}

const CYCLE = ["0", "0", "0", "0", "signed out"];

describe("lab networks", () => {
  it("keeps each agent's node cookie across sign-in, polls, callout and sign-out", async () => {
    const gw = await gateway({ stickyCookie: true });
    const profile = mockProfile(gw);
    const [a, b] = new Roster(profile).first();
    if (!a || !b) throw new Error("two agents expected");
    const c = await client(profile);
    const [codesA, codesB] = await Promise.all([cycle(c, profile, a), cycle(c, profile, b)]);
    expect(codesA).toEqual(CYCLE);
    expect(codesB).toEqual(CYCLE);
    // The mock does check: the other agent's cookie puts a request on a node without the session.
    const mine = new AgentChannel();
    const theirs = new AgentChannel();
    const send =
      (agent: Agent, channel: AgentChannel): SendOperation =>
      (operation, body, headers) =>
        c.send({ operation, agentId: agent.id, body, ...(headers ? { headers } : {}) }, channel);
    await signIn(send(a, mine), a, signInPolicy(profile));
    await signIn(send(b, theirs), b, signInPolicy(profile));
    const crossed = await c.send(
      { operation: "getAgentEvent", agentId: a.id, headers: c.headers(mine) },
      theirs,
    );
    expect(["000-003", "100-006"]).toContain(retcodeOf(crossed));
    expect(mine.cookies.header()).not.toBe(theirs.cookies.header());
  });

  it("goes through the profile's proxy, and through HTTPS_PROXY of the environment", async () => {
    const gw = await gateway({});
    const proxy = createProxy(createServer());
    const tunnels: string[] = [];
    proxy.on("connect", (request: { url?: string }) => tunnels.push(String(request.url)));
    await new Promise<void>((done) => proxy.listen(0, "127.0.0.1", done));
    closers.push(() => new Promise((done) => proxy.close(done)));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const profile = { ...mockProfile(gw), proxy: proxyUrl };
    const [agent] = new Roster(profile).first();
    if (!agent) throw new Error("an agent expected");
    expect(await cycle(await client(profile), profile, agent)).toEqual(CYCLE);
    const target = new URL(gw.url).host;
    expect(tunnels).toContain(target);

    // undici reads the lowercase names first: every proxy variable of this machine is set aside for the test.
    const names = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"];
    const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
    for (const name of names) delete process.env[name];
    process.env.HTTPS_PROXY = proxyUrl;
    try {
      const before = tunnels.length;
      const plain = mockProfile(gw);
      expect(await cycle(await client(plain), plain, agent)).toEqual(CYCLE);
      expect(tunnels.length).toBeGreaterThan(before);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it("presents a client certificate to a gateway that requires mutual TLS", async () => {
    const gw = await gateway({ clientCertificates: true });
    const [agent] = new Roster(mockProfile(gw)).first();
    if (!agent || !gw.clientCertFile || !gw.clientKeyFile) throw new Error("a client certificate expected");
    const without = mockProfile(gw);
    const refused = await (await client(without)).send({ operation: "login", agentId: agent.id, body: {} });
    expect(refused.error).toBeDefined();
    const profile = {
      ...without,
      tls: { ...without.tls, certFile: gw.clientCertFile, keyFile: gw.clientKeyFile },
    };
    expect(await cycle(await client(profile), profile, agent)).toEqual(CYCLE);
  });

  it("verifies a certificate issued to a host name, reached through an IP address, with tls.servername", async () => {
    const gw = await gateway({ certificateNames: ["localhost"] });
    const [agent] = new Roster(mockProfile(gw)).first();
    if (!agent) throw new Error("an agent expected");
    const byIp = mockProfile(gw);
    expect(byIp.baseUrl).toMatch(/127\.0\.0\.1/);
    const refused = await (await client(byIp)).send({ operation: "login", agentId: agent.id, body: {} });
    expect(refused.error).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID|altnames/i);
    const named = { ...byIp, tls: { ...byIp.tls, servername: "localhost" } };
    expect(await cycle(await client(named), named, agent)).toEqual(CYCLE);
  });

  it("works with a base URL whose host is an IPv6 literal ([::1])", async () => {
    const gw = await gateway({ host: "::1" });
    const profile = mockProfile(gw);
    expect(profile.baseUrl).toMatch(/^https:\/\/\[::1\]:\d+$/);
    const [agent] = new Roster(profile).first();
    if (!agent) throw new Error("an agent expected");
    expect(await cycle(await client(profile), profile, agent)).toEqual(CYCLE);
  });

  it("keeps a base URL's path prefix before every operation's path", async () => {
    const seen: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url);
      res.setHeader("content-type", "application/json");
      res.end('{"retcode":"0","message":"","result":""}');
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    closers.push(() => new Promise((done) => server.close(done)));
    const port = (server.address() as AddressInfo).port;
    const profile = {
      baseUrl: `http://127.0.0.1:${port}/lab/`,
      called: ["4000001"],
    } as unknown as TargetProfile;
    const c = await client(profile);
    expect(retcodeOf(await c.send({ operation: "getAgentEvent", agentId: "1001" }))).toBe("0");
    expect(seen).toEqual(["/lab/agentgateway/resource/agentevent/1001"]);
  });
});
