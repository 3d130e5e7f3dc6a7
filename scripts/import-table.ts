/**
 * The import table of ARCHITECTURE.md as code: which part of the project may import which. `importTable()`
 * reads every TypeScript and module file of the tree (tests too: they live in their part) and returns each
 * import that crosses into a part its own part may never import, or of a package only the command line may use. `npm test` runs it (import-table.test.ts).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

/** The parts, by folder, and the parts each may never import (ARCHITECTURE.md, "Parts and what each may import"). */
export const NEVER: Record<string, readonly string[]> = {
  contracts: ["lib", "mock", "scenarios", "load", "scripts"],
  lib: ["mock", "scenarios", "load", "scripts"],
  mock: ["scenarios", "load", "scripts"],
  scenarios: ["load", "scripts", "mock"],
  load: ["mock", "scenarios", "scripts"],
  scripts: [],
  testing: ["scenarios", "load", "scripts"],
};

/** The test helpers' part: any part's tests (`*.test.ts`) may import it, no part's code. */
const TEST_HELPERS = "testing";

/** Packages only the command line may import: parsing flags is the command line's, never an engine's. */
export const COMMAND_LINE_ONLY: readonly string[] = ["commander"];

/** Exceptions the table itself states: the suite's setup may start the mock. */
const ALLOWED: readonly { from: string; to: string }[] = [{ from: "scenarios/setup/", to: "mock" }];

export interface Breach {
  file: string;
  line: number;
  specifier: string;
  part: string;
  imported: string;
}

export const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^"'`]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|^import\s+["']([^"']+)["']/gm;

/** The part (top folder) a path of the tree belongs to, if it is one of the table's. */
function partOf(root: string, path: string): string | undefined {
  const [top] = relative(root, path).split(sep);
  return top !== undefined && top in NEVER ? top : undefined;
}

/** Every TypeScript and module file under `dir`, node_modules and dot folders left out. */
export function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|mts|mjs|js)$/.test(entry.name) ? [path] : [];
  });
}

/** The imports of one file's text that break the table, the file being at `file` under `root`. */
export function breachesOf(root: string, file: string, text: string): Breach[] {
  const part = partOf(root, file);
  if (!part) return [];
  const rel = relative(root, file).split(sep).join("/");
  const breaches: Breach[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2] ?? match[3] ?? "";
    const line = () => text.slice(0, match.index).split("\n").length;
    if (!specifier.startsWith(".")) {
      const pkg = COMMAND_LINE_ONLY.find((p) => specifier === p || specifier.startsWith(`${p}/`));
      if (pkg && part !== "scripts")
        breaches.push({ file: rel, line: line(), specifier, part, imported: pkg });
      continue;
    }
    const imported = partOf(root, resolve(dirname(file), specifier));
    if (imported === TEST_HELPERS && part !== TEST_HELPERS && !rel.endsWith(".test.ts")) {
      breaches.push({ file: rel, line: line(), specifier, part, imported });
      continue;
    }
    if (!imported || imported === part || !NEVER[part]?.includes(imported)) continue;
    if (ALLOWED.some((a) => rel.startsWith(a.from) && a.to === imported)) continue;
    breaches.push({ file: rel, line: line(), specifier, part, imported });
  }
  return breaches;
}

/** Every import of the tree under `root` that breaks the table. */
export function importTable(root: string): Breach[] {
  return Object.keys(NEVER).flatMap((part) =>
    sources(join(root, part)).flatMap((file) => breachesOf(root, file, readFileSync(file, "utf8"))),
  );
}
