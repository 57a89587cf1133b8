// A clock that runs `factor` times as fast as the clock it wraps (a lesson's
// time-lapse: 10 makes a 5-minute toleration pass in 30 s). At factor 1 it is
// the wrapped clock exactly. Changing the factor keeps time continuous;
// timers already waiting keep the delay they were given in wrapped time.
import type { Clock, Timer } from "./index";

export class ScaledClock implements Clock {
  private anchorBase: number;
  private anchorScaled: number;
  private rate = 1;

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
  }

  now(): number {
    return this.anchorScaled + Math.floor((this.base.now() - this.anchorBase) * this.rate);
  }

  schedule(ms: number, fn: () => void): Timer {
    return this.base.schedule(ms / this.rate, fn);
  }
}
