/**
 * Removes what runs and builds leave behind: reports/<run-id>/ folders (reports/README.md stays) and .build/
 * (OpenAPI documents).
 */
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { runCli } from "./cli-exit.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

const program = new Command()
  .name("clean")
  .description("Delete run outputs in reports/ and build outputs in .build/.")
  .option("--dry-run", "list what would be deleted", false)
  .exitOverride()
  .action(async (opts: { dryRun: boolean }) => {
    const targets: string[] = [];
    for (const entry of await readdir(join(ROOT, "reports")).catch(() => [])) {
      if (entry !== "README.md") targets.push(join("reports", entry));
    }
    for (const entry of await readdir(join(ROOT, ".build")).catch(() => [])) {
      targets.push(join(".build", entry));
    }
    for (const target of targets) {
      console.log(`${opts.dryRun ? "would delete" : "deleting"} ${target}`);
      if (!opts.dryRun) await rm(join(ROOT, target), { recursive: true, force: true });
    }
    if (targets.length === 0) console.log("nothing to delete");
  });

await runCli(program, process.argv.slice(2), "clean");
