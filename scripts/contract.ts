/**
 * `npm run contract`: runs the functional contract suite (vitest project "scenarios") against a target profile,
 * or against the embedded mock when none is given, and writes junit.xml, conformance.json and
 * conformance.html into the report folder. Exit code: 0 every clause passed, 1 a case failed, 2 usage or
 * configuration error.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { DEFAULT_EDITION, EDITIONS, type Edition } from "../contracts/index.ts";
import { baselineFromRun, dayOf, loadBaseline, writeBaseline } from "../lib/baseline.ts";
import { EXIT, HarnessError } from "../lib/errors.ts";
import { readRunFile } from "../lib/report/run-files.ts";
import { loadTargetProfile, type TargetProfile } from "../lib/target-profile.ts";
import { DEFECTS, startGateway } from "../mock/index.ts";
import { suiteMockOptions, suiteProfile } from "../scenarios/setup/suite-mock.ts";
import { formatSuitePlan, planProfile } from "../scenarios/suite-plan.ts";
import { settleColour } from "./cli-colour.ts";
import { exitWith } from "./cli-exit.ts";
import { SkipReport } from "./skip-report.ts";

interface Flags {
  target?: string;
  reportDir?: string;
  edition?: string;
  authMode?: string;
  seed?: number;
  defect: string[];
  alternateChoices?: boolean;
  selfTest?: boolean;
  verbose?: boolean;
  baseline?: string;
  baselineUpdate?: boolean;
  baselineExpires?: string;
  baselineReason: string;
  only: string[];
  dryRun?: boolean;
}

/** The folders of the conformance cases, one per vendor resource. */
const CASE_FOLDERS = ["scenarios/voicecall/", "scenarios/onlineagent/", "scenarios/agentevent/"];

/** The case files (families) of the suite, e.g. scenarios/voicecall/callout.state.test.ts. */
function caseFiles(): string[] {
  return CASE_FOLDERS.flatMap((folder) =>
    readdirSync(folder)
      .filter((f) => f.endsWith(".test.ts"))
      .map((f) => `${folder}${f}`),
  );
}

