/**
 * The Kubernetes manifest of a split load run runs, not only validates: `npm run load -- --k8s-manifest` writes
 * it for a target (the embedded mock here), and this test plays each pod as a kubelet would. The container runs
 * the image's entry point (read from the Containerfile) with the pod's args, in its working directory (/app:
 * this checkout), with the container's env (values, the Secret's key) and, for a pod of the Indexed Job, the
 * JOB_COMPLETION_INDEX the Job controller sets; $(VAR) in the args is expanded as the kubelet expands it. The
 * volumes are local folders: the ConfigMap's keys as files, the results claim one folder all pods share (their
 * mount paths in the args and in the mounted files point at those folders, as a mount would). The pods of the
 * Indexed Job run at once, then the merge Job's pod; its merge must count what one run of the same plan counts.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { readRunFile } from "../lib/report/run-files.ts";
import { runScript } from "../lib/script-process.ts";
import { exactCounts } from "../load/summary.ts";
import { mockProfile, type RunningGateway, startGateway } from "../mock/index.ts";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));

interface Container {
  args: string[];
  workingDir: string;
  env: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[];
  volumeMounts: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  volumes: { name: string; configMap?: { name: string }; persistentVolumeClaim?: { claimName: string } }[];
}
interface Manifest {
  configMap: { metadata: { name: string }; data: Record<string, string> };
  segments: { spec: { completions: number; completionMode: string; template: { spec: PodSpec } } };
  merge: { spec: { template: { spec: PodSpec } } };
}

/** The image's entry point, as the Containerfile states it (exec form). */
async function entrypoint(): Promise<string[]> {
  const text = await readFile(join(ROOT, "Containerfile"), "utf8");
  const line = text.split("\n").find((l) => l.startsWith("ENTRYPOINT "));
  if (!line) throw new Error("the Containerfile has no ENTRYPOINT");
  return JSON.parse(line.slice("ENTRYPOINT ".length)) as string[];
}

/** $(VAR) as the kubelet expands it: a variable of the env is replaced, $$ stands for $, anything else stays. */
function expandVars(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name: string | undefined) =>
    match === "$$" ? "$" : name !== undefined && name in env ? (env[name] as string) : match,
  );
}

/** Folders standing in for the pod's volumes, and a path of the container mapped into them. */
class Volumes {
  private readonly mounts: { mountPath: string; folder: string }[];
  constructor(mounts: { mountPath: string; folder: string }[]) {
    this.mounts = mounts;
  }
  path(text: string): string {
    for (const { mountPath, folder } of this.mounts)
      if (text === mountPath || text.startsWith(`${mountPath}/`))
        return folder + text.slice(mountPath.length);
    return text;
  }
  /** Every mount path inside a file's text (a path the pod's program reads), mapped. */
  inText(text: string): string {
    return this.mounts.reduce(
      (t, { mountPath, folder }) => t.split(`${mountPath}/`).join(`${folder}/`),
      text,
    );
  }
}

/** Runs one pod's container to its end; resolves with its exit code and output. */
async function runPod(
  pod: PodSpec,
  options: {
    index?: number;
    secrets: Record<string, Record<string, string>>;
    folders: Record<string, string>;
  },
  manifest: Manifest,
): Promise<{ code: number | null; output: string }> {
  const [container] = pod.containers;
  if (!container) throw new Error("a pod without a container");
  const env: Record<string, string> = {};
  for (const e of container.env) {
    const ref = e.valueFrom?.secretKeyRef;
    env[e.name] = e.value ?? (ref ? (options.secrets[ref.name]?.[ref.key] ?? "") : "");
  }
  if (options.index !== undefined) env.JOB_COMPLETION_INDEX = String(options.index);
  const volumes = new Volumes(
    container.volumeMounts.map((m) => ({
      mountPath: m.mountPath,
      folder: options.folders[m.name] as string,
    })),
  );
  // The ConfigMap's keys as files of its volume.
  for (const volume of pod.volumes) {
    if (volume.configMap?.name !== manifest.configMap.metadata.name) continue;
    const folder = options.folders[volume.name] as string;
    await mkdir(folder, { recursive: true });
    for (const [key, text] of Object.entries(manifest.configMap.data))
      await writeFile(join(folder, key), volumes.inText(text));
  }
  const [program, ...entryArgs] = await entrypoint();
  expect(program).toBe("node");
  const args = [...entryArgs, ...container.args.map((a) => volumes.path(expandVars(a, env)))];
  expect(container.workingDir).toBe("/app");
  return new Promise((done) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: tmpdir(), NODE_ENV: "production", ...env },
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => done({ code, output }));
  });
}

