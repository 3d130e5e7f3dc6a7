/**
 * The files a run leaves (run.json, conformance.json, the load run's summary.json, series.json and result.json,
 * a capacity search's capacity.json), each with its JSON Schema in contracts/schemas/harness/. Every writer and
 * every reader goes through here: a file is validated with the contracts' ajv on the way out (a breach is a bug
 * of the harness) and on the way in (a file of another shape or another version is named, never guessed at).
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { type ContractTypes, contractsFor, type SchemaName } from "../../contracts/index.ts";

/** Each run file by name, with the schema that describes it. */
export const RUN_FILES = {
  "run.json": "harness/run",
  "conformance.json": "harness/conformance",
  "summary.json": "harness/load-summary",
  "series.json": "harness/load-series",
  "result.json": "harness/load-segment",
  "capacity.json": "harness/capacity",
} as const satisfies Record<string, SchemaName>;

export type RunFileName = keyof typeof RUN_FILES;
/** What a run file holds, by its name. */
export type RunFile<N extends RunFileName> = NonNullable<ContractTypes[(typeof RUN_FILES)[N]]>;

/** A run file that does not have its schema's shape: the file, and where and how it differs. */
export class RunFileError extends Error {
  /** Where the file differs from its schema, or why it could not be read (at most five). */
  readonly problems: string[];
  constructor(file: string, problems: readonly string[]) {
    const shown = problems.slice(0, 5);
    if (problems.length > 5) shown.push(`and ${problems.length - 5} more`);
    super(`${file} is not a ${file.split("/").pop()} of this harness: ${shown.join("; ")}`);
    this.name = "RunFileError";
    this.problems = shown;
  }
}

function problemsOf(name: RunFileName, data: unknown): string[] {
  return contractsFor()
    .validate(RUN_FILES[name], data)
    .map((v) => v.message.replace(/^[^:]+: /, "").replace(/ \[unmapped\]$/, ""));
}

/** Checks a value against its file's schema; throws RunFileError naming `file` when it differs. */
export function checkRunFile<N extends RunFileName>(name: N, data: unknown, file: string = name): RunFile<N> {
  const problems = problemsOf(name, data);
  if (problems.length > 0) throw new RunFileError(file, problems);
  return data as RunFile<N>;
}

/** Reads a run file named `name` at `path` and checks it against its schema. */
export async function readRunFile<N extends RunFileName>(name: N, path: string): Promise<RunFile<N>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new RunFileError(path, [(error as Error).message]);
  }
  return checkRunFile(name, raw, path);
}

/** Writes a run file after checking it against its schema (indented unless `compact`), folders created. */
export async function writeRunFile<N extends RunFileName>(
  name: N,
  path: string,
  data: RunFile<N>,
  options: { compact?: boolean } = {},
): Promise<void> {
  const text = JSON.stringify(data, null, options.compact ? undefined : 2);
  // What is checked is what is written (a field set to undefined is left out of both).
  checkRunFile(name, JSON.parse(text), path);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${text}\n`);
}
