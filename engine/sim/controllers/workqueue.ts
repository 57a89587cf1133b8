// A keyed work queue, the heart of every reconcile loop: watch events only
// add keys; keys are deduplicated and reconciled after the current write
// settles (a microtask, not a timer: no clock time passes), and a reconcile
// that must wait asks for a retry after a delay on the injected clock.
import type { Clock, Timer } from "../../clock";

export class WorkQueue {
  private readonly queued = new Set<string>();
  private readonly delayed = new Map<string, Timer>();
  private scheduled = false;
  private disposed = false;

  constructor(
    private readonly clock: Clock,
    private readonly reconcile: (key: string) => void,
  ) {}

  add(key: string): void {
    if (this.disposed) return;
    this.queued.add(key);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.drain());
  }

  /** Reconcile `key` again after `ms` of clock time (replacing an earlier request). */
  addAfter(key: string, ms: number): void {
    if (this.disposed) return;
    this.delayed.get(key)?.cancel();
    this.delayed.set(
      key,
      this.clock.schedule(ms, () => {
        this.delayed.delete(key);
        this.add(key);
      }),
    );
  }

  dispose(): void {
    this.disposed = true;
    for (const timer of this.delayed.values()) timer.cancel();
    this.delayed.clear();
    this.queued.clear();
  }

  private drain(): void {
    this.scheduled = false;
    // Keys added while draining run in this same pass.
    for (const key of this.queued) {
      this.queued.delete(key);
      if (this.disposed) return;
      try {
        this.reconcile(key);
      } catch (error) {
        console.error(`sim: reconcile of ${key} failed:`, error);
      }
    }
  }
}
