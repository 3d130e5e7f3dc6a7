/**
 * The `ccgw` command: one entry for the main job and its parts. `run` and `report` are implemented here;
 * `contract`, `load` and `mock` hand their arguments to their own scripts (each has its own --help).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Command } from "commander";
import { EXIT } from "../lib/errors.ts";
import { runCli } from "./cli-exit.ts";
import { reportCommand } from "./report.ts";
import { runCommand } from "./run.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

/** Runs one of the parts' scripts with the given arguments and inherited stdio; resolves with its exit code. */
export function delegate(script: string, args: string[]): Promise<number> {
  const path = join(ROOT, script);
  if (!existsSync(path)) {
    process.stderr.write(`ccgw: ${script} is not in this checkout\n`);
    return Promise.resolve(EXIT.USAGE);
  }
  const child = spawn(process.execPath, [require.resolve("tsx/cli"), path, ...args], {
    cwd: process.cwd(),
    stdio: "inherit",
  });
  // The child gets Ctrl-C from the terminal itself; a signal sent to this process alone is passed on.
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  return new Promise((done) => {
    child.on("error", () => done(EXIT.FAIL));
    child.on("close", (code, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      done(signal ? EXIT.INTERRUPTED : (code ?? EXIT.FAIL));
    });
  });
}

const PARTS = {
  contract: [
    "scripts/contract.ts",
    "the functional suite: every clause of the callout page, JUnit and conformance.json",
  ],
  load: ["scripts/load.ts", "a load run (smoke, load, stress, spike, soak, capacity) against a target"],
  mock: ["scripts/mock.ts", "run the embedded mock gateway on loopback"],
} as const;

/** The ccgw program. */
export function ccgwProgram(): Command {
  const program = new Command("ccgw")
    .description("Contract and load test harness for the CC-Gateway callout interface")
    .addCommand(runCommand(), { isDefault: false })
    .addCommand(reportCommand())
    .showHelpAfterError()
    .exitOverride();
  for (const [name, [script, description]] of Object.entries(PARTS)) {
    program.addCommand(
      new Command(name)
        .description(`${description} (${script}; see ccgw ${name} --help)`)
        .helpOption(false)
        .allowUnknownOption()
        .allowExcessArguments()
        .argument("[args...]")
        .action(async (args: string[]) => {
          process.exit(await delegate(script, args));
        }),
    );
  }
  return program;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runCli(ccgwProgram(), process.argv.slice(2), "ccgw");
}
