/**
 * The roster of test agents: the listed ones first, then a range (agent from+i, phone phoneFrom+i, the shared
 * password), computed on demand, so a range of 20,000 agents costs nothing until they are used. The one way
 * every part reads a list of agents: a target profile's, a load plan's (plain JSON, carried to worker threads
 * and other machines) and the mock's.
 */

/** A test agent: its id (work number), password and the phone it binds at sign-in. */
export interface Agent {
  id: string;
  password: string;
  phone: string;
}

/** A block of agents: agent i has id from+i, phone phoneFrom+i, and the shared password. */
export interface AgentRange {
  from: number;
  count: number;
  password: string;
  phoneFrom: number;
}

/** Where a roster comes from: a profile, a plan or the mock's options all hold these two fields. */
export interface AgentSource {
  agents?: readonly Agent[] | undefined;
  agentRange?: AgentRange | undefined;
}

export class Roster {
  private readonly listed: readonly Agent[];
  private readonly byId: Map<string, Agent>;
  private readonly range: AgentRange | undefined;

  constructor(source: AgentSource) {
    this.listed = (source.agents ?? []).map((a) => ({ id: a.id, password: a.password, phone: a.phone }));
    this.byId = new Map(this.listed.map((a) => [a.id, a]));
    this.range = source.agentRange;
  }

  /** Number of agents. */
  get size(): number {
    return this.listed.length + (this.range?.count ?? 0);
  }

  /** Agent i (listed agents first, then the range); RangeError outside the roster. */
  at(i: number): Agent {
    const listed = this.listed[i];
    if (listed) return listed;
    const range = this.range;
    const j = i - this.listed.length;
    if (!range || !Number.isInteger(j) || j < 0 || j >= range.count)
      throw new RangeError(`agent ${i} is outside the roster of ${this.size}`);
    return { id: String(range.from + j), password: range.password, phone: String(range.phoneFrom + j) };
  }

  /** The agent with this work number, if the roster has it (a range's ids without leading zeros). */
  get(id: string): Agent | undefined {
    const listed = this.byId.get(id);
    if (listed) return listed;
    const range = this.range;
    if (!range || !/^[0-9]{1,9}$/.test(id)) return undefined;
    const n = Number(id);
    if (n < range.from || n >= range.from + range.count || String(n) !== id) return undefined;
    return { id, password: range.password, phone: String(range.phoneFrom + (n - range.from)) };
  }

  /** The first `count` agents (all of them without a count). */
  first(count = this.size): Agent[] {
    return Array.from({ length: Math.min(count, this.size) }, (_, i) => this.at(i));
  }
}
