/**
 * The suite's client of a gateway: pactum requests built from the target profile (base URL, CA, agents), agent
 * sessions that keep the latest Guid and their polled events, and a pool that signs agents in on demand and
 * out at the end. Every answer is validated against its contract; the findings go to the case being recorded.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import type { RequestOptions } from "node:http";
import { dirname, join } from "node:path";
import pactum from "pactum";
import { appliedClauses } from "../../contracts/clauses-of.ts";
import {
  agentStateCode,
  CLAUSES,
  type Contracts,
  contractsFor,
  type Edition,
  OPERATIONS,
  type OperationId,
  pathFor,
  type SchemaName,
} from "../../contracts/index.ts";
import { HarnessError } from "../../lib/errors.ts";
import { redact } from "../../lib/redact.ts";
import type { Exchange, Finding } from "../../lib/report/conformance.ts";
import { CallGuard, policyFromProfile, type SafetyPolicy } from "../../lib/safety.ts";
import {
  type Agent,
  type AuthMode,
  type CalledNumber,
  calledNumbers,
  expandAgents,
  profileAuthMode,
  profileEdition,
  profileSecrets,
  type TargetProfile,
} from "../../lib/target-profile.ts";
import type { PolledEvent } from "./event-order.ts";

/** How long the suite waits for things a gateway does by itself. Deadlines, never sleeps. */
export interface Deadlines {
  /** Events of one flow (callout to Talking or Call_Out_Fail; release to Ready). */
  flowMs: number;
  /** A Guid rotation under dynamic authentication. */
  rotationMs: number;
  /** One HTTP request; must exceed the gateway's long-poll wait. */
  requestMs: number;
}

/** Everything a check needs about the gateway under test. */
export interface Target {
  profile: TargetProfile;
  edition: Edition;
  authMode: AuthMode;
  contracts: Contracts;
  agents: Agent[];
  called: CalledNumber[];
  secrets: string[];
  deadlines: Deadlines;
  /**
   * Node http(s).request options pactum passes on. NOTE: plain data only: pactum copies request options
   * through its template processor, which turns an Agent instance into a plain object.
   */
  core: { ca?: string; rejectUnauthorized?: boolean };
  warnings: string[];
}

/** Builds the target of a profile: TLS trust from tls.caFile, a warning for tls.insecure. */
export function makeTarget(profile: TargetProfile, deadlines: Deadlines): Target {
  const warnings: string[] = [];
  const https = profile.baseUrl.startsWith("https:");
  let core: Target["core"] = {};
  if (https) {
    const insecure = profile.tls?.insecure === true;
    if (insecure) warnings.push("tls.insecure is set: the gateway's certificate is NOT verified");
    let ca: string | undefined;
    if (profile.tls?.caFile) {
      try {
        ca = readFileSync(profile.tls.caFile, "utf8");
      } catch (error) {
        throw new HarnessError(
          "CCGW_TARGET_TLS",
          `cannot read tls.caFile ${profile.tls.caFile}: ${(error as Error).message}`,
        );
      }
    }
    core = { rejectUnauthorized: !insecure, ...(ca ? { ca } : {}) };
  }
  const edition = profileEdition(profile);
  return {
    profile,
    edition,
    authMode: profileAuthMode(profile),
    contracts: contractsFor(edition),
    agents: expandAgents(profile),
    called: calledNumbers(profile),
    secrets: profileSecrets(profile),
    deadlines,
    core,
    warnings,
  };
}

/** What came back from one request. */
export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or undefined. */
  json: unknown;
  text: string;
  error?: string;
  ms: number;
  /** Redacted record for the report. */
  evidence: Exchange;
}

export interface RequestSpec {
  operation?: OperationId;
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** A value is sent as JSON text; a string is sent as it is. */
  body?: unknown;
}

// pactum logs every transport error itself; the suite reports them as findings instead.
pactum.settings.setLogLevel("ERROR");

/** Sends one request through pactum. Transport errors come back as a Reply with `error`, never thrown. */
/**
 * The dial policy of a target (lib/safety.ts): the profile's numbers, plus overdial on a listed number of the
 * contract's maximum `called` length, so the maxLength+1 boundary can be probed without dialling anyone else.
 */
