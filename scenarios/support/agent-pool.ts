/**
 * The agents of the profile, scheduled over the cases: a case asks for the agents it needs (signed in, or
 * signed out) and gets them all at once or waits, with a deadline, so cases never deadlock on each other. An
 * agent that a sign-in refused is never tried again (accounts lock); an answer the suite cannot read stops the
 * pool. Until one sign-in has been read as a success, one case runs at a time, so a gateway the suite cannot
 * understand sees one sign-in, not one per worker. A signed-in agent keeps a poll open (lib/gateway's session
 * keeper), whether a case holds it or not, so a slow, rate-capped run never loses it and its Guid is always the
 * gateway's current one. An agent whose sign-out was refused is not counted as signed out: before it serves a
 * case that needs a signed-out agent, the pool signs it out for sure, or the case is not tested.
 */
import { setMaxListeners } from "node:events";
import { signInFlow } from "../../contracts/index.ts";
import { checkFlow } from "./event-order.ts";
import { NotTested, type Recorder } from "./recorder.ts";
import { SignInError, type SignInTracker } from "./sign-ins.ts";
import { SuiteAgent } from "./suite-agent.ts";
import type { Target } from "./target.ts";

/** The agents a case needs at once. */
export interface Needs {
  /** Signed in, settled, idle. */
  signedIn: number;
  /** Signed out: the case signs them in itself (they are signed out again afterwards). */
  signedOut: number;
}

export interface Lease {
  agents: SuiteAgent[];
  spares: SuiteAgent[];
}

interface Slot {
  agent: SuiteAgent;
  busy: boolean;
  /** Why the pool no longer uses this agent. */
  disabled?: string;
}

interface Waiter {
  needs: Needs;
  resolve(slots: Slot[]): void;
  reject(error: Error): void;
}

export class AgentPool {
  private readonly target: Target;
  private readonly slots: Slot[];
  private readonly waiters: Waiter[] = [];
  /** Stops the run: every case waiting for agents or for a gateway's answer listens to it (one listener each). */
  private readonly stopper = (() => {
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    return controller;
  })();
  /** Set when the gateway's sign-in cannot be read: nothing more is signed in. */
  private broken: string | undefined;
  private closed = false;
  /** A sign-in of this gateway has been read as a success. */
  private verified = false;
  /** Leases handed out and not yet given back. */
  private leases = 0;

  /** @param size how many agents of the profile the suite uses (the first ones) */
  constructor(target: Target, size: number, options: { tracker?: SignInTracker } = {}) {
    this.target = target;
    const events = {
      signedIn: () => {
        this.verified = true;
        this.assign();
      },
      failed: (agent: SuiteAgent, error: SignInError) => {
        const slot = this.slots.find((s) => s.agent === agent);
        if (slot) this.refused(slot, error);
      },
    };
    this.slots = target.agents.first(size).map((agent) => ({
      agent: new SuiteAgent(target, agent, { ...options, events, signal: this.stopper.signal }),
      busy: false,
    }));
  }

  /** Aborted when the run is stopped (its watchdog): every wait of the pool and its agents ends. */
  get signal(): AbortSignal {
    return this.stopper.signal;
  }

  /** Stops the run: waiting cases are refused, agents stop polling for events. */
  stop(): void {
    this.stopper.abort();
  }

  /** Agents the pool may use. */
  get size(): number {
    return this.slots.length;
  }

  /** Agents busy in a case, with what they wait for (for the watchdog's report). */
  waiting(): string[] {
    return this.slots.flatMap((s) => (s.busy && s.agent.waiting ? [s.agent.waiting] : []));
  }

