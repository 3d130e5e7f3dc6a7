/**
 * Progress lines for long runs: elapsed time of the current phase and, when a source of figures is given (the
 * embedded mock's statistics), calls, call rate and errors. Lines go to stderr so stdout stays for summaries.
 */

/** Figures at one moment; all optional, so a phase without a source still shows its elapsed time. */
export interface ProgressFigures {
  calls?: number;
  errors?: number;
  /** p95 of the callout latency so far, ms. */
  p95Ms?: number;
}

/** Options of a progress ticker. */
export interface ProgressOptions {
  /** Interval between lines, ms. @default 10000 */
  everyMs?: number;
  /** Where lines go. @default process.stderr.write */
  write?: (line: string) => void;
  /** Reads the current figures; a failure just leaves them out of the line. */
  figures?: () => Promise<ProgressFigures>;
  /** @default Date.now */
  now?: () => number;
  /** What the error count means in this phase. @default "errors" */
  errorLabel?: string;
}

/** m:ss (or h:mm:ss) of a duration. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** One progress line from two readings of the figures. */
export function progressLine(
  phase: string,
  elapsedMs: number,
  current: ProgressFigures | undefined,
  previous: { figures: ProgressFigures; at: number } | undefined,
  now: number,
  errorLabel = "errors",
): string {
  const parts = [`[ccgw] ${phase}: ${formatElapsed(elapsedMs)} elapsed`];
  if (current?.calls !== undefined) {
    parts.push(`${current.calls} calls`);
    if (previous?.figures.calls !== undefined && now > previous.at) {
      const rate = ((current.calls - previous.figures.calls) * 1000) / (now - previous.at);
      parts.push(`${rate.toFixed(1)} calls/s`);
    }
  }
  if (current?.errors !== undefined) parts.push(`${current.errors} ${errorLabel}`);
  if (current?.p95Ms !== undefined) parts.push(`p95 ${Math.round(current.p95Ms)} ms`);
  return parts.join(", ");
}

/** A running ticker; stop() prints nothing more. */
export interface Ticker {
  stop(): void;
}

/** Starts printing a progress line every `everyMs` for `phase`. */
export function startProgress(phase: string, options: ProgressOptions = {}): Ticker {
  const now = options.now ?? Date.now;
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = now();
  let previous: { figures: ProgressFigures; at: number } | undefined;
  let stopped = false;
  const tick = async (): Promise<void> => {
    let figures: ProgressFigures | undefined;
    if (options.figures) {
      try {
        figures = await options.figures();
      } catch {
        figures = undefined;
      }
    }
    if (stopped) return;
    const at = now();
    write(progressLine(phase, at - started, figures, previous, at, options.errorLabel));
    if (figures) previous = { figures, at };
  };
  const timer = setInterval(() => {
    void tick();
  }, options.everyMs ?? 10_000);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
