/**
 * Time for the mock: every timestamp and timer goes through a Clock, so tests can drive Guid rotation, the
 * no-poll sign-out and event timing with a manual clock instead of waiting.
 */

/** An opaque timer handle returned by a Clock. */
export type TimerHandle = { readonly id: number };

/** Source of time and timers. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs fn once after ms milliseconds. */
  setTimer(fn: () => void, ms: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
  /** Cancels every pending timer (on shutdown). */
  clearAll?(): void;
}

/** The wall clock with Node timers. */
export function systemClock(): Clock {
  const timers = new Map<number, NodeJS.Timeout>();
  let next = 0;
  return {
    now: () => Date.now(),
    setTimer(fn, ms) {
      const id = ++next;
      const timer = setTimeout(() => {
        timers.delete(id);
        fn();
      }, ms);
      timers.set(id, timer);
      return { id };
    },
    clearTimer(handle) {
      const timer = timers.get(handle.id);
      if (timer) {
        clearTimeout(timer);
        timers.delete(handle.id);
      }
    },
    clearAll() {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}

/** A clock that only moves when told to; timers fire in due order during advance(). */
export class ManualClock implements Clock {
  private current: number;
  private next = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  /** @param start epoch milliseconds to start at */
  constructor(start = Date.UTC(2025, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const id = ++this.next;
    this.timers.set(id, { at: this.current + Math.max(0, ms), fn });
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }

  /** Moves time forward by ms, firing every timer that falls due, earliest first. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      let dueId = -1;
      let dueAt = Number.POSITIVE_INFINITY;
      for (const [id, timer] of this.timers) {
        if (timer.at <= target && (timer.at < dueAt || (timer.at === dueAt && id < dueId))) {
          dueId = id;
          dueAt = timer.at;
        }
      }
      const due = this.timers.get(dueId);
      if (!due) break;
      this.timers.delete(dueId);
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = target;
  }

  /** Number of timers not yet fired. */
  get pending(): number {
    return this.timers.size;
  }
}
