/**
 * The agent directory: which work numbers exist and their passwords and phones. A range of agents is computed
 * on lookup rather than stored, so a pool of 20,000 agents costs nothing until they sign in.
 */
import type { Agent } from "../../lib/target-profile.ts";
import type { AgentRange } from "../options.ts";

/** Lookup of configured agents. */
export class AgentDirectory {
  private readonly listed: Map<string, Agent>;
  private readonly range: AgentRange | undefined;

  constructor(agents: readonly Agent[], range: AgentRange | undefined) {
    this.listed = new Map(agents.map((a) => [a.id, a]));
    this.range = range;
  }

  /** The agent with this work number, if configured. */
  get(id: string): Agent | undefined {
    const listed = this.listed.get(id);
    if (listed) return listed;
    const range = this.range;
    if (!range || !/^[0-9]{1,9}$/.test(id)) return undefined;
    const n = Number(id);
    if (n < range.from || n >= range.from + range.count || String(n) !== id) return undefined;
    return { id, password: range.password, phone: String(range.phoneFrom + (n - range.from)) };
  }

  /** Number of configured agents. */
  get size(): number {
    return this.listed.size + (this.range?.count ?? 0);
  }
}
