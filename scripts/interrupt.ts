/**
 * Ctrl-C (SIGINT) and SIGTERM as an AbortSignal for the time `work` runs: the engine stops its schedule, lets
 * calls drain and signs every agent out; the handlers are removed again afterwards.
 */
export async function untilInterrupted<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await work(interrupt.signal);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
