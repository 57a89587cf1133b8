// The etcd role: objects by key, one cluster-wide revision that every write
// bumps (it becomes metadata.resourceVersion), and watches that replay a
// bounded history, so a watch from a revision older than the history answers
// "gone" (HTTP 410) exactly as a compacted etcd does.
//
// Stored objects are deep-frozen and shared with readers and watchers: no
// copy per reader, and any accidental mutation throws instead of silently
// changing cluster state. Writers clone (see `thaw`) before changing.
import type { KObject } from "../types";

export type StoreEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  type: StoreEventType;
  key: string;
  revision: number;
  object: KObject;
  /** The state before this event (MODIFIED only), so selector watches can see objects leave. */
  previous?: KObject;
}

export interface StoreSnapshot {
  revision: number;
  objects: [string, KObject][];
}

export class StoreError extends Error {
  constructor(
    readonly code: "NotFound" | "AlreadyExists" | "Conflict" | "Gone",
    message: string,
  ) {
    super(message);
  }
}

export interface Watch {
  stop(): void;
}

interface Watcher {
  prefix: string;
  seen: number;
  handler: (event: StoreEvent) => void;
  stopped: boolean;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as object)) deepFreeze(child);
  }
  return value;
}

/**
 * A private, mutable copy of a stored (frozen) object. Stored objects are plain
 * JSON data, so a direct copy does; it is several times faster than
 * structuredClone, and cloning is most of what creating a cluster costs.
 */
export function thaw<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(thaw) as T;
  const copy: Record<string, unknown> = {};
  for (const key in value) copy[key] = thaw((value as Record<string, unknown>)[key]);
  return copy as T;
}

/** `/<group>/<plural>/` of a key or prefix; undefined when it is shorter than that (e.g. "/"). */
function resourceOf(key: string): string | undefined {
  const group = key.indexOf("/", 1);
  const end = group < 0 ? -1 : key.indexOf("/", group + 1);
  return end < 0 ? undefined : key.slice(0, end + 1);
}

export class Store {
  private readonly objects = new Map<string, KObject>();
  /**
   * Keys per resource (`/<group>/<plural>/`): controllers list small resources
   * (a namespace's Services, quotas) on every pod change, and scanning every
   * key in the store (events, pods...) each time made that quadratic.
   */
  private readonly byResource = new Map<string, { keys: Set<string>; sorted?: string[] }>();
  private readonly history: StoreEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly pending: StoreEvent[] = [];
  private dispatching = false;
  private rev: number;
  /** The newest revision no longer in the history; older watches are gone. */
  private compacted: number;

  constructor(
    private readonly historyLimit = 1000,
    private readonly onWatcherError: (error: unknown) => void = (error) => console.error("sim store watcher failed:", error),
  ) {
    this.rev = 1;
    this.compacted = 1;
  }

  get revision(): number {
    return this.rev;
  }

  /** Open watches (tests use it to see that a departed client's watch was freed). */
  get watcherCount(): number {
    return this.watchers.size;
  }

  get(key: string): KObject | undefined {
    return this.objects.get(key);
  }

  /** Objects whose key starts with `prefix`, in key order (as etcd range reads). */
  list(prefix: string): KObject[] {
    const resource = resourceOf(prefix);
    const candidates = resource === undefined ? [...this.objects.keys()].sort() : this.sortedKeys(resource);
    const objects: KObject[] = [];
    for (const key of candidates) if (key.startsWith(prefix)) objects.push(this.objects.get(key) as KObject);
    return objects;
  }

  /** The keys of one resource in order, sorted again only after a create or delete there. */
  private sortedKeys(resource: string): readonly string[] {
    const entry = this.byResource.get(resource);
    if (!entry) return [];
    entry.sorted ??= [...entry.keys].sort();
    return entry.sorted;
  }

