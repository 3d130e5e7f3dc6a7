/**
 * ccgw report: (re)writes the one report page of a run folder (reports/<run-id>/index.html) from what the run
 * left there, and prints the short summary. Safe to re-run on an old folder.
 */
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Command } from "commander";
import { HarnessError } from "../lib/errors.ts";
import { writeFixtureRun } from "../lib/report/page/fixtures.ts";
import { writeReport } from "../lib/report/page/index.ts";
import { loadTargetProfile, profileSecrets } from "../lib/target-profile.ts";
import { runCli } from "./cli-exit.ts";

/** The commander definition, shared with `ccgw report`. */
export function reportCommand(): Command {
  return new Command("report")
    .description(
      "Write <run-dir>/index.html from a run folder (run.json, conformance.json, load summary and series, JUnit)\n" +
        "and print the summary. Exit code: 0 when the page was written, 2 when the folder cannot be read.",
    )
    .requiredOption("--run-dir <dir>", "the run folder, e.g. reports/20260101-120000-ab12")
    .option("--target <profile.json>", "the run's target profile, so its passwords are masked too")
    .option("--fixture", "first fill the folder with fixture data (to look at the page without a run)")
    .showHelpAfterError()
    .exitOverride()
    .action(async (flags: { runDir: string; fixture?: boolean; target?: string }) => {
      const dir = resolve(flags.runDir);
      if (flags.fixture) await writeFixtureRun(dir);
      try {
        if (!(await stat(dir)).isDirectory()) throw new Error("not a folder");
      } catch {
        throw new HarnessError("CCGW_USAGE", `--run-dir ${flags.runDir}: no such run folder`);
      }
      const secrets = flags.target ? profileSecrets(await loadTargetProfile(flags.target)) : [];
      const { summary } = await writeReport(dir, { secrets });
      process.stdout.write(`${summary}\n`);
    });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runCli(reportCommand(), process.argv.slice(2), "report");
}
