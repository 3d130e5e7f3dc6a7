/**
 * This process's own stalls, for verdicts that rest on time: a ticker every 20 ms notes how late it fired, so a
 * judge can ask how long this client could not run (a busy machine, a long garbage collection) between two
 * moments.
 * A Guid the gateway refused after such a stall, or a poll that seemed held past an event, may be the client's
 * doing, not the gateway's. Started on first use; its timer never keeps the process alive.
 */

const TICK_MS = 20;
/** Stalls are kept this long: longer than any case waits. */
const KEEP_MS = 10 * 60_000;

/** Ticks that fired late: when, and by how much. */
const stalls: { at: number; lateMs: number }[] = [];
let timer: NodeJS.Timeout | undefined;
let expected = 0;

/** Starts watching this process (idempotent). */
export function watchStalls(): void {
  if (timer) return;
  expected = Date.now() + TICK_MS;
  timer = setInterval(() => {
    const now = Date.now();
    const lateMs = now - expected;
    expected = now + TICK_MS;
    if (lateMs < TICK_MS) return;
    stalls.push({ at: now, lateMs });
    while (stalls.length > 0 && (stalls[0]?.at ?? now) < now - KEEP_MS) stalls.shift();
  }, TICK_MS);
  timer.unref();
}

/** Milliseconds of [start, end] within [fromMs, toMs]. */
const overlap = (start: number, end: number, fromMs: number, toMs: number) =>
  Math.max(0, Math.min(end, toMs) - Math.max(start, fromMs));

/**
 * How long, in all, this process could not run within [fromMs, toMs] (epoch ms): its stalls there added up (many
 * short ones on a busy machine delay an answer as much as one long one). 0 when there was none, or when the
 * process is not watched (then nothing can be said, and the caller judges as before).
 */
export function stallWithin(fromMs: number, toMs: number): number {
  let total = 0;
  for (const s of stalls) total += overlap(s.at - s.lateMs, s.at, fromMs, toMs);
  // A stall still going as far as the ticker knows: the answer being judged may be what the process did first.
  const pending = Date.now() - expected;
  if (timer && pending >= TICK_MS) total += overlap(expected, Date.now(), fromMs, Math.max(toMs, Date.now()));
  return total;
}

/**
 * Stalls of this process adding up to this long may explain what a gateway did meanwhile by its own clock (a
 * Guid aged past its validity, a poll's wait run out): a verdict on timing is not given across them.
 */
export const STALL_EXPLAINS_MS = 500;
