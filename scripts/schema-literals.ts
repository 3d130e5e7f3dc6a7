/**
 * Contracts are the only home of retcodes and event names: a scan of the source tree for a quoted
 * retcode-shaped literal (`100-007` in quotes) or vendor event name (`AgentEvent_Talking` in quotes)
 * outside contracts/ and test files. Part of `npm run contracts:check`.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";

/** One literal where it should not be. */
export interface LiteralFinding {
  file: string;
  line: number;
  literal: string;
}

// Quoted with ' or " (not backticks, which comments use for prose).
const LITERALS = [
  /(["'])([0-9]{3}-[0-9]{3})\1/g,
  /(["'])((?:AgentEvent|AgentState|AgentOther)_[A-Za-z_]+|OUTBOUND_DETECT_EVENT)\1/g,
];
const SKIPPED_DIRS = new Set(["node_modules", ".build", ".git", "reports", "contracts"]);
const SOURCE = /\.(ts|mts|js|mjs)$/;

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith("."))
        out.push(...(await sourceFiles(join(dir, entry.name))));
    } else if (SOURCE.test(entry.name) && !/\.test\.[a-z]+$/.test(entry.name)) {
      out.push(join(dir, entry.name));
    }
  }
  return out;
}

/** Every retcode or event-name literal in the source files under `root`, outside contracts/ and tests. */
export async function scanLiterals(root: string): Promise<LiteralFinding[]> {
  const findings: LiteralFinding[] = [];
  for (const file of await sourceFiles(root)) {
    const lines = (await readFile(file, "utf8")).split("\n");
    lines.forEach((text, index) => {
      for (const pattern of LITERALS) {
        for (const match of text.matchAll(pattern)) {
          findings.push({ file: relative(root, file), line: index + 1, literal: match[2] ?? match[0] });
        }
      }
    });
  }
  return findings;
}
