/**
 * The FIFO event queue of one agent, with at most one waiting long poll. An event pushed while a poll waits
 * goes straight to it; otherwise it waits in the queue for the next poll.
 */

/** An event as the poll interface returns it. */
export interface MockEvent {
  eventType: string;
  workNo: string;
  content: unknown;
  eventGenTime?: number;
}

/** A waiting poll: take() resolves it with an event, or with null when the wait ends. */
export type Waiter = (event: MockEvent | null) => boolean;

export class EventQueue {
  private items: MockEvent[] = [];
  private head = 0;
  private waiter: Waiter | undefined;
  /** Events dropped because the queue was full. */
  overflowed = 0;

  private readonly max: number;
  constructor(max: number) {
    this.max = max;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  /** Hands the event to the waiting poll, or queues it. Returns true when a poll took it. */
  push(event: MockEvent): boolean {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      // A waiter whose connection is gone refuses the event; it is queued instead of lost.
      if (waiter(event)) return true;
    }
    if (this.length >= this.max) {
      this.shift();
      this.overflowed++;
    }
    this.items.push(event);
    return false;
  }

  /** The oldest queued event, if any. */
  shift(): MockEvent | undefined {
    if (this.head >= this.items.length) return undefined;
    const event = this.items[this.head];
    this.items[this.head] = undefined as unknown as MockEvent;
    this.head++;
    // Compact now and then so a long-lived queue does not keep a growing array.
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return event;
  }

  /** Registers the waiting poll; a poll already waiting is answered with no event (one poll per agent). */
  wait(waiter: Waiter): void {
    this.release();
    this.waiter = waiter;
  }

  /** Forgets the waiter without answering it (its connection closed). */
  cancel(waiter: Waiter): void {
    if (this.waiter === waiter) this.waiter = undefined;
  }

  /** Answers a waiting poll with no event. */
  release(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(null);
  }

  /** Drops every queued event and answers a waiting poll with none. Returns the number dropped. */
  clear(): number {
    const dropped = this.length;
    this.items = [];
    this.head = 0;
    this.release();
    return dropped;
  }
}
