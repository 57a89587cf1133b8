// Every session owns what it started; this frees it exactly once, newest first.

type Cleanup = () => void | Promise<void>;

export class Disposables {
  private readonly stack: Cleanup[] = [];
  private disposing: Promise<void> | undefined;

  /** Register a cleanup. After disposal has begun, it runs at once. */
  add(cleanup: Cleanup): void {
    if (this.disposing) {
      this.disposing = this.disposing.then(() => runAll([cleanup]));
      return;
    }
    this.stack.push(cleanup);
  }

  /** Run every cleanup once, even if some fail; the failures come back as one error. */
  dispose(): Promise<void> {
    this.disposing ??= runAll(this.stack.splice(0).reverse());
    return this.disposing;
  }
}

async function runAll(cleanups: Cleanup[]): Promise<void> {
  const errors: unknown[] = [];
  for (const cleanup of cleanups) {
    try {
      await cleanup();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, "several cleanups failed");
}
