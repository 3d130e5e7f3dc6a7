/**
 * How every command ends: its exit code, or one line for an error with the documented code (0 pass, 1 a test or
 * threshold failed, 2 usage or configuration). Commander has printed its own message or the help already.
 */
import { type Command, CommanderError } from "commander";
import { EXIT, HarnessError } from "../lib/errors.ts";

/** Errors of a command's own kind that are usage or configuration errors (exit 2), with the line to print. */
export type UsageLine = (error: unknown) => string | undefined;

function exitOnError(name: string, error: unknown, usageLine?: UsageLine): never {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? EXIT.PASS : EXIT.USAGE);
  if (error instanceof HarnessError) {
    process.stderr.write(`${name}: ${error.toLine()}\n`);
    process.exit(EXIT.USAGE);
  }
  const usage = usageLine?.(error);
  if (usage !== undefined) {
    process.stderr.write(`${name}: ${usage}\n`);
    process.exit(EXIT.USAGE);
  }
  process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(EXIT.FAIL);
}

/** Runs a command's main: exits with the code it returns (keeps running when it returns none, as a server). */
export async function exitWith(
  name: string,
  main: () => Promise<unknown>,
  usageLine?: UsageLine,
): Promise<void> {
  try {
    const code = await main();
    if (typeof code === "number") process.exit(code);
  } catch (error) {
    exitOnError(name, error, usageLine);
  }
}

/** Runs a commander program whose actions do the work. */
export async function runCli(program: Command, argv: string[], name: string): Promise<void> {
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    exitOnError(name, error);
  }
}
