/**
 * A poll refused for the Guid an earlier poll handed over fails auth/dynamic/rotation, but not across a stall of
 * this process itself: by the gateway's clock the Guid may have aged past its validity meanwhile, and a red
 * verdict must mean a gateway defect.
 */
import { expect, it } from "vitest";
import { situation } from "../../contracts/index.ts";
import { type PollAnswer, watchStalls } from "../../lib/gateway/index.ts";
import type { TargetProfile } from "../../lib/target-profile.ts";
import { judgePoll, stalledAround } from "./poll-judge.ts";
import { Recorder } from "./recorder.ts";
import { TARGET_DEADLINES } from "./run-files.ts";
import { makeTarget } from "./target.ts";
import type { Reply } from "./transport.ts";

const target = makeTarget(
  {
    baseUrl: "https://gw.lab.invalid",
    edition: "2025-03",
    authMode: "dynamic",
    called: ["4000001"],
    agents: [{ id: "1001", password: "pw", phone: "700001" }],
  } as unknown as TargetProfile,
  TARGET_DEADLINES,
);

/** A poll refused for its Guid, sent at `sentAt`, the Guid handed over by a poll sent at `handedAt`. */
function refused(handedAt: number, sentAt: number): PollAnswer<Reply> {
  const code = situation("guid-wrong").codes[0] as string;
  const json = { message: "", retcode: code };
  const reply = {
    method: "GET",
    path: "/p",
    status: 200,
    headers: {},
    json,
    text: JSON.stringify(json),
    ms: 1,
    evidence: {
      operation: "getAgentEvent",
      request: { method: "GET", path: "/p" },
      response: { status: 200 },
    },
  } as unknown as Reply;
  return {
    kind: "lost",
    sentAt,
    answeredAt: Date.now(),
    reply,
    code,
    rotatedGuid: true,
    guidHandedAt: handedAt,
  };
}

const rotationFailures = (rec: Recorder) =>
  rec.findings.filter((f) => f.clause === "auth/dynamic/rotation" && f.verdict === "fail");

it("fails the rotation when the handed-over Guid is refused, and not across a stall of this process", async () => {
  watchStalls();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const calm = new Recorder();
  const start = Date.now();
  judgePoll(target, calm, "1001", refused(start, start));
  expect(rotationFailures(calm)).toHaveLength(1);

  const handedAt = Date.now();
  const blockedUntil = Date.now() + 1100;
  while (Date.now() < blockedUntil) {
    // This process stalls for over a second after the Guid was handed over.
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  const answer = refused(handedAt, Date.now());
  expect(stalledAround(answer)).toBe(true);
  const stalled = new Recorder();
  judgePoll(target, stalled, "1001", answer);
  expect(rotationFailures(stalled)).toEqual([]);
});
