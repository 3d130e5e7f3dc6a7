/** Time-driven behaviour with the manual clock: Guid rotation and validity, no-poll sign-out, long-poll wait. */
import { describe, expect, it, vi } from "vitest";
import { buildGateway } from "../server.ts";
import { TestAgent } from "../testing.ts";
import { ManualClock } from "./clock.ts";

describe("manual clock", () => {
  it("fires timers in due order", () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    clock.setTimer(() => fired.push("b"), 20);
    clock.setTimer(() => fired.push("a"), 10);
    const c = clock.setTimer(() => fired.push("c"), 15);
    clock.clearTimer(c);
    clock.advance(25);
    expect(fired).toEqual(["a", "b"]);
    expect(clock.now()).toBe(25);
  });
});

/** A gateway whose own clock makes a new Guid every 4 s, the previous one valid for 8 s. */
async function clockRotating() {
  const clock = new ManualClock();
  const app = await buildGateway({
    clock,
    timing: "fast",
    pollWaitMs: 0,
    guidRotation: "clock",
    guidRotationMs: 4_000,
    guidValidityMs: 8_000,
  });
  return { clock, app };
}

describe("Guid rotation under dynamic auth [auth/dynamic/rotation]", () => {
  it("rotates on the first poll after the interval and accepts the previous Guid until its validity ends", async () => {
    const clock = new ManualClock();
    const app = await buildGateway({
      clock,
      timing: "fast",
      pollWaitMs: 0,
      guidRotationMs: 60_000,
      guidValidityMs: 120_000,
    });
    const agent = new TestAgent(app, "1020");
    await agent.login();
    const first = String(agent.guid);
    clock.advance(59_000);
    expect((await agent.call("getAgentEvent")).headers["set-guid"]).toBeUndefined();
    clock.advance(2_000);
    const rotated = await agent.call("getAgentEvent");
    expect(String(rotated.headers["set-guid"])).toMatch(/^JSESSIONID=.+\.AgentGateway0$/);
    expect(agent.guid).not.toBe(first);
    expect((await agent.call("getAgentStatus", undefined, { guid: first })).body.retcode).toBe("0");
    clock.advance(59_500);
    expect((await agent.call("getAgentStatus", undefined, { guid: first })).body.retcode).toBe("000-003");
    expect((await agent.call("getAgentStatus")).body.retcode).toBe("0");
    await app.close();
  });

  it("on the gateway's clock (guidRotation clock): an agent that stops polling holds a stale Guid; a poll hands the current one over", async () => {
    const { clock, app } = await clockRotating();
    const agent = new TestAgent(app, "1022");
    await agent.login();
    const first = String(agent.guid);
    clock.advance(5_000);
    // Rotated by the clock, not by a poll: the first Guid is now the previous one, still valid.
    expect((await agent.call("getAgentStatus")).body.retcode).toBe("0");
    clock.advance(4_000);
    // Two rotations later, without a poll in between, the Guid the agent holds is refused.
    expect((await agent.call("getAgentStatus")).body.retcode).toBe("000-003");
    // A poll with the stale Guid is refused too: the session is out of reach of this client.
    expect((await agent.call("getAgentEvent")).body.retcode).toBe("000-003");
    expect(agent.guid).toBe(first);
    await app.close();
  });

  it("on the gateway's clock: an agent polling within the interval always holds a valid Guid, each new one handed over once", async () => {
    const { clock, app } = await clockRotating();
    const agent = new TestAgent(app, "1023");
    await agent.login();
    const seen = new Set([String(agent.guid)]);
    let handed = 0;
    for (let i = 0; i < 12; i++) {
      clock.advance(1_500);
      const poll = await agent.call("getAgentEvent");
      expect(poll.body.retcode).toBe("0");
      if (poll.headers["set-guid"] !== undefined) {
        handed++;
        expect(seen.has(String(agent.guid))).toBe(false);
        seen.add(String(agent.guid));
      }
      expect((await agent.call("getAgentStatus")).body.retcode).toBe("0");
    }
    // 18 s of clock at one Guid every 4 s: four new Guids, each handed over by the first poll after it.
    expect(handed).toBe(4);
    await app.close();
  });

  it("never rotates under static auth", async () => {
    const clock = new ManualClock();
    const app = await buildGateway({ clock, authMode: "static", pollWaitMs: 0 });
    const agent = new TestAgent(app, "1021");
    await agent.login();
    const guid = agent.guid;
    for (let i = 0; i < 5; i++) {
      clock.advance(61_000);
      expect((await agent.call("getAgentEvent")).headers["set-guid"]).toBeUndefined();
    }
    expect(agent.guid).toBe(guid);
    await app.close();
  });
});

describe("no-poll sign-out [getAgentEvent/heartbeat]", () => {
  it("signs out an agent that has not polled for the heartbeat timeout, and not before", async () => {
    const clock = new ManualClock();
    const app = await buildGateway({ clock, authMode: "static", pollWaitMs: 0, heartbeatTimeoutMs: 120_000 });
    const agent = new TestAgent(app, "1022");
    await agent.login();
    clock.advance(100_000);
    await agent.call("getAgentEvent");
    clock.advance(119_000);
    expect((await agent.call("getAgentStatus")).body.retcode).toBe("0");
    clock.advance(1_000);
    expect((await agent.call("getAgentStatus")).body.retcode).toBe("100-006");
    const stats = (await app.inject({ method: "GET", url: "/__mock/stats" })).json();
    expect(stats).toMatchObject({ agentsSignedIn: 0, signOutsByTimeout: 1 });
    await app.close();
  });
});

describe("long poll [getAgentEvent/long-poll]", () => {
  it("holds a poll for pollWaitMs and answers event null, or at once when an event arrives", async () => {
    const clock = new ManualClock();
    const app = await buildGateway({ clock, timing: "fast", pollWaitMs: 10_000 });
    const agent = new TestAgent(app, "1023");
    await agent.login();
    await agent.call("getAgentEvent");
    await agent.call("getAgentEvent");
    const waiting = agent.call("getAgentEvent");
    await vi.waitFor(() => expect(clock.pending).toBeGreaterThan(0));
    clock.advance(9_999);
    let settled = false;
    void waiting.then(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    clock.advance(1);
    expect((await waiting).body).toEqual({ message: "", retcode: "0", event: null });

    const second = agent.call("getAgentEvent");
    await vi.waitFor(() => expect(clock.pending).toBeGreaterThan(0));
    await agent.call("callout", { called: "4000001" });
    expect(((await second).body.event as { eventType: string }).eventType).toBe("AgentOther_PhoneAlerting");
    await app.close();
  });
});
