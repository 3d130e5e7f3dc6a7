/**
 * This process's own stalls, for verdicts that rest on time: a ticker every 20 ms notes how late it fired, so a
 * judge can ask whether this client stalled (a busy machine, a long garbage collection) between two moments.
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

/**
 * The longest stall of this process overlapping [fromMs, toMs] (epoch ms), in ms; 0 when there was none, or when
 * the process is not watched (then nothing can be said, and the caller judges as before).
 */
export function stallWithin(fromMs: number, toMs: number): number {
  let longest = 0;
  for (const s of stalls) {
    if (s.at >= fromMs && s.at - s.lateMs <= toMs) longest = Math.max(longest, s.lateMs);
  }
  // A stall still going as far as the ticker knows: the answer being judged may be what the process did first.
  const pending = Date.now() - expected;
  if (timer && pending >= TICK_MS && expected <= toMs) longest = Math.max(longest, pending);
  return longest;
}

/**
 * A stall of this process at least this long may explain what a gateway did meanwhile by its own clock (a Guid
 * aged past its validity, a poll's wait run out): a verdict on timing is not given across it.
 */
export const STALL_EXPLAINS_MS = 1000;
