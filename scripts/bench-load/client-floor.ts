/**
 * The floor under the engine's cost: lib/gateway's client alone sending callout and release in a loop for
 * signed-in agents (no schedule, no events, no metrics), against the same kind of mock. What the engine costs
 * per request above this is its own work; this much any agent built on the client pays.
 */
import { GatewayClient } from "../../lib/gateway/index.ts";
import { CallGuard, isLoopback, policyFromProfile } from "../../lib/safety.ts";
import type { TargetProfile } from "../../lib/target-profile.ts";
import { signInAgents, signOutAgents } from "./bench-agents.ts";

export interface Floor {
  requestsPerSecond: number;
  cpuUsPerRequest: number;
}

export async function clientFloor(
  profile: TargetProfile,
  o: { agents: number; seconds: number },
): Promise<Floor> {
  if (!isLoopback(profile.baseUrl)) throw new Error("the client floor runs only against a mock on loopback");
  const client = await GatewayClient.open(profile, {
    timeoutMs: 10_000,
    connections: o.agents + 4,
    guard: new CallGuard(policyFromProfile(profile)),
  });
  const agents = await signInAgents(client, profile, o.agents);
  try {
    let requests = 0;
    const end = Date.now() + o.seconds * 1000;
    const started = process.cpuUsage();
    const startedAt = Date.now();
    await Promise.all(
      agents.map(async ({ send }) => {
        while (Date.now() < end) {
          await send("callout", { called: "4000001" });
          await send("release");
          requests += 2;
        }
      }),
    );
    const cpu = process.cpuUsage(started);
    const seconds = (Date.now() - startedAt) / 1000;
    return {
      requestsPerSecond: Math.round(requests / seconds),
      cpuUsPerRequest: Math.round((cpu.user + cpu.system) / requests),
    };
  } finally {
    await signOutAgents(agents, profile);
    await client.close();
  }
}
