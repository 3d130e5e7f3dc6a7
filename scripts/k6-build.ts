/**
 * Builds the k6 binary the load scenarios run on: xk6 from the Go module proxy, then k6 at a pinned version,
 * into the git-ignored .build/k6/. A binary already there at the pinned version is reused; K6_BIN points at an
 * existing binary instead.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";
import { EXIT, HarnessError } from "../lib/errors.ts";

/** k6 release the scenarios are written for (TypeScript and the web dashboard are built in since v0.57/v0.49). */
export const K6_VERSION = "v1.8.1";
/** xk6 release that the module proxy serves here (later ones are not reachable from this network). */
export const XK6_VERSION = "v0.13.0";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** Where the built k6 lives. */
export const K6_BUILD_DIR = join(ROOT, ".build", "k6");
const K6_PATH = join(K6_BUILD_DIR, "k6");
const XK6_DIR = join(ROOT, ".build", "xk6");

/** `k6 version` of a binary, or undefined when it does not run. */
export function k6VersionOf(binary: string): string | undefined {
  const run = spawnSync(binary, ["version"], { encoding: "utf8", timeout: 20_000 });
  if (run.status !== 0) return undefined;
  return run.stdout.trim();
}

/**
 * The k6 binary to use without building: K6_BIN when set (it must run), else .build/k6/k6 when it is at the
 * pinned version, else undefined.
 */
export function findK6(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.K6_BIN;
  if (fromEnv) {
    if (!k6VersionOf(fromEnv)) {
      throw new HarnessError("CCGW_USAGE", `K6_BIN=${fromEnv} does not run \`k6 version\``);
    }
    return fromEnv;
  }
  if (existsSync(K6_PATH) && k6VersionOf(K6_PATH)?.includes(K6_VERSION)) return K6_PATH;
  return undefined;
}

function run(cmd: string, args: string[], cwd: string, log: (line: string) => void): void {
  log(`$ ${cmd} ${args.join(" ")}`);
  const result = spawnSync(cmd, args, { cwd, stdio: ["ignore", "inherit", "inherit"], env: process.env });
  if (result.error)
    throw new HarnessError("CCGW_USAGE", `${cmd}: ${result.error.message}`, "is Go installed?");
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited with ${result.status}`);
}

/** Returns a usable k6 binary, building xk6 and then k6 when there is none yet. */
export function ensureK6(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): string {
  const found = findK6();
  if (found) return found;
  try {
    execFileSync("go", ["version"], { stdio: "ignore" });
  } catch {
    throw new HarnessError(
      "CCGW_USAGE",
      "cannot build k6: the go toolchain is not on PATH",
      "install Go, or set K6_BIN to an existing k6 binary",
    );
  }
  mkdirSync(XK6_DIR, { recursive: true });
  mkdirSync(K6_BUILD_DIR, { recursive: true });
  const xk6 = join(XK6_DIR, "xk6");
  if (!existsSync(xk6)) {
    log(`building xk6 ${XK6_VERSION} from the Go module proxy`);
    if (!existsSync(join(XK6_DIR, "go.mod"))) run("go", ["mod", "init", "ccgw-xk6"], XK6_DIR, log);
    run("go", ["get", `go.k6.io/xk6@${XK6_VERSION}`], XK6_DIR, log);
    run("go", ["build", "-o", xk6, "go.k6.io/xk6/cmd/xk6"], XK6_DIR, log);
  }
  log(`building k6 ${K6_VERSION} with xk6 (about 90 s on a cold Go cache)`);
  // No extensions: TypeScript and the web dashboard are part of k6 itself, and xk6-ts is deprecated.
  run(xk6, ["build", K6_VERSION, "--output", K6_PATH], K6_BUILD_DIR, log);
  const version = k6VersionOf(K6_PATH);
  if (!version?.includes(K6_VERSION))
    throw new Error(`built k6 reports "${version}", expected ${K6_VERSION}`);
  log(`k6 ready: ${K6_PATH} (${version})`);
  return K6_PATH;
}

async function main(argv: string[]): Promise<number> {
  const program = new Command("k6:build")
    .description(
      `Build k6 ${K6_VERSION} with xk6 ${XK6_VERSION} into .build/k6/k6 (reused when present; K6_BIN overrides).`,
    )
    .option("--force", "rebuild even when .build/k6/k6 is present")
    .exitOverride();
  program.parse(argv);
  const { force } = program.opts<{ force?: boolean }>();
  if (force && !process.env.K6_BIN && existsSync(K6_PATH)) {
    const { rmSync } = await import("node:fs");
    rmSync(K6_PATH);
  }
  const binary = ensureK6();
  process.stdout.write(`${binary}\n`);
  return EXIT.PASS;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? EXIT.PASS : EXIT.USAGE);
      if (error instanceof HarnessError) {
        process.stderr.write(`k6:build: ${error.message}${error.hint ? ` (${error.hint})` : ""}\n`);
        process.exit(EXIT.USAGE);
      }
      process.stderr.write(`k6:build: ${(error as Error).message}\n`);
      process.exit(EXIT.FAIL);
    },
  );
}
