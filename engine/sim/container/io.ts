// Streams between simulated processes: an input queue a process reads from
// (stdin of an exec, or a pipe), and the interrupt (Ctrl-C) a foreground
// command can wait on.

export class Input {
  private chunks: string[] = [];
  private ended = false;
  private waiter?: () => void;

  static of(text: string): Input {
    const input = new Input();
    if (text) input.push(text);
    input.end();
    return input;
  }

  push(text: string): void {
    if (this.ended) return;
    this.chunks.push(text);
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  get isEnded(): boolean {
    return this.ended && this.chunks.length === 0;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /** The next chunk, or null at end of input (or when `interrupt` fires). */
  async read(interrupt?: Interrupt): Promise<string | null> {
    for (;;) {
      const next = this.chunks.shift();
      if (next !== undefined) return next;
      if (this.ended || interrupt?.fired) return null;
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        const off = interrupt?.on(() => {
          if (this.waiter === resolve) this.waiter = undefined;
          resolve();
        });
        if (off) {
          const original = this.waiter;
          this.waiter = () => {
            off();
            original?.();
          };
        }
      });
      if (interrupt?.fired) return null;
    }
  }

  /** Everything until end of input. */
  async readAll(interrupt?: Interrupt): Promise<string> {
    let text = "";
    for (let chunk = await this.read(interrupt); chunk !== null; chunk = await this.read(interrupt)) text += chunk;
    return text;
  }
}

/** Ctrl-C / kill for the foreground job. Once fired, it stays fired for that job. */
export class Interrupt {
  fired = false;
  private listeners = new Set<() => void>();

  fire(): void {
    if (this.fired) return;
    this.fired = true;
    for (const l of [...this.listeners]) l();
    this.listeners.clear();
  }

  /** Call `fn` when fired; returns the unsubscribe. */
  on(fn: () => void): () => void {
    if (this.fired) {
      fn();
      return () => undefined;
    }
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