  private indexKey(key: string, present: boolean): void {
    const resource = resourceOf(key) ?? "";
    let entry = this.byResource.get(resource);
    if (!entry) this.byResource.set(resource, (entry = { keys: new Set() }));
    if (present === entry.keys.has(key)) return;
    if (present) entry.keys.add(key);
    else entry.keys.delete(key);
    entry.sorted = undefined;
  }

  create(key: string, object: KObject): KObject {
    if (this.objects.has(key)) throw new StoreError("AlreadyExists", key);
    return this.write("ADDED", key, object);
  }

  /** Replace the object at `key`; with `expectedRevision`, only if nobody wrote it since. */
  update(key: string, object: KObject, expectedRevision?: string): KObject {
    const current = this.objects.get(key);
    if (!current) throw new StoreError("NotFound", key);
    if (expectedRevision !== undefined && expectedRevision !== current.metadata.resourceVersion) {
      throw new StoreError("Conflict", key);
    }
    return this.write("MODIFIED", key, object, current);
  }

  delete(key: string): KObject {
    const current = this.objects.get(key);
    if (!current) throw new StoreError("NotFound", key);
    this.objects.delete(key);
    this.indexKey(key, false);
    // The DELETED event carries the last state stamped with the deletion's revision.
    const last = thaw(current);
    last.metadata.resourceVersion = String(++this.rev);
    const frozen = deepFreeze(last);
    this.record({ type: "DELETED", key, revision: this.rev, object: frozen });
    return frozen;
  }

  /**
   * Events for keys under `prefix` after revision `from` (replayed from the
   * history), then live ones. Without `from`, live events only.
   */
  watch(prefix: string, from: number | undefined, handler: (event: StoreEvent) => void): Watch {
    const start = from ?? this.rev;
    if (start < this.compacted) {
      throw new StoreError("Gone", `too old resource version: ${start} (${this.compacted})`);
    }
    const watcher: Watcher = { prefix, seen: start, handler, stopped: false };
    const replay = this.history.filter((e) => e.revision > start && e.key.startsWith(prefix));
    this.watchers.add(watcher);
    for (const event of replay) this.deliver(watcher, event);
    return {
      stop: () => {
        watcher.stopped = true;
        this.watchers.delete(watcher);
      },
    };
  }

  snapshot(): StoreSnapshot {
    return { revision: this.rev, objects: [...this.objects.entries()].map(([k, v]) => [k, thaw(v)]) };
  }

  /** A store holding a snapshot's objects; watches must start at or after its revision. */
  static restore(snapshot: StoreSnapshot, historyLimit?: number): Store {
    const store = new Store(historyLimit);
    for (const [key, object] of snapshot.objects) {
      store.objects.set(key, deepFreeze(thaw(object)));
      store.indexKey(key, true);
    }
    store.rev = snapshot.revision;
    store.compacted = snapshot.revision;
    return store;
  }

  private write(type: StoreEventType, key: string, object: KObject, previous?: KObject): KObject {
    const stored = thaw(object);
    stored.metadata.resourceVersion = String(++this.rev);
    const frozen = deepFreeze(stored);
    this.objects.set(key, frozen);
    this.indexKey(key, true);
    this.record({ type, key, revision: this.rev, object: frozen, previous });
    return frozen;
  }

  private record(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compacted = (dropped.at(-1) as StoreEvent).revision;
    }
    this.pending.push(event);
    // Writes made by a handler are queued, so every watcher sees events in revision order.
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let event = this.pending.shift(); event; event = this.pending.shift()) {
        for (const watcher of [...this.watchers]) this.deliver(watcher, event);
      }
    } finally {
      this.dispatching = false;
    }
  }

  private deliver(watcher: Watcher, event: StoreEvent): void {
    if (watcher.stopped || event.revision <= watcher.seen || !event.key.startsWith(watcher.prefix)) return;
    watcher.seen = event.revision;
    try {
      watcher.handler(event);
    } catch (error) {
      // One broken watcher must not undo a committed write or starve the others.
      this.onWatcherError(error);
    }
  }
}