  /**
   * The agents a case needs, prepared (signed in and idle, or signed out), recording the sign-ins into `rec`.
   * Throws NotTested when they cannot be had: too few usable agents, the deadline passed, the pool stopped.
   */
  async acquire(needs: Needs, rec: Recorder): Promise<Lease> {
    for (;;) {
      const slots = await this.wait(needs);
      try {
        return await this.prepare(slots, needs, rec);
      } catch (error) {
        this.leases--;
        for (const slot of slots) this.free(slot);
        if (!(error instanceof SignInError)) throw error;
        // Signed in elsewhere: the agent is left for later; this case is not tested.
        if (error.kind === "elsewhere") throw new NotTested(error.message);
        // A refused agent was disabled: try again with the others (each round disables one, so this ends).
      }
    }
  }

  private async prepare(slots: Slot[], needs: Needs, rec: Recorder): Promise<Lease> {
    const agents = slots.slice(0, needs.signedIn).map((s) => s.agent);
    const spares = slots.slice(needs.signedIn).map((s) => s.agent);
    for (const agent of agents) {
      if (agent.signedIn === true) continue;
      // A session that was lost or a sign-out that was refused: signed out for sure first.
      if (agent.signedIn === "unknown") await this.signOutForSure(agent);
      agent.recorder = rec;
      try {
        await this.signIn(agent);
      } finally {
        agent.recorder = undefined;
      }
    }
    for (const spare of spares) {
      if (spare.signedIn === false) continue;
      if (spare.signedIn === true) await spare.settle();
      await this.signOutForSure(spare);
    }
    for (const agent of [...agents, ...spares]) {
      agent.recorder = rec;
      agent.callsInLease = 0;
    }
    return { agents, spares };
  }

  /** Signs an agent in and waits for its sign-in flow (its events are judged by the sign-in cases). */
  private async signIn(agent: SuiteAgent): Promise<void> {
    const mark = agent.events.length;
    await agent.login();
    const flow = signInFlow(this.target.profile.signIn?.status);
    await agent.until((events) => checkFlow(flow, events, undefined, false).complete, {
      within: "prompt",
      what: "the sign-in flow",
      from: mark,
    });
  }

  /**
   * Signs an agent out with lib/gateway's sweep and checks that it took: a sign-out that was refused (a stale
   * Guid, say) leaves the agent signed in at the gateway, and a case that needs it signed out would then find
   * it "signed in elsewhere". Throws NotTested when the agent cannot be brought to signed out.
   */
  private async signOutForSure(agent: SuiteAgent): Promise<void> {
    await agent.logout(!this.broken).catch(() => undefined);
    if (agent.signedIn === false) return;
    throw new NotTested(
      `agent ${agent.id}'s sign-out was refused and a new session could not be opened to sign it out (signed in elsewhere, and allowForceLogin is not set)`,
    );
  }

  private refused(slot: Slot, error: SignInError): void {
    // Signed in elsewhere is a state that passes (the gateway signs an agent that stopped polling out).
    if (error.kind === "elsewhere") return;
    slot.disabled = error.message;
    if (error.kind !== "refused") {
      const why =
        error.kind === "unreadable" ? "an answer it cannot read" : "a refused password: accounts lock";
      this.broken = `${error.message}; the suite signs no agent in after ${why}`;
      for (const waiter of this.waiters.splice(0)) waiter.reject(new NotTested(this.broken));
    }
  }

  /** Gives the agents of a case back: calls released, spares signed out; a lost session is started over. */
  async giveBack(lease: Lease): Promise<void> {
    await Promise.all([
      ...lease.agents.map(async (agent) => {
        agent.recorder = undefined;
        if (agent.signedIn === false) return;
        const settled = agent.signedIn === true && (await agent.settle().catch(() => false));
        if (!settled) await this.recover(agent);
        // Events of a call the case did not follow to its end may still come: read them here, not in the next
        // case's log.
        else await agent.finishCall();
      }),
      ...lease.spares.map(async (agent) => {
        agent.recorder = undefined;
        if (agent.signedIn !== false) await agent.logout(!this.broken).catch(() => undefined);
      }),
    ]);
    this.leases--;
    for (const agent of [...lease.agents, ...lease.spares]) {
      const slot = this.slots.find((s) => s.agent === agent);
      if (slot) this.free(slot);
    }
  }

