/**
 * globalSetup of the "scenarios" project: selects the target (CCGW_TARGET, or the embedded mock started here
 * with CCGW_EDITION, CCGW_AUTH_MODE, CCGW_DEFECTS and CCGW_ALTERNATE_CHOICES), prints the seed, hands the run
 * configuration to the workers, and at the end signs out every agent the suite left signed in and writes the
 * conformance report.
 * With setup/mock-target.ts, the only files of scenarios/ that may import the mock.
 */
import { randomInt } from "node:crypto";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { clausesOf, DEFAULT_EDITION, type Edition, isEdition } from "../../contracts/index.ts";
import { baselineUse, dayOf, loadBaseline } from "../../lib/baseline.ts";
import { HarnessError } from "../../lib/errors.ts";
import { buildReport } from "../../lib/report/conformance.ts";
import { baselineLine, writeConformance } from "../../lib/report/conformance-writers.ts";
import {
  type AuthMode,
  loadTargetProfile,
  profileAuthMode,
  profileEdition,
  type TargetProfile,
} from "../../lib/target-profile.ts";
import { type RunningGateway, startGateway } from "../../mock/index.ts";
import { buildChecks, checkAgents } from "../suite.ts";
import { clauseNeed } from "../support/clause-needs.ts";
import {
  MOCK_DEADLINES,
  readResults,
  type SuiteConfig,
  stillSignedIn,
  TARGET_DEADLINES,
} from "../support/run-files.ts";
import { SuiteAgent } from "../support/suite-agent.ts";
import { makeTarget } from "../support/target.ts";
import { suiteMockOptions, suiteProfile } from "./suite-mock.ts";

declare module "vitest" {
  export interface ProvidedContext {
    ccgwSuite: SuiteConfig;
  }
}

function envEdition(value: string | undefined): Edition | undefined {
  if (value === undefined || value === "") return undefined;
  if (!isEdition(value)) throw new HarnessError("CCGW_USAGE", `CCGW_EDITION: unknown edition "${value}"`);
  return value;
}

function envAuthMode(value: string | undefined): AuthMode | undefined {
  if (value === undefined || value === "") return undefined;
  if (value !== "static" && value !== "dynamic") {
    throw new HarnessError("CCGW_USAGE", `CCGW_AUTH_MODE: must be static or dynamic, got "${value}"`);
  }
  return value;
}

/** The run's gateway: the profile of CCGW_TARGET (edition and mode overridable), or the embedded mock started here. */
async function openTarget(
  env: NodeJS.ProcessEnv,
  seed: number,
  defects: string[],
): Promise<{ profile: TargetProfile; gateway?: RunningGateway }> {
  const edition = envEdition(env.CCGW_EDITION);
  const authMode = envAuthMode(env.CCGW_AUTH_MODE);
  if (env.CCGW_TARGET) {
    let profile = await loadTargetProfile(env.CCGW_TARGET);
    if (edition) profile = { ...profile, edition };
    if (authMode) profile = { ...profile, authMode };
    return { profile };
  }
  const alternate = env.CCGW_ALTERNATE_CHOICES === "1";
  const gateway = await startGateway(
    suiteMockOptions(edition ?? DEFAULT_EDITION, authMode ?? "dynamic", seed, defects, alternate),
  );
  return { profile: suiteProfile(gateway, seed), gateway };
}

/** Agents a worker left signed in (a crash, a timeout, Ctrl-C), signed out with lib/gateway's sweep. */
async function signOutLeftovers(config: SuiteConfig): Promise<void> {
  const left = stillSignedIn(config.runDir);
  if (left.length === 0) return;
  const target = makeTarget(config.profile, config.deadlines);
  await Promise.all(
    left.map(async (id) => {
      const agent = target.agents.get(id);
      if (!agent) return;
      const session = new SuiteAgent(target, agent);
      session.markUnknown();
      await session.logout().catch(() => undefined);
    }),
  );
  await target.closeGateway();
  console.log(`ccgw contract suite: signed out ${left.length} agent(s) left signed in`);
}

/** Writes conformance.json and conformance.html from the results the workers appended. */
async function writeSuiteReport(config: SuiteConfig, runId: string, startedAt: Date): Promise<void> {
  const results = readResults(config.runDir);
  if (results.length === 0) return;
  const { profile, seed, defects } = config;
  const finishedAt = new Date();
  const target = makeTarget(profile, config.deadlines);
  const report = buildReport(
    {
      runId,
      edition: profileEdition(profile),
      authMode: profileAuthMode(profile),
      target: { ...(profile.name ? { name: profile.name } : {}), baseUrl: profile.baseUrl },
      seed,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      ...(defects.length > 0 ? { defects } : {}),
    },
    results,
    clausesOf(profileEdition(profile)),
    (clause) => clauseNeed(target, clause)?.need,
  );
  const { baseline } = config;
  if (baseline) {
    report.baseline = baselineUse(results, baseline, baseline.day, baseline.file);
    console.log(`ccgw contract suite: baseline: ${baselineLine(report.baseline)}`);
  }
  const paths = await writeConformance(config.runDir, report, target.secrets);
  console.log(`ccgw contract suite: ${report.totals.fail} clause(s) failed; report ${paths.html}`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const env = process.env;
  const seed = env.CCGW_SEED ? Number(env.CCGW_SEED) : randomInt(1, 2 ** 31 - 1);
  if (!Number.isSafeInteger(seed))
    throw new HarnessError("CCGW_USAGE", `CCGW_SEED: not an integer: ${env.CCGW_SEED}`);
  const runId = env.CCGW_RUN_ID ?? new Date().toISOString().replace(/[:.]/g, "-");
  const defects = (env.CCGW_DEFECTS ?? "").split(",").filter((d) => d.length > 0);
  const startedAt = new Date();
  // The baseline first: a bad file is refused before a gateway is started or touched.
  const baseline = env.CCGW_BASELINE
    ? { file: env.CCGW_BASELINE, day: dayOf(startedAt), ...(await loadBaseline(env.CCGW_BASELINE)) }
    : undefined;
  const { profile, gateway } = await openTarget(env, seed, defects);
  const config: SuiteConfig = {
    profile,
    seed,
    runDir: env.CCGW_REPORT_DIR ?? join("reports", runId),
    deadlines: gateway ? MOCK_DEADLINES : TARGET_DEADLINES,
    poolSize: 10,
    defects,
    ...(baseline ? { baseline: { file: baseline.file, entries: baseline.entries, day: baseline.day } } : {}),
  };
  // A profile with fewer agents than a case needs could never finish: refused here, in one line.
  try {
    const target = makeTarget(profile, config.deadlines);
    checkAgents(target, buildChecks(target, seed));
  } catch (error) {
    await gateway?.close();
    throw error;
  }
  console.log(
    `ccgw contract suite: target ${profile.name ?? profile.baseUrl} (${profile.baseUrl}), edition ${profileEdition(profile)}, ${profileAuthMode(profile)} authentication, seed ${seed} (CCGW_SEED=${seed} replays it), report in ${config.runDir}`,
  );
  if (profile.tls?.insecure)
    console.warn("WARNING: tls.insecure is set: the gateway's certificate is NOT verified");
  project.provide("ccgwSuite", config);

  let cleaned: Promise<void> | undefined;
  const cleanup = (): Promise<void> => {
    cleaned ??= signOutLeftovers(config);
    return cleaned;
  };
  const onSignal = (): void => {
    void cleanup().finally(() => gateway?.close());
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  return async () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await cleanup();
    await writeSuiteReport(config, runId, startedAt);
    await gateway?.close();
  };
}