const dirs: string[] = [];
let gw: RunningGateway | undefined;
afterAll(async () => {
  await gw?.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe("the Kubernetes manifest of a split load run", () => {
  it("expands $(VAR) as the kubelet does", () => {
    expect(
      expandVars("--segment $(JOB_COMPLETION_INDEX)/$(SEGMENTS)", {
        JOB_COMPLETION_INDEX: "1",
        SEGMENTS: "2",
      }),
    ).toBe("--segment 1/2");
    expect(expandVars("$$(SEGMENTS) $(UNSET)", { SEGMENTS: "2" })).toBe("$(SEGMENTS) $(UNSET)");
  });

  it("runs: each pod of the Indexed Job as a kubelet would, then the merge Job, counting what one run counts", {
    timeout: 180_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccgw-k8s-pods-"));
    dirs.push(dir);
    gw = await startGateway({ seed: 3 });
    const profile = mockProfile(gw);
    const profilePath = join(dir, "target.json");
    await writeFile(profilePath, JSON.stringify(profile));
    const plan = ["--profile", "smoke", "--duration", "2", "--workers", "1", "--run-id", "k8s"];
    const manifestPath = join(dir, "job.yaml");
    const made = await runScript("scripts/load.ts", [
      ...["--target", profilePath, ...plan, "--yes", "--k8s-manifest", manifestPath],
      ...["--segments", "2", "--image", "ccgw:test", "--start-at", String(Date.now() + 10_000)],
    ]);
    expect(made.code, made.output).toBe(0);
    const [configMap, segments, merge] = parseAllDocuments(await readFile(manifestPath, "utf8")).map((d) =>
      d.toJS(),
    );
    const manifest = { configMap, segments, merge } as Manifest;
    expect(manifest.segments.spec.completionMode).toBe("Indexed");
    const secrets = { "ccgw-agents": { password: profile.agentRange?.password ?? "" } };
    const folders = { profile: join(dir, "etc-ccgw"), results: join(dir, "results") };
    const pods = await Promise.all(
      Array.from({ length: manifest.segments.spec.completions }, (_, index) =>
        runPod(manifest.segments.spec.template.spec, { index, secrets, folders }, manifest),
      ),
    );
    // A latency SLO may break on a loaded machine (exit 1); the counts are what is compared.
    for (const pod of pods) expect([0, 1], pod.output.slice(-800)).toContain(pod.code);
    const merged = await runPod(manifest.merge.spec.template.spec, { secrets, folders }, manifest);
    expect([0, 1], merged.output.slice(-800)).toContain(merged.code);
    const single = await runScript("scripts/load.ts", [
      ...["--target", profilePath, ...plan, "--yes", "--quiet", "--report-dir", join(dir, "single")],
    ]);
    expect([0, 1], single.output.slice(-800)).toContain(single.code);
    const countsOf = async (folder: string) =>
      exactCounts(await readRunFile("summary.json", join(folder, "summary.json")));
    const one = await countsOf(join(dir, "single"));
    expect(one.ccgw_call_attempts).toBeGreaterThan(0);
    expect(await countsOf(join(folders.results, "merged"))).toEqual(one);
  });
});