  /** A session that no longer works: signed out (the sweep), then a new one, ready for the next case. */
  private async recover(agent: SuiteAgent): Promise<void> {
    try {
      await agent.logout(!this.broken);
      if (this.broken || this.closed || agent.signedIn !== false) return;
      await this.signIn(agent);
    } catch {
      // A refused sign-in disabled the agent (the pool heard of it); nothing else to do.
    }
  }

  private wait(needs: Needs): Promise<Slot[]> {
    if (this.broken) return Promise.reject(new NotTested(this.broken));
    const total = needs.signedIn + needs.signedOut;
    const usable = this.slots.filter((s) => !s.disabled).length;
    if (usable < total) return Promise.reject(this.tooFew(total));
    return new Promise<Slot[]>((resolve, reject) => {
      const { leaseMs } = this.target.deadlines;
      const done = (): void => {
        clearTimeout(timer);
        this.signal.removeEventListener("abort", onAbort);
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
      };
      const waiter: Waiter = {
        needs,
        resolve: (slots) => {
          done();
          resolve(slots);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      };
      const timer = setTimeout(
        () => waiter.reject(new NotTested(`no ${total} free agent(s) within ${leaseMs} ms`)),
        leaseMs,
      );
      const onAbort = (): void =>
        waiter.reject(new NotTested("the run was stopped while the case waited for agents"));
      this.signal.addEventListener("abort", onAbort);
      this.waiters.push(waiter);
      this.assign();
    });
  }

  private tooFew(total: number): NotTested {
    const disabled = this.slots.filter((s) => s.disabled).map((s) => s.disabled);
    const why = disabled.length > 0 ? ` (not used: ${disabled.join("; ")})` : "";
    return new NotTested(
      `the case needs ${total} agents at once; ${this.slots.length - disabled.length} of the profile's agents can be used${why}`,
    );
  }

  /** Hands free agents to waiting cases, first come first served (a bigger case is not starved). */
  private assign(): void {
    while (this.waiters.length > 0) {
      if (!this.verified && this.leases > 0) return;
      const head = this.waiters[0] as Waiter;
      const total = head.needs.signedIn + head.needs.signedOut;
      if (this.slots.filter((s) => !s.disabled).length < total) {
        head.reject(this.tooFew(total));
        continue;
      }
      const free = this.slots.filter((s) => !s.busy && !s.disabled);
      if (free.length < total) return;
      // Agents already in the state the case wants first: fewer sign-ins and sign-outs.
      const signedIn = free.filter((s) => s.agent.signedIn === true);
      const others = free.filter((s) => s.agent.signedIn !== true);
      const forIn = [...signedIn, ...others].slice(0, head.needs.signedIn);
      const rest = free.filter((s) => !forIn.includes(s));
      const forOut = [
        ...rest.filter((s) => s.agent.signedIn === false),
        ...rest.filter((s) => s.agent.signedIn !== false),
      ].slice(0, head.needs.signedOut);
      for (const slot of [...forIn, ...forOut]) {
        slot.busy = true;
      }
      this.leases++;
      head.resolve([...forIn, ...forOut]);
    }
  }

  private free(slot: Slot): void {
    slot.busy = false;
    this.assign();
  }

  /** Signs out every agent the pool signed in; waiting cases are refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.reject(new NotTested("the suite is closing"));
    await Promise.all(
      this.slots.map(async (slot) => {
        slot.agent.recorder = undefined;
        if (slot.agent.signedIn === false) return;
        if (slot.agent.signedIn === true) await slot.agent.settle().catch(() => false);
        await slot.agent.logout(!this.broken).catch(() => undefined);
      }),
    );
    await this.target.closeGateway();
  }
}