export function dialPolicy(target: Target): SafetyPolicy {
  const schema = target.contracts.schemas["voicecall/callout.request"] as {
    properties?: { called?: { maxLength?: number } };
  };
  const max = schema.properties?.called?.maxLength;
  return { ...policyFromProfile(target.profile), ...(max !== undefined ? { maxCalledLength: max } : {}) };
}

const guards = new WeakMap<Target, CallGuard>();

/** The call guard of a target; its budget is counted in <report dir>/raw/callouts.count when there is one. */
function guardOf(target: Target): CallGuard {
  let guard = guards.get(target);
  if (!guard) {
    const dir = process.env.CCGW_REPORT_DIR;
    const file = dir ? join(dir, "raw", "callouts.count") : undefined;
    const counter = file
      ? {
          spent: () => (existsSync(file) ? statSync(file).size : 0),
          record: () => {
            mkdirSync(dirname(file), { recursive: true });
            appendFileSync(file, "1");
          },
        }
      : undefined;
    guard = new CallGuard(dialPolicy(target), counter ? { counter } : {});
    guards.set(target, guard);
  }
  return guard;
}

export async function send(target: Target, spec: RequestSpec): Promise<Reply> {
  // Safety where the request is made (lib/safety.ts): a callout to a number outside the profile's list never
  // leaves, callouts are paced under maxCallsPerSecond, and maxTotalCalls holds across the suite's test files.
  if (spec.operation === "callout") {
    const guard = guardOf(target);
    for (let wait = guard.delayBeforeNextCall(); wait > 0; wait = guard.delayBeforeNextCall()) {
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    guard.admitBody(spec.body);
  }
  const url = `${target.profile.baseUrl.replace(/\/$/, "")}${spec.path}`;
  const bodyText =
    spec.body === undefined
      ? undefined
      : typeof spec.body === "string"
        ? spec.body
        : JSON.stringify(spec.body);
  const headers = { ...(spec.headers ?? {}) };
  let request = pactum
    .spec()
    .withMethod(spec.method)
    .withPath(url)
    .withHeaders(headers)
    .withCore(target.core as RequestOptions)
    .withRequestTimeout(target.deadlines.requestMs);
  if (bodyText !== undefined) request = request.withBody(bodyText);
  const started = Date.now();
  const res = (await request.toss()) as unknown as {
    statusCode?: number;
    headers?: Record<string, string | string[] | undefined>;
    body?: unknown;
    json?: unknown;
    text?: string;
    message?: string;
    code?: string;
  };
  const ms = Date.now() - started;
  const evidenceRequest = {
    method: spec.method,
    path: spec.path,
    headers,
    ...(spec.body === undefined ? {} : { body: spec.body }),
  };
  if (typeof res.statusCode !== "number") {
    const error = `${res.code ?? "error"}: ${res.message ?? "no response"}`;
    return {
      status: 0,
      headers: {},
      json: undefined,
      text: "",
      error,
      ms,
      evidence: redact(
        { ...(spec.operation ? { operation: spec.operation } : {}), request: evidenceRequest, error, ms },
        target.secrets,
      ),
    };
  }
  const responseHeaders = res.headers ?? {};
  const shown: Record<string, unknown> = {};
  for (const name of ["content-type", "set-guid", "allow"]) {
    if (responseHeaders[name] !== undefined) shown[name] = responseHeaders[name];
  }
  const json = res.json;
  return {
    status: res.statusCode,
    headers: responseHeaders,
    json,
    text: res.text ?? "",
    ms,
    evidence: redact(
      {
        ...(spec.operation ? { operation: spec.operation } : {}),
        request: evidenceRequest,
        response: { status: res.statusCode, headers: shown, body: json ?? res.text },
        ms,
      },
      target.secrets,
    ),
  };
}

/** The retcode of a vendor answer, or a description of what came instead (e.g. "HTTP 405"). */
export function retcodeOf(reply: Reply): string {
  if (reply.error) return `transport error (${reply.error})`;
  const retcode = (reply.json as { retcode?: unknown } | undefined)?.retcode;
  if (reply.status === 200 && typeof retcode === "string") return retcode;
  return `HTTP ${reply.status}`;
}

/** Collects what a case observes: findings under clauses and the exchanges as evidence. */
export class Recorder {
  readonly findings: Finding[] = [];
  readonly evidence: Exchange[] = [];
  observed: string | undefined;
  private readonly maxEvidence: number;
  constructor(maxEvidence = 40) {
    this.maxEvidence = maxEvidence;
  }
  add(clause: string, verdict: Finding["verdict"], message: string): void {
    this.findings.push({ clause, verdict, message });
  }
  /** A pass under a clause, once per case: repeated validations of the same kind of answer add nothing. */
  credit(clause: string, message: string): void {
    if (this.findings.some((f) => f.clause === clause && f.verdict === "pass")) return;
    this.add(clause, "pass", message);
  }
  /** A pass or fail under a clause. */
  check(clause: string, ok: boolean, message: string): boolean {
    this.add(clause, ok ? "pass" : "fail", message);
    return ok;
  }
  keep(exchange: Exchange): void {
    if (this.evidence.length < this.maxEvidence) this.evidence.push(exchange);
  }
}

/** Checks an answer against its response contract and records the result. */
export function validateReply(
  target: Target,
  recorder: Recorder | undefined,
  schema: SchemaName,
  reply: Reply,
): void {
  recorder?.keep(reply.evidence);
  if (!recorder || reply.status !== 200 || reply.json === undefined) return;
  const violations = target.contracts.validate(schema, reply.json);
  for (const v of violations) recorder.add(v.clause, v.open ? "open-recorded" : "fail", v.message);
  if (violations.length > 0) return;
  // A conforming answer is evidence for every clause of the contract that applied to it: walked from the
  // schema actually used (the fields present, the branch taken), never from a list kept here.
  for (const { clause, path } of appliedClauses(target.contracts, schema, reply.json)) {
    recorder.credit(clause, `${schema} answer conforms at ${path === "" ? "the root" : path}`);
  }
  const retcode = (reply.json as { retcode?: unknown }).retcode;
  if (schema === "voicecall/callout.response" && typeof retcode === "string" && retcode !== "0") {
    recorder.add(
      "callout/response/result/on-failure",
      "pass",
      `failed callout (${retcode}) without a call id`,
    );
    if (KNOWN_CLAUSES.has(`callout/errors/${retcode}`)) {
      recorder.add(`callout/errors/${retcode}`, "pass", `documented code ${retcode} observed`);
    }
  }
}

const KNOWN_CLAUSES = new Set(CLAUSES.map((c) => c.id));

/** Tracks agents signed in by this process, so they can be signed out after a failure or an interrupt. */
export interface SignInTracker {
  signedIn(id: string): void;
  signedOut(id: string): void;
}

/** A signed-in (or about to be) agent: keeps the latest Guid and every event it polled. */
export class AgentSession {
  readonly target: Target;
  readonly agent: Agent;
  guid: string | undefined;
  /** Guids seen in Set-GUID since sign-in (rotations). */
  rotations = 0;
  recorder: Recorder | undefined;
  readonly events: PolledEvent[] = [];
  /** The last poll was refused (session lost): waiting for events is pointless. */
  refused = false;
  private readonly tracker: SignInTracker | undefined;

  constructor(target: Target, agent: Agent, tracker?: SignInTracker) {
    this.target = target;
    this.agent = agent;
    this.tracker = tracker;
  }

  get id(): string {
    return this.agent.id;
  }

  /** Headers of an authenticated request. */
  headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      "content-type": "application/json; charset=UTF-8",
      ...(this.guid ? { guid: this.guid } : {}),
      ...extra,
    };
  }

  /** Calls an operation for this agent with the current Guid; validates the answer. */
  async call(
    op: OperationId,
    body?: unknown,
    options: { headers?: Record<string, string>; agentId?: string } = {},
  ): Promise<Reply> {
    const operation = OPERATIONS[op];
    const reply = await send(this.target, {
      operation: op,
      method: operation.method,
      path: pathFor(op, options.agentId ?? this.id),
      headers: options.headers ?? this.headers(),
      ...(body === undefined ? {} : { body }),
    });
    this.takeGuid(reply);
    validateReply(this.target, this.recorder, operation.response, reply);
    if (operation.setsGuid === "always" && retcodeOf(reply) === "0") this.checkSetGuid(reply);
    return reply;
  }

  /** A successful sign-in must carry the Guid in Set-GUID, in the header contract's form (value never shown). */
  private checkSetGuid(reply: Reply): void {
    if (!this.recorder) return;
    const header = reply.headers["set-guid"];
    const value = Array.isArray(header) ? header[0] : header;
    const schema: SchemaName = "onlineagent/set-guid.header";
    const violations = this.target.contracts.validate(schema, value);
    for (const v of violations) this.recorder.add(v.clause, v.open ? "open-recorded" : "fail", v.message);
    if (violations.length > 0) return;
    for (const { clause } of appliedClauses(this.target.contracts, schema, value)) {
      this.recorder.credit(clause, "sign-in answered a Guid in Set-GUID of the documented form");
    }
  }

  private takeGuid(reply: Reply): void {
    const header = reply.headers["set-guid"];
    const value = Array.isArray(header) ? header[0] : header;
    if (typeof value === "string" && value.length > 0) {
      const guid = value
        .replace(/^JSESSIONID=/, "")
        .split(";")[0]
        ?.trim();
      if (guid && guid !== this.guid) {
        if (this.guid !== undefined) this.rotations++;
        this.guid = guid;
      }
    }
  }

  /**
   * Signs in (forced sign-in when the agent is still signed in from an earlier run).
   * @param options optional sign-in fields sent besides password and phone number
   */
  async login(options: Record<string, unknown> = {}): Promise<Reply> {
    const body = { ...options, password: this.agent.password, phonenum: this.agent.phone };
    const headers = { "content-type": "application/json; charset=UTF-8" };
    let reply = await this.call("login", body, { headers });
    if (retcodeOf(reply) !== "0" && !this.guid) reply = await this.call("forceLogin", body, { headers });
    if (retcodeOf(reply) !== "0" || !this.guid) {
      throw new HarnessError(
        "CCGW_SIGN_IN_REFUSED",
        `agent ${this.id} could not sign in: ${retcodeOf(reply)}`,
      );
    }
    this.tracker?.signedIn(this.id);
    return reply;
  }

  /** Signs out; falls back to a forced sign-in and sign-out when the session is lost (e.g. a Guid that broke). */
  async logout(): Promise<Reply> {
    let reply = await this.call("logout");
    if (retcodeOf(reply) !== "0") {
      const body = { password: this.agent.password, phonenum: this.agent.phone };
      const forced = await this.call("forceLogin", body, {
        headers: { "content-type": "application/json; charset=UTF-8" },
      });
      if (retcodeOf(forced) === "0") reply = await this.call("logout");
    }
    this.tracker?.signedOut(this.id);
    return reply;
  }

  /** One poll; the event (or null) is appended to `events`. */
  async poll(): Promise<PolledEvent | null> {
    const reply = await this.call("getAgentEvent");
    this.refused = retcodeOf(reply) !== "0";
    if (this.refused) return null;
    const event = (reply.json as { event?: PolledEvent | null }).event ?? null;
    // A well-formed event is credited to its own clause by validateReply (the poll contract leads to it).
    if (event && typeof event.eventType === "string") this.events.push(event);
    return event;
  }

  /**
   * Polls until `done` says so, or the deadline passes; returns the events of this wait.
   * @param done called with the events of this wait after each poll
   */
  async pollUntil(
    done: (events: PolledEvent[]) => boolean,
    deadlineMs = this.target.deadlines.flowMs,
  ): Promise<{ events: PolledEvent[]; timedOut: boolean }> {
    const start = this.events.length;
    const deadline = Date.now() + deadlineMs;
    while (Date.now() < deadline) {
      const event = await this.poll();
      const events = this.events.slice(start);
      if (done(events)) return { events, timedOut: false };
      if (event === null && (this.refused || this.guid === undefined)) break;
    }
    return { events: this.events.slice(start), timedOut: true };
  }

  /** Polls until one poll comes back empty: everything queued so far has been read. */
  async drain(deadlineMs = this.target.deadlines.flowMs): Promise<PolledEvent[]> {
    const start = this.events.length;
    const deadline = Date.now() + deadlineMs;
    while (Date.now() < deadline) {
      if ((await this.poll()) === null) break;
      if (this.refused) break;
    }
    return this.events.slice(start);
  }

  /** Starts the session over (sign-out with forced fallback, sign-in) after it was lost; never throws. */
  async recover(): Promise<void> {
    const recorder = this.recorder;
    this.recorder = undefined;
    try {
      await this.logout();
      this.guid = undefined;
      await this.login();
      await this.drain();
    } catch {
      // The next case that leases the agent reports what is wrong.
    } finally {
      this.recorder = recorder;
    }
  }

  /** The agent's state code, or undefined when the answer has none. */
  async state(): Promise<number | undefined> {
    const reply = await this.call("getAgentStatus");
    const value = (reply.json as { result?: { agentState?: unknown } } | undefined)?.result?.agentState;
    return typeof value === "number" ? value : undefined;
  }

  /**
   * Brings the agent back to a state where it can call out: releases any call (held ones too), reads the
   * events, and waits until the state is no longer talking. Never records findings.
   */
  async settle(): Promise<boolean> {
    const recorder = this.recorder;
    this.recorder = undefined;
    try {
      const talking = agentStateCode("talking");
      const deadline = Date.now() + this.target.deadlines.flowMs;
      for (let i = 0; i < 3; i++) {
        const reply = await this.call("release");
        if (retcodeOf(reply) !== "0") break;
      }
      // NOTE: no drain to an empty poll here: on a real gateway each empty poll is a whole long-poll wait.
      // Cases that read events drain first themselves (see checks.ts).
      while (Date.now() < deadline) {
        const state = await this.state();
        if (state !== undefined && state !== talking) return true;
        // No state at all: the session is gone (a Guid that stopped working); the caller recovers it.
        if (state === undefined) return false;
        await this.call("release");
        // Waiting for the state to change is waiting for the next event: a poll answers as soon as one comes.
        await this.poll();
        if (this.refused) return false;
      }
      return false;
    } finally {
      this.recorder = recorder;
    }
  }
}

