/** The installed `ccgw` command: the bin shim runs, lists every subcommand, and each has --help. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

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

describe("ccgw", { timeout: 30_000 }, () => {
  it("lists run, contract, load, mock and report", async () => {
    const { code, out } = await ccgw(["--help"]);
    expect(code).toBe(0);
    for (const name of ["run", "contract", "load", "mock", "report"])
      expect(out).toMatch(new RegExp(`^  ${name} `, "m"));
  });

  it.concurrent.each([["run"], ["contract"], ["load"], ["mock"], ["report"]])(
    "ccgw %s --help",
    async (name) => {
      const { code, out } = await ccgw([name, "--help"]);
      expect(code).toBe(0);
      expect(out).toMatch(/Usage: /);
      expect(out).toContain("--target");
    },
  );

  it("exits 2 on an unknown subcommand", async () => {
    expect((await ccgw(["bogus"])).code).toBe(2);
  });
});
