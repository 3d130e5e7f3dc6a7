/**
 * What one case observes: findings under clauses (pass, fail, open), the open choices the gateway took, and
 * the exchanges as evidence. validateReply holds an answer to its contract and records the result.
 */
import { appliedClauses, CLAUSES, openChoice, type SchemaName } from "../../contracts/index.ts";
import type { Exchange, Finding, ProfileNeed } from "../../lib/report/conformance.ts";
import type { Target } from "./target.ts";
import { envelopeOf, type Reply, unreadable } from "./transport.ts";

export class Recorder {
  readonly findings: Finding[] = [];
  readonly evidence: Exchange[] = [];
  observed: string | undefined;
  private readonly maxEvidence: number;
  constructor(maxEvidence = 40) {
    this.maxEvidence = maxEvidence;
  }
  /** A finding; a failure points at the last exchange kept, so the report can replay it. */
  add(clause: string, verdict: Finding["verdict"], message: string): void {
    const last = this.evidence.length - 1;
    this.findings.push({
      clause,
      verdict,
      message,
      ...(verdict === "fail" && last >= 0 ? { exchange: last } : {}),
    });
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
  /**
   * The option a gateway took of an open choice (contracts/data/open-choices.json): an open verdict under the
   * choice's clause, never a failure. Recorded once per case and option.
   */
  choice(id: string, option: string, message: string, clause?: string): void {
    const known = openChoice(id);
    if (this.findings.some((f) => f.choice?.id === id && f.choice.option === option)) return;
    this.findings.push({
      clause: clause ?? known["x-spec"],
      verdict: "open-recorded",
      message: `${known.title}: ${option} (${message})`,
      choice: { id, option },
    });
  }
  /** True the first time a kind of answer is seen in this case (its clauses are credited then). */
  firstOfKind(kind: string): boolean {
    if (this.kinds.has(kind)) return false;
    this.kinds.add(kind);
    return true;
  }
  private readonly kinds = new Set<string>();
  keep(exchange: Exchange): void {
    if (this.evidence.length < this.maxEvidence) this.evidence.push(exchange);
  }
}

const KNOWN_CLAUSES = new Set(CLAUSES.map((c) => c.id));

/**
 * Checks an answer against its response contract and records the result. An answer that is not the vendor's
 * envelope fails the envelope clause (unless the caller expects none); a failure envelope sent with another
 * HTTP status than 200 is judged by its retcode, and the status is recorded as an open choice. The exchange is
 * kept as evidence unless told otherwise (a poll that came back empty says little).
 */
export function validateReply(
  target: Target,
  recorder: Recorder | undefined,
  schema: SchemaName,
  reply: Reply,
  expectEnvelope = true,
  keepEvidence = true,
): void {
  if (keepEvidence) recorder?.keep(reply.evidence);
  if (!recorder || reply.error) return;
  const envelope = envelopeOf(reply);
  if (!envelope) {
    if (!expectEnvelope) return;
    const violations = reply.json === undefined ? [] : target.contracts.validate(schema, reply.json);
    for (const v of violations) recorder.add(v.clause, v.open ? "open-recorded" : "fail", v.message);
    if (violations.length === 0) {
      recorder.add(
        "common/response/envelope",
        "fail",
        `${schema} answer is HTTP ${reply.status}, ${unreadable(reply)}`,
      );
    }
    return;
  }
  if (envelope.retcode !== "0") {
    const status = reply.status === 200 ? "200" : (openChoice("error-http-status").options[1] ?? "");
    recorder.choice(
      "error-http-status",
      status,
      `retcode ${envelope.retcode} came with HTTP ${reply.status}`,
    );
  }
  const violations = target.contracts.validate(schema, reply.json);
  for (const v of violations) recorder.add(v.clause, v.open ? "open-recorded" : "fail", v.message);
  if (violations.length > 0) return;
  // A conforming answer is evidence for every clause of the contract that applied to it: walked from the
  // schema actually used (the fields present, the branch taken), never from a list kept here. Credit counts
  // once per case, so an answer of a kind the case has already credited (a second empty poll) is not walked.
  const event = (envelope.body.event as { eventType?: unknown } | null | undefined)?.eventType;
  if (recorder.firstOfKind(`${schema}|${envelope.retcode}|${String(event)}`)) {
    for (const { clause, path } of appliedClauses(target.contracts, schema, reply.json)) {
      recorder.credit(clause, `${schema} answer conforms at ${path === "" ? "the root" : path}`);
    }
  }
  if (schema === "voicecall/callout.response" && envelope.retcode !== "0") {
    recorder.add(
      "callout/response/result/on-failure",
      "pass",
      `failed callout (${envelope.retcode}) without a call id`,
    );
    if (KNOWN_CLAUSES.has(`callout/errors/${envelope.retcode}`)) {
      recorder.add(
        `callout/errors/${envelope.retcode}`,
        "pass",
        `documented code ${envelope.retcode} observed`,
      );
    }
  }
}

/**
 * Thrown by a case, or for it, when it cannot run against this target (no answered number, too few agents, ...);
 * `need` says what in the target profile would make it testable, when a profile field would.
 */
export class NotTested extends Error {
  readonly need: ProfileNeed | undefined;
  constructor(message: string, need?: ProfileNeed) {
    super(message);
    this.need = need;
  }
}
