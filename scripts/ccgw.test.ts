/**
 * The installed `ccgw` command: the bin shim runs from another folder, lists every subcommand, hands a part its
 * arguments (load's --help through the shim), and exits 2 on an unknown one; every part has --help (run and
 * report are commands of ccgw itself, read in this process; contract and mock are their own scripts). Processes
 * start slowly on a busy machine: each waits as long as it needs, up to two minutes.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runScript } from "../lib/script-process.ts";
import { ccgwProgram } from "./ccgw.ts";

const BIN = join(import.meta.dirname, "..", "bin", "ccgw.js");

function ccgw(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    // Run from another folder, as an installed command would be.
    const child = spawn(process.execPath, [BIN, ...args], { cwd: "/", stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    child.on("close", (code) => resolve({ code, out }));
  });
}

describe("ccgw", { timeout: 120_000 }, () => {
  it.concurrent("lists run, contract, load, mock and report", async () => {
    const { code, out } = await ccgw(["--help"]);
    expect(code).toBe(0);
    for (const name of ["run", "contract", "load", "mock", "report"])
      expect(out).toMatch(new RegExp(`^  ${name} `, "m"));
  });

  it.concurrent("hands a part its arguments: ccgw load --help is load's own help", async () => {
    const { code, out } = await ccgw(["load", "--help"]);
    expect(code, out).toBe(0);
    expect(out).toMatch(/Usage: load /);
    expect(out).toContain("--k8s-manifest");
  });

  it.concurrent("exits 2 on an unknown subcommand", async () => {
    expect((await ccgw(["bogus"])).code).toBe(2);
  });

  it.each([["run"], ["report"]])("ccgw %s --help", (name) => {
    const command = ccgwProgram().commands.find((c) => c.name() === name);
    const help = command?.helpInformation() ?? "";
    expect(help).toMatch(/Usage: /);
    expect(help).toContain("--target");
  });

  it.concurrent.each([["scripts/contract.ts"], ["scripts/mock.ts"]])("%s --help", async (script) => {
    const { code, stdout } = await runScript(script, ["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Usage: /);
    expect(stdout).toContain("--target");
  });
});