/** The families (defineFamily's names) of the case files --only picks. */
function familiesOf(files: readonly string[], only: readonly string[]): string[] {
  return files
    .filter((f) => only.some((text) => f.includes(text)))
    .flatMap((f) =>
      [...readFileSync(f, "utf8").matchAll(/defineFamily\("([^"]+)"\)/g)].map((m) => m[1] as string),
    );
}

/** Days a new baseline entry holds unless --baseline-expires says otherwise. */
const BASELINE_DAYS = 30;

function dateValue(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
    throw new InvalidArgumentError("--baseline-expires must be a date, YYYY-MM-DD");
  return value;
}

function seedValue(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new InvalidArgumentError("--seed must be a non-negative integer");
  return n;
}

const program = new Command("contract")
  .description(
    "Run the functional contract suite of the callout interface against a gateway and write the conformance report.\n" +
      "Without --target, the embedded mock is started on loopback (its edition and auth mode from the flags).",
  )
  .option("--target <profile.json>", "target profile of the gateway (default: the embedded mock)")
  .option(
    "--report-dir <dir>",
    "where junit.xml, conformance.json and conformance.html go (default: reports/<run-id>)",
  )
  .addOption(
    new Option("--edition <edition>", "edition of the interface page (overrides the profile)").choices([
      ...EDITIONS,
    ]),
  )
  .addOption(
    new Option("--auth-mode <mode>", "authentication mode (overrides the profile)").choices([
      "static",
      "dynamic",
    ]),
  )
  .option("--seed <n>", "seed of the test data (default: CCGW_SEED, else random and printed)", seedValue)
  .option(
    "--defect <name>",
    "embedded mock only: switch on a defect of the mock's catalog (repeatable), to see the suite fail",
    (value: string, previous: string[]) => {
      if (!DEFECTS.some((d) => d.name === value)) {
        throw new InvalidArgumentError(`unknown defect; known: ${DEFECTS.map((d) => d.name).join(", ")}`);
      }
      return [...previous, value];
    },
    [] as string[],
  )
  .option(
    "--alternate-choices",
    "embedded mock only: the mock takes the other option of every choice the pages leave open (contracts/data/open-choices.json)",
  )
  .option(
    "--self-test",
    "also run the suite's own tests (conforming mocks, the defect sweep, the watchdog, the checker's tests); embedded mock only",
  )
  .option(
    "--dry-run",
    "send nothing: print which clauses this profile lets the suite test, which it cannot and why, and what to add to the profile",
  )
  .option("--verbose", "list every case as it ends (default: a dot per case, then the failures)")
  .option(
    "--only <text>",
    "run only the families whose file path contains this text, e.g. callout.state (repeatable)",
    (value: string, previous: string[]) => [...previous, value],
    [] as string[],
  )
  .option(
    "--baseline <file.json>",
    "known failures (contracts/schemas/harness/baseline.schema.json): listed ones are reported, not failed, until they expire",
  )
  .option(
    "--baseline-update",
    "after the run, write --baseline from its failures (kept entries keep reason and date)",
  )
  .option(
    "--baseline-expires <date>",
    `last day of the entries --baseline-update adds (default: ${BASELINE_DAYS} days from today)`,
    dateValue,
  )
  .option(
    "--baseline-reason <text>",
    "reason of the entries --baseline-update adds",
    "accepted by --baseline-update; say why",
  )
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

async function main(): Promise<number> {
  program.parse();
  const flags = program.opts<Flags>();
  if (flags.target && (flags.defect.length > 0 || flags.selfTest || flags.alternateChoices)) {
    console.error(
      "contract: --defect, --alternate-choices and --self-test need the embedded mock; drop --target",
    );
    return EXIT.USAGE;
  }
  const files = caseFiles();
  const unmatched = flags.only.filter((text) => !files.some((f) => f.includes(text)));
  if (unmatched.length > 0 || (flags.only.length > 0 && flags.selfTest)) {
    const families = files.map((f) => f.replace(/^scenarios\//, "").replace(/\.test\.ts$/, "")).join(", ");
    const why = flags.selfTest
      ? "--only does not go with --self-test"
      : `no family matches ${unmatched.join(", ")}`;
    console.error(`contract: CCGW_USAGE: ${why} (families: ${families})`);
    return EXIT.USAGE;
  }
  if (flags.baselineUpdate && !flags.baseline) {
    console.error("contract: CCGW_USAGE: --baseline-update needs --baseline FILE (the file it writes)");
    return EXIT.USAGE;
  }
  const baselineFile = flags.baseline ? resolve(flags.baseline) : undefined;
  // Refused before anything is sent; a file --baseline-update is about to create need not exist yet.
  const previous = baselineFile
    ? await loadBaseline(baselineFile, { missingIsEmpty: flags.baselineUpdate === true })
    : undefined;
  if (flags.target || flags.dryRun) {
    try {
      // A profile the suite cannot finish with (too few agents) is refused here, in one line.
      const families = flags.only.length > 0 ? familiesOf(files, flags.only) : undefined;
      const plan = await withProfile(flags, (profile) => planProfile(profile, flags.seed ?? 1, families));
      if (flags.dryRun) {
        console.log(`dry run: nothing is sent\n${formatSuitePlan(plan)}`);
        return EXIT.PASS;
      }
    } catch (error) {
      if (error instanceof HarnessError) {
        console.error(`contract: ${error.toLine()}`);
        return EXIT.USAGE;
      }
      throw error;
    }
  }
  const runId = new Date().toISOString().replace(/[:.]/g, "-");
  const reportDir = resolve(flags.reportDir ?? join("reports", runId));
  mkdirSync(reportDir, { recursive: true });
  const env: Record<string, string | undefined> = {
    CCGW_TARGET: flags.target ? resolve(flags.target) : undefined,
    CCGW_REPORT_DIR: reportDir,
    CCGW_RUN_ID: runId,
    CCGW_EDITION: flags.edition,
    CCGW_AUTH_MODE: flags.authMode,
    CCGW_SEED: flags.seed !== undefined ? String(flags.seed) : process.env.CCGW_SEED,
    CCGW_DEFECTS: flags.defect.length > 0 ? flags.defect.join(",") : undefined,
    CCGW_ALTERNATE_CHOICES: flags.alternateChoices ? "1" : undefined,
    CCGW_BASELINE: baselineFile && existsSync(baselineFile) ? baselineFile : undefined,
  };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  // The conformance cases live in one folder per vendor resource; the self-test adds scenarios/self-test (conforming
  // mocks, the defect sweep, the watchdog) and the checker's tests in scenarios/support.
  const filters = flags.selfTest
    ? []
    : flags.only.length > 0
      ? files.filter((f) => flags.only.some((text) => f.includes(text)))
      : CASE_FOLDERS;
  // Colour only on a terminal, decided before vitest (and its colour library) loads.
  settleColour();
  const { startVitest } = await import("vitest/node");
  const vitest = await startVitest("test", filters, {
    project: flags.selfTest ? ["scenarios", "self-test"] : ["scenarios"],
    run: true,
    watch: false,
    // Every case the target could not support says why; the self-test (npm test) under CI allows no skip.
    reporters: [
      flags.verbose ? "verbose" : "dot",
      "junit",
      new SkipReport({ strict: flags.selfTest === true && Boolean(process.env.CI) }),
    ],
    outputFile: { junit: join(reportDir, "junit.xml") },
  });
  const failed = vitest.state.getCountOfFailedTests();
  const errors = vitest.state.getUnhandledErrors().length;
  await vitest.close();
  console.log(
    `contract: junit ${join(reportDir, "junit.xml")}, report ${join(reportDir, "conformance.html")}`,
  );
  if (flags.baselineUpdate && baselineFile && previous)
    await updateBaseline(baselineFile, reportDir, previous, flags);
  if (failed > 0 || errors > 0 || (process.exitCode !== undefined && process.exitCode !== 0)) {
    process.exitCode = 0;
    return EXIT.FAIL;
  }
  return EXIT.PASS;
}

/**
 * `use` of the profile the suite would run with: --target's (edition and mode overridable), or the embedded
 * mock's, started on loopback for the while (its TLS files live as long as it does).
 */
async function withProfile<T>(flags: Flags, use: (profile: TargetProfile) => T): Promise<T> {
  const overrides = {
    ...(flags.edition ? { edition: flags.edition } : {}),
    ...(flags.authMode ? { authMode: flags.authMode } : {}),
  } as Partial<TargetProfile>;
  if (flags.target) return use({ ...(await loadTargetProfile(flags.target)), ...overrides });
  const edition = (flags.edition ?? DEFAULT_EDITION) as Edition;
  const authMode = (flags.authMode ?? "dynamic") as "static" | "dynamic";
  const gateway = await startGateway(suiteMockOptions(edition, authMode, flags.seed ?? 1, flags.defect));
  try {
    return use(suiteProfile(gateway, flags.seed ?? 1));
  } finally {
    await gateway.close();
  }
}

/** --baseline-update: the baseline file rewritten from the run's failures. */
async function updateBaseline(
  file: string,
  reportDir: string,
  previous: Awaited<ReturnType<typeof loadBaseline>>,
  flags: Flags,
): Promise<void> {
  const path = join(reportDir, "conformance.json");
  if (!existsSync(path)) {
    console.error(`contract: baseline not written: the run left no ${path}`);
    return;
  }
  const report = await readRunFile("conformance.json", path);
  const expires = flags.baselineExpires ?? dayOf(new Date(Date.now() + BASELINE_DAYS * 86_400_000));
  const next = baselineFromRun(report.results, previous, { reason: flags.baselineReason, expires });
  await writeBaseline(file, next);
  const kept = next.entries.filter((e) =>
    previous.entries.some((p) => p.clause === e.clause && p.case === e.case),
  );
  const dropped = previous.entries.length - kept.length;
  console.log(
    `contract: baseline ${file}: ${next.entries.length} entr${next.entries.length === 1 ? "y" : "ies"} (${next.entries.length - kept.length} new, ${kept.length} kept, ${dropped} dropped)`,
  );
}

await exitWith("contract", main);
