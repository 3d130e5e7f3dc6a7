/**
 * A k6-operator TestRun manifest for the call-cycle scenario: N runner pods, each given its execution segment by
 * the operator, the plan in CCGW_PLAN with passwords taken out (they come from a Secret), and the target's CA
 * mounted for SSL_CERT_FILE.
 */
import { stringify } from "yaml";
import type { LoadPlan } from "../lib/plan.ts";

export interface ManifestOptions {
  parallelism: number;
  /** ConfigMap holding the bundle (kubectl create configmap … --from-file=call-cycle.k6.js=…). */
  configMap: string;
  /** Secret with key `password` (agent range) and optionally `passwords.json` (explicit agents). */
  secret: string;
  /** ConfigMap with key `ca.pem`, when the target uses a private CA. */
  caConfigMap?: string;
  namespace?: string;
}

/** The TestRun (and the commands that create its ConfigMap and Secret, as a leading YAML comment). */
export function testRunManifest(plan: LoadPlan, o: ManifestOptions): string {
  const safePlan: LoadPlan = {
    ...plan,
    agents: plan.agents.map((a) => ({ ...a, password: "" })),
    ...(plan.agentRange ? { agentRange: { ...plan.agentRange, password: "" } } : {}),
    reportDir: "/tmp/ccgw-report",
  };
  const env: Record<string, unknown>[] = [
    { name: "CCGW_PLAN", value: JSON.stringify(safePlan) },
    { name: "CCGW_AGENT_PASSWORD", valueFrom: { secretKeyRef: { name: o.secret, key: "password" } } },
    {
      name: "CCGW_AGENT_PASSWORDS",
      valueFrom: { secretKeyRef: { name: o.secret, key: "passwords.json", optional: true } },
    },
    { name: "K6_NO_USAGE_REPORT", value: "true" },
  ];
  const runner: Record<string, unknown> = { env };
  if (o.caConfigMap) {
    env.push({ name: "SSL_CERT_FILE", value: "/etc/ccgw/ca.pem" });
    runner.volumes = [{ name: "ccgw-ca", configMap: { name: o.caConfigMap } }];
    runner.volumeMounts = [{ name: "ccgw-ca", mountPath: "/etc/ccgw", readOnly: true }];
  }
  const manifest = {
    apiVersion: "k6.io/v1alpha1",
    kind: "TestRun",
    metadata: {
      name: `ccgw-${plan.profile}-${plan.runId}`
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, "-")
        .slice(0, 63),
      ...(o.namespace ? { namespace: o.namespace } : {}),
    },
    spec: {
      // The operator gives runner i the segment i/N:(i+1)/N; each takes a disjoint share of the agent groups.
      parallelism: o.parallelism,
      script: { configMap: { name: o.configMap, file: "call-cycle.k6.js" } },
      arguments: "--quiet",
      runner,
    },
  };
  const header = [
    `# k6-operator TestRun for the ccgw ${plan.profile} profile against ${plan.baseUrl}`,
    `# ${plan.agentCount} agents in ${Math.ceil(plan.agentCount / plan.agentsPerVu)} groups over ${o.parallelism} runners.`,
    "# Before applying:",
    `#   kubectl create configmap ${o.configMap} --from-file=call-cycle.k6.js=.build/k6/${plan.edition}/call-cycle.k6.js`,
    `#   kubectl create secret generic ${o.secret} --from-literal=password=... [--from-file=passwords.json=...]`,
    ...(o.caConfigMap
      ? [`#   kubectl create configmap ${o.caConfigMap} --from-file=ca.pem=<the gateway CA>`]
      : []),
    "# The runner image must be a k6 >= v1.0 (TypeScript bundle, web dashboard); the bundle has no extensions.",
  ];
  return `${header.join("\n")}\n${stringify(manifest)}`;
}
