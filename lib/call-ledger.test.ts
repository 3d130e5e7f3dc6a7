/** The call ledger counts every callout recorded, also by writers in other processes at the same time. */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";
import { CallLedger } from "./call-ledger.ts";

const run = promisify(execFile);
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

// It waits on four Node processes: on a busy machine their start alone can take longer than the default 5 s.
it("counts what four processes record at once, and nothing before the first", {
  timeout: 60_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), "ccgw-ledger-"));
  dirs.push(dir);
  const ledger = CallLedger.inReportDir(dir);
  expect(ledger.spent()).toBe(0);
  const script = `import { CallLedger } from ${JSON.stringify(new URL("./call-ledger.ts", import.meta.url).pathname)};
const l = CallLedger.inReportDir(${JSON.stringify(dir)}); for (let i = 0; i < 250; i++) l.record();`;
  await Promise.all(
    Array.from({ length: 4 }, () =>
      run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script]),
    ),
  );
  ledger.record();
  expect(ledger.spent()).toBe(1001);
});
