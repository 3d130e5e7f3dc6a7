/**
 * The Kubernetes manifest of a segmented run: an Indexed Job (completionMode Indexed, completions = parallelism
 * = N, the segment from JOB_COMPLETION_INDEX), its profile ConfigMap and the merge Job, each valid against the
 * Kubernetes schemas (kubernetes-models), with no password in them.
 */

import { Job } from "kubernetes-models/batch/v1";
import { ConfigMap } from "kubernetes-models/v1";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { TargetProfile } from "../../lib/target-profile.ts";
import type { LoadPlan } from "../plan.ts";
import { loadJobManifest, loadJobObjects } from "./k8s-job.ts";

const profile = {
  baseUrl: "https://10.0.0.5:8043",
  tls: { caFile: "lab-ca.pem" },
  called: ["4000001"],
  agents: [{ id: "5", password: "explicit-secret", phone: "1" }],
  agentRange: { from: 1001, count: 100, password: "range-secret", phoneFrom: 700001 },
} as TargetProfile;
const plan = { runId: "r1", profile: "load", baseUrl: profile.baseUrl } as LoadPlan;
const options = {
  segments: 4,
  image: "registry.example/ccgw-harness:1",
  startAt: "2026-12-01T18:00:00Z",
  secret: "ccgw-agents",
  resultsClaim: "ccgw-results",
  planArgs: ["--duration", "60", "--slo", "setupP95Ms=5000"],
  ca: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n",
};

describe("Kubernetes Indexed Job of a segmented run", () => {
  it("is valid Kubernetes: the profile's ConfigMap, the segments' Indexed Job and the merge Job", () => {
    const objects = loadJobObjects(plan, profile, options);
    expect(() => new ConfigMap(objects.configMap as never).validate()).not.toThrow();
    expect(() => new Job(objects.segments as never).validate()).not.toThrow();
    expect(() => new Job(objects.merge as never).validate()).not.toThrow();
    const spec = objects.segments.spec;
    expect(spec).toMatchObject({
      completionMode: "Indexed",
      completions: 4,
      parallelism: 4,
      backoffLimit: 0,
    });
    const args = spec.template.spec.containers[0]?.args.join(" ") ?? "";
    expect(args).toContain("--segment $(JOB_COMPLETION_INDEX)/$(SEGMENTS)");
    expect(args).toContain("--start-at 2026-12-01T18:00:00Z");
    expect(args).toContain("--duration 60 --slo setupP95Ms=5000");
    const merge = objects.merge.spec.template.spec.containers[0]?.args.join(" ") ?? "";
    for (let i = 0; i < 4; i++) expect(merge).toContain(`/results/segment-${i}`);
  });

  it("keeps passwords in the Secret, and the CA beside the profile", () => {
    const text = loadJobManifest(plan, profile, options);
    expect(text).not.toContain("explicit-secret");
    expect(text).not.toContain("range-secret");
    const docs = parseAllDocuments(text).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(["ConfigMap", "Job", "Job"]);
    const podProfile = JSON.parse(docs[0].data["profile.json"]) as TargetProfile;
    expect(podProfile.agentRange?.password).toBe(`\${CCGW_AGENT_PASSWORD}`);
    expect(podProfile.tls?.caFile).toBe("/etc/ccgw/ca.pem");
    expect(docs[0].data["ca.pem"]).toContain("BEGIN CERTIFICATE");
  });

  it("is refused by the schema check when it is not a valid Job", () => {
    const objects = loadJobObjects(plan, profile, options);
    const broken = { ...objects.segments, spec: { ...objects.segments.spec, completionMode: "Sometimes" } };
    expect(() => new Job(broken as never).validate()).toThrow(/completionMode/);
  });
});
