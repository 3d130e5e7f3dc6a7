/** The k6-operator manifest and the execution segments of a split run. */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { LoadPlan } from "../lib/plan.ts";
import { testRunManifest } from "./k8s.ts";
import { segments } from "./run.ts";

const plan = {
  runId: "r1",
  profile: "load",
  baseUrl: "https://10.0.0.5:8043",
  edition: "2025-03",
  agents: [{ id: "5", password: "explicit-secret", phone: "1" }],
  agentRange: { from: 1001, count: 100, password: "range-secret", phoneFrom: 700001 },
  agentCount: 101,
  agentsPerVu: 50,
  reportDir: "/somewhere",
} as unknown as LoadPlan;

describe("k6-operator TestRun", () => {
  it("runs N runners on the bundle's ConfigMap and takes passwords from a Secret, never from the plan", () => {
    const text = testRunManifest(plan, {
      parallelism: 3,
      configMap: "bundle",
      secret: "agents",
      caConfigMap: "ca",
    });
    expect(text).not.toContain("explicit-secret");
    expect(text).not.toContain("range-secret");
    const doc = parse(text) as {
      kind: string;
      spec: {
        parallelism: number;
        script: { configMap: { name: string } };
        runner: { env: { name: string }[] };
      };
    };
    expect(doc.kind).toBe("TestRun");
    expect(doc.spec.parallelism).toBe(3);
    expect(doc.spec.script.configMap.name).toBe("bundle");
    const names = doc.spec.runner.env.map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(["CCGW_PLAN", "CCGW_AGENT_PASSWORD", "SSL_CERT_FILE"]));
  });
});

describe("execution segments", () => {
  it("cuts [0, 1] into N adjacent segments with their sequence", () => {
    expect(segments(1)).toEqual({ segments: ["0:1"], sequence: "0,1" });
    expect(segments(3)).toEqual({ segments: ["0:1/3", "1/3:2/3", "2/3:1"], sequence: "0,1/3,2/3,1" });
  });
});
