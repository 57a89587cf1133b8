// A clock that runs `factor` times as fast as the clock it wraps (a lesson's
// time-lapse: 10 makes a 5-minute toleration pass in 30 s). At factor 1 it is
// the wrapped clock exactly. Changing the factor keeps time continuous, and
// timers already waiting keep their due time on this clock: a lease renewal
// set for 10 s still comes 10 s later, or a time-lapse switched on after the
// cluster started would leave its nodes silent long enough to go NotReady.
import type { Clock, Timer } from "./index";

interface Waiting {
  /** When it is due, on this clock. */
  due: number;
  fn: () => void;
  timer?: Timer;
}

export class ScaledClock implements Clock {
  private anchorBase: number;
  private anchorScaled: number;
  private rate = 1;
  private readonly waiting = new Set<Waiting>();

  constructor(private readonly base: Clock) {
    this.anchorBase = base.now();
    this.anchorScaled = this.anchorBase;
  }

  get factor(): number {
    return this.rate;
  }

  /** Run `factor` times faster than the wrapped clock from now on (must be > 0). */
  setFactor(factor: number): void {
    if (!(factor > 0) || !Number.isFinite(factor)) throw new Error(`time scale must be a positive number, got ${factor}`);
    const now = this.now();
    this.anchorBase = this.base.now();
    this.anchorScaled = now;
    this.rate = factor;
    // In the order they were set, so timers due at the same time still fire in that order.
    for (const entry of [...this.waiting]) {
      entry.timer?.cancel();
      this.arm(entry, entry.due - now);
    }
  }

  now(): number {
    // Rounded, not floored: a timer's wrapped delay (ms / factor) is rarely exact in floating point, and
    // flooring made a timer fire while now() still read 1 ms before its due time.
    return this.anchorScaled + Math.round((this.base.now() - this.anchorBase) * this.rate);
  }

  schedule(ms: number, fn: () => void): Timer {
    const delay = Math.max(0, ms);
    const entry: Waiting = { due: this.now() + delay, fn };
    this.arm(entry, delay);
    return {
      cancel: () => {
        entry.timer?.cancel();
        this.waiting.delete(entry);
      },
    };
  }

  private arm(entry: Waiting, delay: number): void {
    this.waiting.add(entry);
    entry.timer = this.base.schedule(Math.max(0, delay) / this.rate, () => {
      this.waiting.delete(entry);
      entry.fn();
    });
  }
}
