/**
 * Every open choice of the pages (contracts/data/open-choices.json) that the mock takes: its first option by
 * default, its other option when switched to the alternate, so the suite can be tried against both.
 */
import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { type GatewayOptions, MockConfigError } from "./index.ts";
import { buildGateway } from "./server.ts";
import { TestAgent } from "./testing.ts";

const BASE: GatewayOptions = { timing: "fast", pollWaitMs: 0, authMode: "dynamic", guidRotationMs: 60_000 };
const apps: FastifyInstance[] = [];

async function gateway(alternate: boolean): Promise<FastifyInstance> {
  const app = await buildGateway({ ...BASE, alternateChoices: alternate });
  apps.push(app);
  return app;
}

async function signedIn(app: FastifyInstance, id: string): Promise<TestAgent> {
  const agent = new TestAgent(app, id);
  await agent.login();
  await agent.drain();
  return agent;
}

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

describe("open choices of the mock", () => {
  it("refuses an unknown choice id, naming it", async () => {
    await expect(buildGateway({ alternateChoices: ["no-such-choice"] })).rejects.toThrow(MockConfigError);
    await expect(buildGateway({ alternateChoices: ["no-such-choice"] })).rejects.toThrow(/no-such-choice/);
  });

  for (const alternate of [false, true]) {
    const which = alternate ? "alternate" : "default";
    it(`skillid "" and null (${which}): ${alternate ? "refused" : "the default skill queue"}`, async () => {
      const agent = await signedIn(await gateway(alternate), "1201");
      for (const skillid of ["", null]) {
        const reply = await agent.call("callout", { called: "4000002", skillid });
        expect(reply.body.retcode === "0", JSON.stringify(skillid)).toBe(!alternate);
        await agent.call("release");
      }
    });

    it(`type leniency and unknown fields (${which})`, async () => {
      const agent = await signedIn(await gateway(alternate), "1202");
      for (const body of [
        { called: "4000002", skillid: "1" },
        { called: "4000002", mediaability: "0" },
        { called: 4000002 },
        { called: "4000002", xUnknownField: "1" },
      ]) {
        const reply = await agent.call("callout", body);
        expect(reply.body.retcode, JSON.stringify(body)).toBe(alternate ? "0" : "000-002");
        await agent.call("release");
      }
      const fraction = await agent.call("callout", { called: "4000002", skillid: 1.5 });
      expect(fraction.body.retcode).toBe("000-002");
    });

    it(`codes and statuses of refusals (${which})`, async () => {
      const app = await gateway(alternate);
      const agent = await signedIn(app, "1203");
      const letter = await agent.call("callout", { called: "40a1" });
      expect(letter.body.retcode).toBe(alternate ? "200-001" : "000-002");
      expect(letter.status).toBe(alternate ? 400 : 200);
      const outside = new TestAgent(app, "60000");
      outside.guid = agent.guid;
      const refused = (await outside.call("callout", { called: "4000001" })).body.retcode;
      expect(alternate ? ["000-003", "100-006"] : ["000-002"]).toContain(refused);
    });

    it(`poll answers (${which})`, async () => {
      const agent = new TestAgent(await gateway(alternate), "1204");
      await agent.login();
      const first = await agent.call("getAgentEvent");
      const event = first.body.event as Record<string, unknown>;
      expect(event.eventType).toBe("AgentOther_InService");
      expect("content" in event).toBe(!alternate);
      expect(first.headers["set-guid"] !== undefined).toBe(alternate);
      await agent.drain();
      const empty = await agent.call("getAgentEvent");
      expect(empty.body.retcode).toBe("0");
      expect("event" in empty.body).toBe(!alternate);
    });
  }

  it("answers release without a call, also after a call that failed, with 200-017", async () => {
    const agent = await signedIn(await gateway(false), "1205");
    expect((await agent.call("release")).body.retcode).toBe("200-017");
    await agent.call("callout", { called: "4000002" });
    await agent.drain();
    expect((await agent.call("release")).body.retcode).toBe("200-017");
    expect((await agent.call("logout")).body.retcode).toBe("0");
  });
});
