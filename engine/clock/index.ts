// Time as a dependency: controllers, kubelets and back-off read the clock they
// are given, so tests advance a ManualClock instead of sleeping.

export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Run `fn` after `ms` of this clock's time. */
  schedule(ms: number, fn: () => void): Timer;
}

export const realClock: Clock = {
  now: () => Date.now(),
  schedule(ms, fn) {
    const handle = setTimeout(fn, ms);
    handle.unref?.();
    return { cancel: () => clearTimeout(handle) };
  },
};

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  /** Fired or cancelled: a heap entry to skip. */
  done: boolean;
}

const earlier = (a: Pending, b: Pending): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/**
 * A clock that moves only when a test says so; timers fire in time order
 * (ties in the order they were scheduled). Timers wait in a binary heap, and
 * cancelled ones are dropped when they reach the top: clusters schedule and
 * cancel thousands of timers, and benchmarks drive them with this clock.
 */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly heap: Pending[] = [];
  private live = 0;

  constructor(start = Date.parse("2026-01-01T00:00:00Z")) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  schedule(ms: number, fn: () => void): Timer {
    const entry: Pending = { at: this.current + Math.max(0, ms), seq: this.seq++, fn, done: false };
    this.push(entry);
    this.live++;
    return {
      cancel: () => {
        if (entry.done) return;
        entry.done = true;
        this.live--;
      },
    };
  }

  /** Advance time by `ms`, firing every timer that falls due, including ones scheduled meanwhile. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      while (this.heap[0]?.done) this.pop();
      const next = this.heap[0];
      if (!next || next.at > target) break;
      this.pop();
      next.done = true;
      this.live--;
      this.current = next.at;
      next.fn();
    }
    this.current = target;
  }

  /** How many timers are still waiting. */
  get waiting(): number {
    return this.live;
  }

  private push(entry: Pending): void {
    const heap = this.heap;
    let i = heap.push(entry) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(entry, heap[parent] as Pending)) break;
      heap[i] = heap[parent] as Pending;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && earlier(heap[right] as Pending, heap[left] as Pending) ? right : left;
      if (!earlier(heap[child] as Pending, last)) break;
      heap[i] = heap[child] as Pending;
      i = child;
    }
    heap[i] = last;
  }
}

export { ScaledClock } from "./scaled";
