/**
 * The doors of the parts that have one (ARCHITECTURE.md): whoever is outside `contracts/`, `mock/`,
 * `lib/gateway/` or `lib/report/page/` imports it through its `index.ts`, and an index re-exports only what
 * someone outside uses. `npm test` holds the tree to both (doors.test.ts).
 */
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { IMPORT, NEVER, sources } from "./import-table.ts";

/** The folders whose index.ts is the only way in. */
export const DOORS = ["contracts", "mock", "lib/gateway", "lib/report/page"] as const;

/** The top folders of the tree whose files are read: the import table's parts. */
const TREE = Object.keys(NEVER);

/** A name of an `{ ... }` list: `type x as y` is x on the importing side (`as` ignored), y on the exporting. */
function listName(item: string, side: "imported" | "exported"): string {
  const [local, alias] = item
    .trim()
    .replace(/^type\s+/, "")
    .split(/\s+as\s+/);
  return (side === "exported" ? (alias ?? local) : local) ?? "";
}

const posix = (path: string) => path.split(sep).join("/");

/** The door a tree path lies behind (the innermost one), if any. */
function doorOf(path: string): string | undefined {
  return [...DOORS].sort((a, b) => b.length - a.length).find((d) => path.startsWith(`${d}/`));
}

/** Imports in one file's text that enter a part with a door other than by it: "file:line -> target". */
export function aroundDoors(root: string, file: string, text: string): string[] {
  const from = posix(relative(root, file));
  const found: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2] ?? match[3] ?? "";
    if (!specifier.startsWith(".")) continue;
    const target = posix(relative(root, resolve(dirname(file), specifier)));
    const door = doorOf(target);
    if (!door || from.startsWith(`${door}/`) || target === `${door}/index.ts`) continue;
    found.push(`${from}:${text.slice(0, match.index).split("\n").length} -> ${target}`);
  }
  return found;
}

/** The names of an index's `export { ... } from` lists and of what it declares itself. */
function exportedNames(text: string): string[] {
  const names = [...text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)].flatMap((m) =>
    (m[1] ?? "").split(","),
  );
  const own = [...text.matchAll(/export\s+(?:async\s+)?(?:function|const|class)\s+(\w+)/g)].map((m) => m[1]);
  return [...names.map((n) => listName(n, "exported")), ...own].filter((n): n is string => Boolean(n));
}

/** Names each index re-exports that no file outside its part imports through it: "door: name". */
export function unusedAtDoors(root: string): string[] {
  const files = TREE.flatMap((top) => sources(join(root, top)));
  const imported = new Map<string, Set<string>>(DOORS.map((d) => [d, new Set()]));
  const importList = /(?:import|export)\s+(?:type\s+)?\{([^}]*)\}\s*from\s*["']([^"']+)["']/g;
  for (const file of files) {
    const from = posix(relative(root, file));
    for (const m of readFileSync(file, "utf8").matchAll(importList)) {
      const target = posix(relative(root, resolve(dirname(file), m[2] ?? "")));
      const door = DOORS.find((d) => target === `${d}/index.ts`);
      if (!door || from.startsWith(`${door}/`)) continue;
      for (const n of (m[1] ?? "").split(",")) imported.get(door)?.add(listName(n, "imported"));
    }
  }
  return DOORS.flatMap((door) =>
    exportedNames(readFileSync(join(root, door, "index.ts"), "utf8"))
      .filter((name) => !imported.get(door)?.has(name))
      .map((name) => `${door}: ${name}`),
  );
}

/** Every import of the tree that goes around a door. */
export function doorBreaches(root: string): string[] {
  return TREE.flatMap((top) => sources(join(root, top))).flatMap((file) =>
    aroundDoors(root, file, readFileSync(file, "utf8")),
  );
}
