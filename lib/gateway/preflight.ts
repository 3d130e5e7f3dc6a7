/**
 * The main job's use of the client: the preflight (one sign-in and sign-out of the first agent, bounded in
 * time) that turns an unreachable host, an untrusted certificate, a non-JSON answer or a refused sign-in into
 * one catalogued error, and the sweep that leaves no agent of the profile signed in after a run.
 */
import { HarnessError } from "../errors.ts";
import { redactText } from "../redact.ts";
import type { Agent, TargetProfile } from "../target-profile.ts";
import { envelopeOf, unreadable } from "./answer.ts";
import { AgentChannel, GatewayClient, type GatewayReply, NO_CALLOUTS } from "./client.ts";
import { classifyNetworkError } from "./network-errors.ts";
import { type SendOperation, signIn, signInPolicy, signOut } from "./sign-in-out.ts";

/** Sends the operations of one agent over its own channel, throwing on a network failure. */
function sender(client: GatewayClient, agent: Agent, channel: AgentChannel, strict: boolean): SendOperation {
  return async (operation, body, headers) => {
    const reply = await client.send(
      { operation, agentId: agent.id, body, ...(headers ? { headers } : {}) },
      channel,
    );
    if (strict && reply.error) throw classifyNetworkError(new Error(reply.error), client.connection.baseUrl);
    if (strict && !envelopeOf(reply)) throw notJson(reply, client.connection.secrets);
    return reply;
  };
}

function notJson(reply: GatewayReply, secrets: readonly string[]): HarnessError {
  const snippet = redactText(reply.text.replace(/\s+/g, " ").trim().slice(0, 80), secrets);
  const path = reply.path.replace(/\/\d+(\/|$)/, "/{agentid}$1");
  return new HarnessError(
    "CCGW_TARGET_NOT_JSON",
    `${reply.method} ${path} answered HTTP ${reply.status}, ${unreadable(reply)}, not a JSON envelope with a retcode${snippet ? ` ("${snippet}")` : ""}`,
    "check that baseUrl points at the CC-Gateway itself (scheme, host and port only), not at a proxy or web console",
  );
}

/** Preflight: one sign-in and sign-out of the first agent. Throws a classified HarnessError. */
export async function preflight(profile: TargetProfile, agent: Agent, timeoutMs: number): Promise<void> {
  const client = await GatewayClient.open(profile, { timeoutMs, guard: NO_CALLOUTS });
  try {
    const channel = new AgentChannel();
    const send = sender(client, agent, channel, true);
    const policy = signInPolicy(profile);
    const outcome = await signIn(send, agent, policy);
    if (!outcome.ok) {
      const hint =
        outcome.kind === "elsewhere"
          ? "the agent is signed in elsewhere: sign it out, or set allowForceLogin in the profile"
          : "check the agent's id, password and phone in the target profile, and that the agent exists on the gateway";
      throw new HarnessError(
        "CCGW_SIGN_IN_REFUSED",
        `the gateway refused to sign agent ${agent.id} in: retcode ${outcome.code}`,
        hint,
      );
    }
    if (!channel.guid) {
      throw new HarnessError(
        "CCGW_SIGN_IN_REFUSED",
        `the gateway signed agent ${agent.id} in but sent no Set-GUID header`,
        "the gateway does not follow the sign-in interface; see the conformance report",
      );
    }
    await signOut(send, agent, policy, true);
  } finally {
    await client.close();
  }
}

/**
 * Leaves none of `agents` signed in: the sign-out sweep of each (a forced sign-in only where the profile allows
 * it). Bounded concurrency; failures are counted, never thrown.
 */
export async function sweepSignOut(
  profile: TargetProfile,
  agents: Agent[],
  options: { timeoutMs: number; concurrency?: number },
): Promise<{ signedOut: number; failed: number }> {
  const client = await GatewayClient.open(profile, { timeoutMs: options.timeoutMs, guard: NO_CALLOUTS });
  const policy = signInPolicy(profile);
  let signedOut = 0;
  let failed = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let agent = agents[next++]; agent; agent = agents[next++]) {
      const { done } = await signOut(
        sender(client, agent, new AgentChannel(), false),
        agent,
        policy,
        false,
      ).catch(() => ({ done: false }));
      if (done) signedOut += 1;
      else failed += 1;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));
  } finally {
    await client.close();
  }
  return { signedOut, failed };
}
