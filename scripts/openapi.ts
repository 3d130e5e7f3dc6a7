/**
 * Writes the OpenAPI 3.1 document of each edition of the interface, generated from the contracts, so that
 * Postman, Prism or Schemathesis can load it (see docs/openapi.md).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, InvalidArgumentError } from "commander";
import { stringify } from "yaml";
import { buildOpenApi, EDITIONS, type Edition, isEdition } from "../contracts/index.ts";
import { exitWith } from "./cli-exit.ts";

const FORMATS = ["json", "yaml"] as const;
type Format = (typeof FORMATS)[number];

/** File name of an edition's document, e.g. ccgw-callout-2025-03.openapi.json. */
export function openApiFileName(edition: Edition, format: Format): string {
  return `ccgw-callout-${edition}.openapi.${format}`;
}

/** Writes one document per edition into dir and returns the paths written. */
export async function writeOpenApi(
  editions: readonly Edition[],
  dir: string,
  format: Format,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const edition of editions) {
    const doc = buildOpenApi(edition);
    const text =
      format === "json"
        ? `${JSON.stringify(doc, null, 2)}\n`
        : stringify(doc, { aliasDuplicateObjects: false });
    const path = join(dir, openApiFileName(edition, format));
    await writeFile(path, text);
    written.push(path);
  }
  return written;
}

function parseEdition(value: string): Edition {
  if (!isEdition(value)) throw new InvalidArgumentError(`expected one of ${EDITIONS.join(", ")}`);
  return value;
}

function parseFormat(value: string): Format {
  if (!(FORMATS as readonly string[]).includes(value))
    throw new InvalidArgumentError("expected json or yaml");
  return value as Format;
}

async function main(argv: string[]): Promise<void> {
  const program = new Command("openapi")
    .description("Write the OpenAPI 3.1 document of the interface, generated from contracts/schemas.")
    .option("--edition <edition>", `one edition (${EDITIONS.join(", ")})`, parseEdition)
    .option("--all", "every edition (the default)")
    .option("--out <dir>", "output folder", ".build/openapi")
    .option("--format <format>", "json or yaml", parseFormat, "json" as Format)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`openapi: ${text.replace(/^error: /, "")}`) })
    .parse(argv);
  const opts = program.opts<{ edition?: Edition; all?: boolean; out: string; format: Format }>();
  if (opts.edition && opts.all) program.error("--edition and --all exclude each other");
  const editions = opts.edition ? [opts.edition] : EDITIONS;
  const written = await writeOpenApi(editions, resolve(opts.out), opts.format);
  for (const path of written) {
    const rel = relative(process.cwd(), path);
    console.log(rel.startsWith("..") ? path : rel);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await exitWith("openapi", () => main(process.argv));
}
