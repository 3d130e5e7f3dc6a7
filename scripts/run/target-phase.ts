/**
 * Phase "profile" of the main job: the gateway of --target, or the embedded mock started once for both phases
 * with the suite's settings (and torn down at the end), described by a profile file the phases are given.
 */
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DEFAULT_EDITION } from "../../contracts/index.ts";
import {
  loadTargetProfile,
  profileAuthMode,
  profileEdition,
  profileSecrets,
} from "../../lib/target-profile.ts";
import { startGateway } from "../../mock/index.ts";
import { suiteMockOptions, suiteProfile } from "../../scenarios/setup/suite-mock.ts";
import { log, type RunContext, type RunTarget } from "./context.ts";

/** A private temporary folder of the run (profile copies with passwords), removed at teardown. */
export async function privateDir(ctx: RunContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ccgw-run-"));
  ctx.onTeardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a profile only this user can read. */
export async function writePrivateProfile(path: string, profile: unknown): Promise<void> {
  await writeFile(path, JSON.stringify(profile), { mode: 0o600 });
  await chmod(path, 0o600);
}

export async function openTarget(ctx: RunContext): Promise<RunTarget> {
  const { flags } = ctx;
  let target: RunTarget;
  if (flags.target) {
    target = { profile: await loadTargetProfile(flags.target), profilePath: resolve(flags.target) };
  } else {
    if (flags.dryRun)
      log("dry run against the embedded mock: it is started only to describe it, nothing is dialled");
    // The suite's mock settings (short long-poll, fast events, numbers at the called-number length limits), so
    // both phases share one mock and the suite's boundary cases have numbers of the profile to dial.
    const gateway = await startGateway({
      ...suiteMockOptions(DEFAULT_EDITION, "dynamic", flags.seed ?? 1, []),
      quiet: true,
      timing: flags.mockTiming ?? "fast",
    });
    ctx.onTeardown(() => gateway.close());
    const profile = suiteProfile(gateway, flags.seed ?? 1);
    const profilePath = join(await privateDir(ctx), "profile.json");
    await writePrivateProfile(profilePath, profile);
    const mockFigures = async () => {
      const stats = (await gateway.admin("/stats")) as {
        callsStarted?: number;
        requests?: Record<string, Record<string, number>>;
      };
      const callout = stats.requests?.callout ?? {};
      const errors = Object.entries(callout)
        .filter(([answer]) => answer !== "0")
        .reduce((sum, [, n]) => sum + n, 0);
      return { calls: stats.callsStarted ?? 0, errors };
    };
    target = { profile, profilePath, mockFigures };
  }
  const { profile } = target;
  ctx.secrets = profileSecrets(profile);
  ctx.record.target = {
    ...(profile.name ? { name: profile.name } : {}),
    baseUrl: profile.baseUrl,
    edition: profileEdition(profile),
    authMode: profileAuthMode(profile),
    embeddedMock: !flags.target,
    ...(profile.tls?.insecure ? { insecure: true } : {}),
  };
  if (profile.tls?.insecure) {
    const warning = "WARNING: tls.insecure is set, so the gateway's certificate is NOT verified";
    log(warning);
    ctx.record.notes?.push(warning);
  }
  return target;
}