/** Hands out signed-in sessions, one case at a time per agent; signs everything out at the end. */
export class AgentPool {
  private readonly target: Target;
  private readonly free: AgentSession[] = [];
  private readonly all: AgentSession[] = [];
  private readonly waiting: ((s: AgentSession) => void)[] = [];
  private readonly candidates: Agent[];
  private readonly tracker: SignInTracker | undefined;
  private readonly size: number;
  private spareIndex: number;

  /**
   * @param size agents used for parallel cases; the next agents of the profile are "spares" for cases that
   * need an agent that is not signed in.
   */
  constructor(target: Target, size: number, tracker?: SignInTracker) {
    this.target = target;
    this.tracker = tracker;
    this.candidates = target.agents.slice(0, size);
    this.size = this.candidates.length;
    this.spareIndex = size;
  }

  /** A signed-in session for one case; give it back with `give`. */
  async lease(): Promise<AgentSession> {
    const free = this.free.pop();
    if (free) return free;
    const next = this.candidates[this.all.length];
    if (next && this.all.length < this.size) {
      const session = new AgentSession(this.target, next, this.tracker);
      this.all.push(session);
      try {
        await session.login();
        await session.pollUntil((events) => events.some((e) => e.eventType === "AgentState_Ready"));
      } catch (error) {
        this.all.splice(this.all.indexOf(session), 1);
        throw error;
      }
      return session;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Returns a session after the case has settled it. */
  give(session: AgentSession): void {
    session.recorder = undefined;
    const waiter = this.waiting.shift();
    if (waiter) waiter(session);
    else this.free.push(session);
  }

  /** An agent of the profile that the pool does not use (not signed in by the suite), or undefined. */
  spare(): Agent | undefined {
    const agent = this.target.agents[this.spareIndex];
    if (agent) this.spareIndex++;
    return agent;
  }

  /** A session object for a spare agent (not signed in yet). */
  spareSession(): AgentSession | undefined {
    const agent = this.spare();
    return agent ? new AgentSession(this.target, agent, this.tracker) : undefined;
  }

  /** Signs out every agent the pool signed in. */
  async close(): Promise<void> {
    await Promise.all(
      this.all.map(async (s) => {
        s.recorder = undefined;
        await s.settle().catch(() => false);
        await s.logout().catch(() => undefined);
      }),
    );
    this.all.length = 0;
    this.free.length = 0;
  }
}
