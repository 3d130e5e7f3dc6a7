/**
 * The benchmark's baseline: wrk (Debian's package, installed here when missing and this is root) sending only
 * callout and release, in turn, for agents signed in beforehand, to the same mock the engine loads. What a
 * minimal, compiled load generator gets out of that mock is the ceiling the engine's rate is compared with.
 */
import { execFileSync, spawn } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { OPERATIONS, pathFor } from "../../contracts/index.ts";
import { HarnessError } from "../../lib/errors.ts";
import { GatewayClient, NO_CALLOUTS } from "../../lib/gateway/index.ts";
import { isLoopback } from "../../lib/safety.ts";
import type { TargetProfile } from "../../lib/target-profile.ts";
import { signInAgents, signOutAgents } from "./bench-agents.ts";

/**
 * wrk's path, installing Debian's package first when it is missing, `install` allows it and this process may;
 * else the reason there is none.
 */
export function findWrk(log: (line: string) => void, install = true): { path: string } | { skipped: string } {
  const which = () => {
    try {
      return execFileSync("sh", ["-c", "command -v wrk"], { encoding: "utf8" }).trim();
    } catch {
      return "";
    }
  };
  if (which()) return { path: which() };
  if (!install) return { skipped: "wrk is not installed (--no-install)" };
  if (process.getuid?.() !== 0) return { skipped: "wrk is not installed (apt-get install wrk, as root)" };
  log("installing wrk (Debian package) for the baseline");
  try {
    execFileSync(
      "sh",
      ["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk"],
      {
        stdio: "ignore",
        timeout: 300_000,
      },
    );
  } catch (error) {
    return { skipped: `wrk could not be installed: ${(error as Error).message.split("\n")[0]}` };
  }
  return which() ? { path: which() } : { skipped: "wrk is still missing after apt-get install wrk" };
}

/** The Lua script: request i is a callout (even i) or a release (odd i) of agent (i / 2) mod n. */
function luaScript(agents: { id: string; guid: string }[]): string {
  const callout = OPERATIONS.callout;
  const release = OPERATIONS.release;
  const rows = agents.map(
    (a) => `{ "${pathFor("callout", a.id)}", "${pathFor("release", a.id)}", "${a.guid}" }`,
  );
  return `local agents = { ${rows.join(",\n")} }
local n = #agents
local i = 0
local body = '{"called":"4000001"}'
request = function()
  local agent = agents[(math.floor(i / 2) % n) + 1]
  local headers = { ["Content-Type"] = "application/json;charset=UTF-8", ["Guid"] = agent[3] }
  i = i + 1
  if i % 2 == 1 then
    return wrk.format("${callout.method}", agent[1], headers, body)
  end
  return wrk.format("${release.method}", agent[2], headers, nil)
end
`;
}

/** Runs wrk with the script for `seconds`; resolves with its output (rejects when it fails). */
function runWrk(wrk: string, script: string, baseUrl: string, o: { connections: number; seconds: number }) {
  return new Promise<string>((resolve, reject) => {
    const args = ["-t", "1", "-c", String(o.connections), "-d", `${o.seconds}s`, "-s", script, baseUrl];
    const child = spawn(wrk, args, { stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    const keep = (c: Buffer) => {
      text += c.toString();
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}: ${text}`)),
    );
  });
}

/** Requests per second wrk reaches with `agents` agents over `connections` connections for `seconds`. */
export async function wrkRate(
  wrk: string,
  profile: TargetProfile,
  o: { agents: number; connections: number; seconds: number; dir: string },
): Promise<{ requestsPerSecond: number; output: string }> {
  // A baseline with no rate cap and no budget: it runs against a mock on this machine, never a gateway.
  if (!isLoopback(profile.baseUrl)) {
    throw new HarnessError(
      "CCGW_USAGE",
      `the wrk baseline runs only against a mock on loopback, not ${profile.baseUrl}`,
    );
  }
  const client = await GatewayClient.open(profile, {
    timeoutMs: 10_000,
    connections: 32,
    guard: NO_CALLOUTS,
  });
  const agents = await signInAgents(client, profile, o.agents);
  const script = join(o.dir, "wrk-baseline.lua");
  try {
    const signed = agents.map((a) => ({ id: a.agent.id, guid: a.channel.guid ?? "" }));
    // The script holds the agents' Guids: readable by this user only, deleted right after the run.
    await writeFile(script, luaScript(signed.filter((a) => a.guid !== "")), { mode: 0o600 });
    const output = await runWrk(wrk, script, profile.baseUrl, o);
    const rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? Number.NaN);
    if (!Number.isFinite(rate)) throw new Error(`no Requests/sec in wrk's output: ${output.slice(0, 300)}`);
    return { requestsPerSecond: rate, output };
  } finally {
    await rm(script, { force: true });
    await signOutAgents(agents, profile);
    await client.close();
  }
}
