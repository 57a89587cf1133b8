// Output bookkeeping that needs no pty: per-viewer back-pressure and the
// bounded scrollback replayed to a tab that (re)attaches.

export interface FlowLimits {
  /** Pause the shell when any viewer has this many unacknowledged characters. */
  highWater: number;
  /** Resume once every viewer is at or below this. */
  lowWater: number;
}

export const DEFAULT_FLOW: FlowLimits = { highWater: 256 * 1024, lowWater: 64 * 1024 };

/**
 * Counts output sent but not yet acknowledged, per viewer. Counts are string
 * lengths (UTF-16 units) of what `write` received, which is what the browser
 * acknowledges back. Hysteresis between the marks avoids pause/resume flapping.
 */
export class FlowGate<K> {
  private readonly pending = new Map<K, number>();
  private isPaused = false;

  constructor(
    private readonly limits: FlowLimits,
    private readonly onChange: (paused: boolean) => void,
  ) {
    if (!(limits.lowWater >= 0 && limits.lowWater < limits.highWater)) {
      throw new RangeError("flow control needs 0 <= lowWater < highWater");
    }
  }

  get paused(): boolean {
    return this.isPaused;
  }

  /** Unacknowledged characters of one viewer (0 when unknown). */
  unacked(key: K): number {
    return this.pending.get(key) ?? 0;
  }

  track(key: K): void {
    if (!this.pending.has(key)) this.pending.set(key, 0);
  }

  /** A detached viewer no longer holds the shell back. */
  untrack(key: K): void {
    this.pending.delete(key);
    this.update();
  }

  sent(key: K, count: number): void {
    const current = this.pending.get(key);
    if (current === undefined) return;
    this.pending.set(key, current + count);
    this.update();
  }

  /** Acks are clamped: a confused or hostile client cannot go negative. */
  ack(key: K, count: number): void {
    const current = this.pending.get(key);
    if (current === undefined || !(count > 0)) return;
    this.pending.set(key, Math.max(0, current - count));
    this.update();
  }

  private update(): void {
    let worst = 0;
    for (const value of this.pending.values()) worst = Math.max(worst, value);
    const next = this.isPaused ? worst > this.limits.lowWater : worst > this.limits.highWater;
    if (next !== this.isPaused) {
      this.isPaused = next;
      this.onChange(next);
    }
  }
}

/**
 * The last `max` characters of output. When trimmed, the replay starts after
 * a line break so it never begins inside an escape sequence or a UTF-16 pair.
 */
export class Scrollback {
  private buffer = "";

  constructor(private readonly max: number) {}

  push(data: string): void {
    this.buffer += data;
    // Trim with slack so pushing many small chunks stays linear.
    if (this.buffer.length > this.max + (this.max >> 2)) this.trim();
  }

  snapshot(): string {
    if (this.buffer.length > this.max) this.trim();
    return this.buffer;
  }


  private trim(): void {
    let start = this.buffer.length - this.max;
    const newline = this.buffer.indexOf("\n", start);
    // No line break in the kept window (one huge line): fall back to a
    // position that at least does not split a surrogate pair.
    if (newline !== -1) start = newline + 1;
    else if (isLowSurrogate(this.buffer.charCodeAt(start))) start += 1;
    this.buffer = this.buffer.slice(start);
  }
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
