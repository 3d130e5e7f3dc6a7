/**
 * The callouts of a run, counted across processes: the functional suite's test files (separate module
 * instances) record each callout they send, and the main job reads how many the suite spent before it gives
 * the load phase the rest of maxTotalCalls. One fixed-size record per callout, appended (an append of one short
 * record is atomic), so concurrent writers never lose a count, and the count is the file's size over the record's,
 * whatever the number of callouts. The ledger is the API; its file is its business.
 */
import { appendFileSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

/** One callout in the ledger's file. */
const RECORD = "1\n";

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
    const size = statSync(this.file, { throwIfNoEntry: false })?.size ?? 0;
    return Math.floor(size / RECORD.length);
  }

  /** Records one callout. */
  record(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    appendFileSync(this.file, RECORD);
  }
}
