// Each live sandbox runs as its own host uid, so per-uid limits (RLIMIT_NPROC)
// and file ownership never mix two learners.

export interface UidRange {
  /** First uid handed out. Pick a range no host account or file uses. */
  first: number;
  /** How many uids, i.e. how many shells may run at once. */
  count: number;
}

export const DEFAULT_UID_RANGE: UidRange = { first: 200_000, count: 10_000 };

export class UidPool {
  private readonly inUse = new Set<number>();

  constructor(private readonly range: UidRange) {
    if (!Number.isInteger(range.first) || range.first < 1000 || !Number.isInteger(range.count) || range.count < 1) {
      throw new RangeError("uid range must be integers with first >= 1000 and count >= 1");
    }
  }

  /** The lowest free uid, so freed uids are reused first. Skips uids `skip` rejects. */
  take(skip: (uid: number) => boolean = () => false): number {
    for (let uid = this.range.first; uid < this.range.first + this.range.count; uid++) {
      if (this.inUse.has(uid) || skip(uid)) continue;
      this.inUse.add(uid);
      return uid;
    }
    throw new Error(`All ${this.range.count} learner uids are in use; no more shells can start`);
  }

  release(uid: number): void {
    this.inUse.delete(uid);
  }
}
