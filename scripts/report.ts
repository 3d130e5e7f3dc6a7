/**
 * ccgw report: (re)writes the one report page of a run folder (reports/<run-id>/index.html) from what the run
 * left there, and prints the short summary. Safe to re-run on an old folder. With --diff A B, compares two run
 * folders instead (diff.html and diff.json) and exits 1 when a clause that passed in A fails in B.
 */
import { stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Command } from "commander";
import { EXIT, HarnessError } from "../lib/errors.ts";
import { diffRuns, formatDiff } from "../lib/report/diff.ts";
import { writeDiff } from "../lib/report/diff-page.ts";
import { writeFixtureRun, writeReport } from "../lib/report/page/index.ts";
import { loadTargetProfile, profileSecrets } from "../lib/target-profile.ts";
import { runCli } from "./cli-exit.ts";

async function runFolder(flag: string, path: string): Promise<string> {
  const dir = resolve(path);
  try {
    if ((await stat(dir)).isDirectory()) return dir;
  } catch {}
  throw new HarnessError("CCGW_USAGE", `${flag} ${path}: no such run folder`);
}

/** --diff A B: writes the diff and prints it; 1 when a clause regressed. */
async function diff(runs: string[], out: string | undefined): Promise<number> {
  if (runs.length !== 2)
    throw new HarnessError("CCGW_USAGE", `--diff takes two run folders, got ${runs.length}`);
  const [a, b] = await Promise.all(runs.map((r) => runFolder("--diff", r)));
  if (!a || !b) return EXIT.USAGE;
  const result = await diffRuns(a, b);
  const page = await writeDiff(resolve(out ?? join(b, `diff-${basename(a)}`)), result);
  process.stdout.write(`${formatDiff(result, page)}\n`);
  return result.regressions > 0 ? EXIT.FAIL : EXIT.PASS;
}

/** The commander definition, shared with `ccgw report`. */
export function reportCommand(): Command {
  return new Command("report")
    .description(
      "Write <run-dir>/index.html from a run folder (run.json, conformance.json, load summary and series, JUnit)\n" +
        "and print the summary. Exit code: 0 when the page was written, 2 when the folder cannot be read.",
    )
    .option("--run-dir <dir>", "the run folder, e.g. reports/20260101-120000-ab12")
    .option(
      "--diff <runs...>",
      "compare two run folders, A then B: clauses, open choices, thresholds and load figures that changed",
    )
    .option(
      "--out <dir>",
      "where --diff writes diff.html and diff.json (default: <B>/diff-<A's folder name>)",
    )
    .option("--target <profile.json>", "the run's target profile, so its passwords are masked too")
    .option("--fixture", "first fill the folder with fixture data (to look at the page without a run)")
    .showHelpAfterError()
    .exitOverride()
    .action(
      async (flags: {
        runDir?: string;
        diff?: string[];
        out?: string;
        fixture?: boolean;
        target?: string;
      }) => {
        if (flags.diff) {
          process.exitCode = await diff(flags.diff, flags.out);
          return;
        }
        if (!flags.runDir) throw new HarnessError("CCGW_USAGE", "give --run-dir DIR, or --diff RUN_A RUN_B");
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
      },
    );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runCli(reportCommand(), process.argv.slice(2), "report");
}
