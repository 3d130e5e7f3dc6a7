/**
 * A load run on Kubernetes with the Node engine: a ConfigMap with the target profile (passwords as ${ENV}
 * names), an Indexed Job whose pod i runs segment i of N (`JOB_COMPLETION_INDEX`), all starting at one time and
 * writing their results to a shared volume, and the Job that merges them once the segments are done. Every pod
 * runs the image's entry point (the Containerfile: `npm run load`'s script) with its own arguments; the
 * kubelet expands $(JOB_COMPLETION_INDEX) and $(SEGMENTS) in them. Built as plain objects; the tests validate
 * them against the Kubernetes schemas (kubernetes-models) and run the pods' arguments as a kubelet would.
 */
import { stringify } from "yaml";
import type { TargetProfile } from "../../lib/target-profile.ts";
import type { LoadPlan } from "../plan.ts";

export interface JobOptions {
  /** Pods, one segment each. */
  segments: number;
  /** Image built from the Containerfile: this project in /app, its entry point `npm run load`'s script. */
  image: string;
  /** When every pod starts signing in (ISO time), far enough ahead for the pods to be scheduled. */
  startAt: string;
  /** Secret with the key `password`, given to the pods as CCGW_AGENT_PASSWORD. */
  secret: string;
  /** PersistentVolumeClaim (ReadWriteMany) the segments write to and the merge reads from. */
  resultsClaim: string;
  /** Worker threads per pod (the same in every pod). @default 1 */
  workers?: number;
  /** Arguments that shape the plan as it was made here (--duration, --rate, --agents, --slo, ...). */
  planArgs?: string[];
  /** PEM of the gateway's CA, when the profile names a caFile; it goes into the ConfigMap beside the profile. */
  ca?: string;
  namespace?: string;
}

/** Port of each pod's live metrics (Prometheus exposition), scraped through the pod annotations. */
const METRICS_PORT = 9464;

function nameOf(plan: LoadPlan, suffix: string): string {
  return (
    `ccgw-${plan.profile}-${plan.runId}`
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, "-")
      .slice(0, 50) + suffix
  );
}

/** The profile the pods read: passwords replaced by the Secret's variable, the CA file where it is mounted. */
function podProfile(profile: TargetProfile): TargetProfile {
  const secretName = `\${CCGW_AGENT_PASSWORD}`;
  return {
    ...profile,
    ...(profile.agents ? { agents: profile.agents.map((a) => ({ ...a, password: secretName })) } : {}),
    ...(profile.agentRange ? { agentRange: { ...profile.agentRange, password: secretName } } : {}),
    ...(profile.tls?.caFile ? { tls: { ...profile.tls, caFile: "/etc/ccgw/ca.pem" } } : {}),
  } as TargetProfile;
}

/** A pod of the run: the project's image running its entry point with `args`, the profile and results mounted, scraped. */
function podTemplate(plan: LoadPlan, o: JobOptions, args: string[]) {
  return {
    metadata: {
      annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": String(METRICS_PORT) },
    },
    spec: {
      restartPolicy: "Never",
      containers: [
        {
          name: "load",
          image: o.image,
          workingDir: "/app",
          args,
          env: [
            { name: "CCGW_AGENT_PASSWORD", valueFrom: { secretKeyRef: { name: o.secret, key: "password" } } },
            { name: "SEGMENTS", value: String(o.segments) },
          ],
          volumeMounts: [
            { name: "profile", mountPath: "/etc/ccgw", readOnly: true },
            { name: "results", mountPath: "/results" },
          ],
          ports: [{ name: "metrics", containerPort: METRICS_PORT }],
        },
      ],
      volumes: [
        { name: "profile", configMap: { name: nameOf(plan, "-profile") } },
        { name: "results", persistentVolumeClaim: { claimName: o.resultsClaim } },
      ],
    },
  };
}

/** The three objects: profile ConfigMap, segments' Indexed Job, merge Job. */
export function loadJobObjects(plan: LoadPlan, profile: TargetProfile, o: JobOptions) {
  const metadata = (suffix: string) => ({
    name: nameOf(plan, suffix),
    ...(o.namespace ? { namespace: o.namespace } : {}),
  });
  const load = [
    ...["--yes", "--quiet", "--target", "/etc/ccgw/profile.json", "--profile", plan.profile],
    ...["--run-id", plan.runId, "--workers", String(o.workers ?? 1), "--start-at", o.startAt],
    ...(o.planArgs ?? []),
    ...["--segment", "$(JOB_COMPLETION_INDEX)/$(SEGMENTS)"],
    ...["--report-dir", "/results/segment-$(JOB_COMPLETION_INDEX)", "--metrics-port", String(METRICS_PORT)],
  ];
  const segmentDirs = Array.from({ length: o.segments }, (_, i) => `/results/segment-${i}`);
  const merge = ["--run-id", plan.runId, "--merge", ...segmentDirs, "--report-dir", "/results/merged"];
  return {
    configMap: {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: metadata("-profile"),
      data: {
        "profile.json": JSON.stringify(podProfile(profile), null, 2),
        ...(o.ca ? { "ca.pem": o.ca } : {}),
      },
    },
    segments: {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: metadata("-segments"),
      spec: {
        completionMode: "Indexed",
        completions: o.segments,
        parallelism: o.segments,
        // A failed segment is not retried: a rerun would load the gateway twice. Merge refuses a missing one.
        backoffLimit: 0,
        template: podTemplate(plan, o, load),
      },
    },
    merge: {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: metadata("-merge"),
      spec: { backoffLimit: 0, template: podTemplate(plan, o, merge) },
    },
  };
}

/** The manifest as YAML: the ConfigMap and the segments' Job, then the merge Job to apply once they completed. */
export function loadJobManifest(plan: LoadPlan, profile: TargetProfile, o: JobOptions): string {
  const objects = loadJobObjects(plan, profile, o);
  const header = [
    `# ccgw load run ${plan.runId} (${plan.profile}) against ${plan.baseUrl}: ${o.segments} segments, Node engine.`,
    "# Before applying:",
    `#   kubectl create secret generic ${o.secret} --from-literal=password=...`,
    `#   a ReadWriteMany PersistentVolumeClaim ${o.resultsClaim} for the results`,
    "# Apply the first two documents; when the segments' Job is complete, apply the merge Job (the last document):",
    `#   kubectl wait --for=condition=complete job/${objects.segments.metadata.name} --timeout=24h`,
  ];
  return `${header.join("\n")}\n${[objects.configMap, objects.segments, objects.merge].map((doc) => stringify(doc)).join("---\n")}`;
}
