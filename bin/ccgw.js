#!/usr/bin/env node
// The installed `ccgw` command: runs scripts/ccgw.ts under tsx (a dependency-free shim, so `npm link`, `npx ccgw`
// and a global install all work without a build step). Signals are passed on; the exit code is the child's.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const child = spawn(
  process.execPath,
  [require.resolve("tsx/cli"), join(root, "scripts", "ccgw.ts"), ...process.argv.slice(2)],
  { stdio: "inherit" },
);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("close", (code, signal) => {
  process.exit(signal ? 128 + (signal === "SIGINT" ? 2 : 15) : (code ?? 1));
});
