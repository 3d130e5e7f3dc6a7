/**
 * Agents of the benchmark's baselines (wrk, the client floor): the profile's first agents signed in on one
 * client, each with its own channel, and signed out again with lib/gateway's sweep.
 */
import {
  AgentChannel,
  type GatewayClient,
  type SendOperation,
  signIn,
  signInPolicy,
  signOut,
} from "../../lib/gateway/index.ts";
import { Roster } from "../../lib/roster.ts";
import type { Agent, TargetProfile } from "../../lib/target-profile.ts";

export interface BenchAgent {
  agent: Agent;
  channel: AgentChannel;
  send: SendOperation;
}

/** Signs in the profile's first `count` agents; those the gateway refused have no Guid on their channel. */
export async function signInAgents(
  client: GatewayClient,
  profile: TargetProfile,
  count: number,
): Promise<BenchAgent[]> {
  const roster = new Roster({ agentRange: profile.agentRange });
  const agents = Array.from({ length: count }, (_, i) => {
    const agent = roster.at(i);
    const channel = new AgentChannel();
    const send: SendOperation = (operation, body, headers) =>
      client.send({ operation, agentId: agent.id, body, ...(headers ? { headers } : {}) }, channel);
    return { agent, channel, send };
  });
  await Promise.all(agents.map((a) => signIn(a.send, a.agent, signInPolicy(profile))));
  return agents;
}

/** Signs every agent out (a failure leaves that agent to the gateway's heartbeat timeout). */
export async function signOutAgents(agents: readonly BenchAgent[], profile: TargetProfile): Promise<void> {
  await Promise.all(
    agents.map((a) => signOut(a.send, a.agent, signInPolicy(profile), true).catch(() => undefined)),
  );
}
