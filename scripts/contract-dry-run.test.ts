/**
 * `npm run contract -- --dry-run`: before anything is sent, it prints which clauses a profile lets the suite
 * test, which it cannot and why, and what to add to the profile; a profile the suite could not finish with is
 * refused in one line. Nothing is sent: the profile's gateway is a port nobody listens on.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScript } from "../lib/script-process.ts";

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ccgw-contract-dry-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const contract = (args: string[]) => runScript("scripts/contract.ts", args);

/** A lab profile whose numbers pin no outcome, on a loopback port nothing listens on. */
async function profile(agents: number): Promise<string> {
  const file = join(work, `profile-${agents}.json`);
  await writeFile(
    file,
    JSON.stringify({
      name: "plain lab",
      baseUrl: "http://127.0.0.1:9",
      edition: "2025-03",
      authMode: "static",
      called: ["4000001", "4000002"],
      agents: Array.from({ length: agents }, (_, i) => ({
        id: String(1001 + i),
        password: "pw",
        phone: String(700001 + i),
      })),
    }),
  );
  return file;
}

describe("contract --dry-run", { timeout: 60_000 }, () => {
  it.concurrent("lists what a plain profile cannot test, why, and what to add", async () => {
    const reportDir = join(work, "report");
    const { code, output } = await contract([
      "--dry-run",
      "--target",
      await profile(6),
      "--report-dir",
      reportDir,
    ]);
    expect(code, output).toBe(0);
    expect(output).toContain("dry run: nothing is sent");
    expect(output).toMatch(/suite plan: edition 2025-03, static authentication; \d+ of \d+ cases can run/);
    expect(output).toMatch(
      /not testable with this profile:\n(.*\n)*? {2}flows\/callout-agent-no-answer: no number with outcome 'agent-no-answer'/,
    );
    expect(output).toContain('  called[].outcome: a called number with outcome "answered"');
    expect(output).toContain('  authMode: "dynamic", on a gateway with dynamic authentication');
    expect(existsSync(reportDir)).toBe(false);
  });

  it.concurrent("refuses a profile with too few agents for the suite, in one line", async () => {
    const { code, output } = await contract(["--dry-run", "--target", await profile(1)]);
    expect(code, output).toBe(2);
    expect(output).toMatch(/contract: CCGW_PROFILE_INVALID: the functional suite needs at least \d+ agents/);
  });

  it.concurrent("plans only the families --only picks", async () => {
    const { code, output } = await contract([
      "--dry-run",
      "--target",
      await profile(6),
      "--only",
      "call-flows",
    ]);
    expect(code, output).toBe(0);
    expect(output).toMatch(/\(families: call flows\); \d+ of \d+ cases can run/);
    expect(output).toContain("flows/callout-agent-no-answer: no number with outcome 'agent-no-answer'");
    expect(output).not.toContain("auth/dynamic/rotation");
  });

  it.concurrent("plans the embedded mock's profile when no target is given", async () => {
    const { code, output } = await contract(["--dry-run", "--auth-mode", "static"]);
    expect(code, output).toBe(0);
    expect(output).toContain("1 clauses not testable with this profile");
    expect(output).toContain("auth/dynamic/rotation: the gateway uses static authentication");
  });
});
