// Keeps each sim cluster's state in a ClusterStateStore so a server restart
// loses no learner work: the store (as an etcd snapshot file) and the admin
// token (ServiceAccount tokens are keyed from it), gzipped. Saves run every
// `intervalMs` of clock for clusters with learner-visible changes, and once
// more on close. Lease renewals (a heartbeat every 10 s per node) change
// nothing a learner made, so they alone never trigger a save.
import { gunzipSync, gzipSync } from "node:zlib";
import type { Clock, Timer } from "../clock";
import type { ClusterStateStore } from "../cluster";
import type { SimCluster } from "./cluster/cluster";
import { encodeSnapshot } from "./store/snapshot-file";
import type { Watch } from "./store/store";

const DRIVER = "sim";
const HEARTBEATS = "/coordination.k8s.io/leases/";

/** What a saved cluster comes back from: its admin token and etcd snapshot bytes. */
export interface SavedSimCluster {
  token: string;
  etcd: string;
}

interface Tracked {
  cluster: SimCluster;
  watch: Watch;
  dirty: boolean;
}

export class SimStateKeeper {
  private readonly tracked = new Map<string, Tracked>();
  private timer?: Timer;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: {
      store: ClusterStateStore;
      clock: Clock;
      intervalMs: number;
      log: (message: string, error?: unknown) => void;
    },
  ) {}

  /** The learner's saved cluster, if any; unreadable state is logged and ignored, never fatal. */
  async load(learnerId: string): Promise<SavedSimCluster | undefined> {
    try {
      const saved = await this.options.store.load(learnerId, DRIVER);
      if (!saved) return undefined;
      const parsed = JSON.parse(gunzipSync(saved.data).toString("utf8")) as Partial<SavedSimCluster>;
      if (typeof parsed.token !== "string" || typeof parsed.etcd !== "string") throw new Error("saved state lacks token or snapshot");
      return { token: parsed.token, etcd: parsed.etcd };
    } catch (error) {
      this.options.log(`saved cluster of ${learnerId} could not be read; starting a fresh one`, error);
      return undefined;
    }
  }

  /** Start saving this learner's cluster when it changes; `dirty` saves it at the next tick even if unchanged. */
  track(learnerId: string, cluster: SimCluster, dirty = false): void {
    this.untrack(learnerId);
    const entry: Tracked = {
      cluster,
      dirty,
      watch: cluster.store.watch("/", cluster.store.revision, (event) => {
        if (!event.key.startsWith(HEARTBEATS)) entry.dirty = true;
      }),
    };
    this.tracked.set(learnerId, entry);
    this.timer ??= this.options.clock.schedule(this.options.intervalMs, () => this.tick());
  }

  /** Stop saving the learner's cluster and drop what was saved (the cluster is gone for good). */
  async forget(learnerId: string): Promise<void> {
    this.untrack(learnerId);
    await this.options.store.remove(learnerId).catch((error: unknown) => this.options.log(`could not remove saved cluster of ${learnerId}`, error));
  }

  /** Save every changed cluster now and stop the timer (server shutdown). */
  async close(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    await this.saveChanged();
    for (const learnerId of [...this.tracked.keys()]) this.untrack(learnerId);
  }

  /** Save every changed cluster; saves never overlap. */
  saveChanged(): Promise<void> {
    this.saving = this.saving.then(async () => {
      for (const [learnerId, entry] of this.tracked) {
        if (!entry.dirty) continue;
        entry.dirty = false;
        const { store, token } = entry.cluster;
        const data = gzipSync(JSON.stringify({ token, etcd: encodeSnapshot(store.snapshot()) } satisfies SavedSimCluster));
        try {
          await this.options.store.save(learnerId, { driver: DRIVER, revision: store.revision, data });
        } catch (error) {
          entry.dirty = true;
          this.options.log(`could not save the cluster of ${learnerId}`, error);
        }
      }
    });
    return this.saving;
  }

  private tick(): void {
    this.timer = this.tracked.size ? this.options.clock.schedule(this.options.intervalMs, () => this.tick()) : undefined;
    void this.saveChanged();
  }

  private untrack(learnerId: string): void {
    this.tracked.get(learnerId)?.watch.stop();
    this.tracked.delete(learnerId);
  }
}
