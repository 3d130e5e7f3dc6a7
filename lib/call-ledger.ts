/**
 * The callouts of a run, counted across processes: the functional suite's test files (separate module
 * instances) record each callout they send, and the main job reads how many the suite spent before it gives
 * the load phase the rest of maxTotalCalls. One line per callout, appended (an append of one short line is
 * atomic), so concurrent writers never lose a count. The ledger is the API; its file is its business.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

export class CallLedger {
  readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  /** The ledger of a run's report folder (the suite's raw/ folder). */
  static inReportDir(dir: string): CallLedger {
    return new CallLedger(join(dir, "raw", "callouts.ledger"));
  }

  /** Callouts recorded so far. */
  spent(): number {
    if (!existsSync(this.file)) return 0;
    const text = readFileSync(this.file, "utf8");
    let lines = 0;
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines++;
    return lines;
  }

  /** Records one callout. */
  record(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    appendFileSync(this.file, `${Date.now()}\n`);
  }
}
