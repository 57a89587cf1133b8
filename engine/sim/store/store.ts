// The etcd role: objects by key, one cluster-wide revision that every write
// bumps (it becomes metadata.resourceVersion), and watches that replay a
// bounded history, so a watch from a revision older than the history answers
// "gone" (HTTP 410) exactly as a compacted etcd does.
//
// Stored objects are deep-frozen and shared with readers and watchers: no
// copy per reader, and any accidental mutation throws instead of silently
// changing cluster state. Writers clone (see `thaw`) before changing, and the
// store takes over what it is given (no copy of its own); an update shares
// the parts it leaves unchanged with the version before it.
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

/**
 * How much watch history the store keeps, as the API server's watch cache:
 * every event younger than `keepMs` of clock time (upstream: 75 s), but never
 * more than `limit` events, and events older than that only while fewer
 * than `floor` are kept. Without `now`, the newest `limit` events. Leases
 * renewed every few seconds would otherwise fill a long history with copies.
 */
export interface HistoryOptions {
  limit?: number;
  floor?: number;
  keepMs?: number;
  now?: () => number;
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

/** Freeze what is not frozen yet (parts shared with a stored object are, whole). */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    if (Array.isArray(value)) for (const item of value) deepFreeze(item);
    else for (const key in value) deepFreeze(value[key]);
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

/**
 * Point every part of `next` that equals the same part of `previous` (same
 * keys in the same order, same values) at `previous`'s frozen part, so a write
 * freezes and keeps only what changed, and comparing the two is mostly `===`.
 * `next` is changed in place; its frozen parts are left as they are. Returns
 * `previous` when the two are equal throughout, else `next`.
 */
export function shareUnchanged<T>(previous: T, next: T): T {
  if (previous === next) return previous;
  if (typeof next !== "object" || next === null || typeof previous !== "object" || previous === null || Object.isFrozen(next)) return next;
  if (Array.isArray(next)) return Array.isArray(previous) ? (shareItems(previous, next) as T) : next;
  if (Array.isArray(previous)) return next;
  const from = previous as Record<string, unknown>;
  const to = next as Record<string, unknown>;
  let same = true;
  let count = 0;
  for (const key in to) {
    count++;
    const before = from[key];
    if (before === undefined && !Object.hasOwn(from, key)) {
      same = false;
      continue;
    }
    const shared = shareUnchanged(before, to[key]);
    if (shared !== to[key]) to[key] = shared;
    if (shared !== before) same = false;
  }
  return same && sameKeyOrder(from, count, to) ? previous : next;
}

function shareItems(previous: unknown[], next: unknown[]): unknown[] {
  let same = previous.length === next.length;
  for (let i = 0; i < next.length && i < previous.length; i++) {
    const shared = shareUnchanged(previous[i], next[i]);
    if (shared !== next[i]) next[i] = shared;
    if (shared !== previous[i]) same = false;
  }
  return same ? previous : next;
}

/** Whether `previous` has exactly `count` keys, in `next`'s order (JSON output keeps key order). */
function sameKeyOrder(previous: object, count: number, next: object): boolean {
  const before = Object.keys(previous);
  if (before.length !== count) return false;
  let i = 0;
  for (const key in next) if (before[i++] !== key) return false;
  return true;
}

/** `/<group>/<plural>/` of a key or prefix; undefined when it is shorter than that (e.g. "/"). */
function resourceOf(key: string): string | undefined {
  const group = key.indexOf("/", 1);
  const end = group < 0 ? -1 : key.indexOf("/", group + 1);
  return end < 0 ? undefined : key.slice(0, end + 1);
}

/** The first position in `sorted` whose key is not below `key`. */
function lowerBound(sorted: readonly string[], key: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as string) < key) low = middle + 1;
    else high = middle;
  }
  return low;
}

interface ResourceIndex {
  /** Each key mapped to itself: the one copy of the string that the history's events share. */
  keys: Map<string, string>;
  /** The keys in order with their objects at the same positions; made again only after a create or delete. */
  sorted?: { keys: string[]; objects: KObject[] };
}

export class Store {
  private readonly objects = new Map<string, KObject>();
  /**
   * Keys per resource (`/<group>/<plural>/`): controllers list small resources
   * (a namespace's Services, quotas) on every pod change, and scanning every
   * key in the store (events, pods...) each time made that quadratic. The
   * scheduler and kubelets list every pod per pod, so a list is a slice.
   */
  private readonly byResource = new Map<string, ResourceIndex>();
  private readonly watchers = new Set<Watcher>();
  /** `watchers` as an array, made again only after a watch starts or stops (every write walks it). */
  private watcherList?: Watcher[];
  private readonly pending: StoreEvent[] = [];
  private dispatching = false;
  private rev: number;
  /** The newest revision no longer in the history; older watches are gone. */
  private compacted: number;

  private readonly history: StoreEvent[] = [];
  /** When each event in `history` was written (clock ms), at the same positions. */
  private readonly historyTimes: number[] = [];
  private readonly historyPolicy: Required<Omit<HistoryOptions, "now">> & Pick<HistoryOptions, "now">;

  constructor(
    history: HistoryOptions = {},
    private readonly onWatcherError: (error: unknown) => void = (error) => console.error("sim store watcher failed:", error),
  ) {
    this.historyPolicy = { limit: history.limit ?? 1000, floor: history.floor ?? 100, keepMs: history.keepMs ?? 75_000, now: history.now };
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
    if (resource === undefined) {
      const objects: KObject[] = [];
      for (const key of [...this.objects.keys()].sort()) if (key.startsWith(prefix)) objects.push(this.objects.get(key) as KObject);
      return objects;
    }
    const sorted = this.sorted(resource);
    if (!sorted) return [];
    if (prefix === resource) return sorted.objects.slice();
    // The keys under a longer prefix (a namespace) are one run in key order.
    const start = lowerBound(sorted.keys, prefix);
    let end = start;
    while (end < sorted.keys.length && (sorted.keys[end] as string).startsWith(prefix)) end++;
    return sorted.objects.slice(start, end);
  }

  private sorted(resource: string): ResourceIndex["sorted"] {
    const entry = this.byResource.get(resource);
    if (!entry) return undefined;
    if (!entry.sorted) {
      const keys = [...entry.keys.keys()].sort();
      entry.sorted = { keys, objects: keys.map((key) => this.objects.get(key) as KObject) };
    }
    return entry.sorted;
  }

  /**
   * Keep the resource index right after `key` was written (`object`) or
   * deleted (undefined). Returns the stored copy of the key: callers build
   * keys afresh for every request, and a lease renewed every 2 s would
   * otherwise leave hundreds of copies of its key in the history.
   */
  private indexKey(key: string, object: KObject | undefined): string {
    const resource = resourceOf(key) ?? "";
    let entry = this.byResource.get(resource);
    if (!entry) this.byResource.set(resource, (entry = { keys: new Map() }));
    const stored = entry.keys.get(key);
    if (!!object === (stored !== undefined)) {
      // An update: the object at its position changes.
      if (object && entry.sorted) entry.sorted.objects[lowerBound(entry.sorted.keys, key)] = object;
      return stored ?? key;
    }
    if (object) entry.keys.set(key, key);
    else entry.keys.delete(key);
    entry.sorted = undefined;
    return key;
  }

  /** Store `object` (taken over and frozen: pass a copy of anything you keep changing). */
  create(key: string, object: KObject): KObject {
    if (this.objects.has(key)) throw new StoreError("AlreadyExists", key);
    return this.write("ADDED", key, object);
  }

  /** Replace the object at `key` (taking `object` over, as `create`); with `expectedRevision`, only if nobody wrote it since. */
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
    const storedKey = this.indexKey(key, undefined);
    // The DELETED event carries the last state stamped with the deletion's revision.
    const frozen = deepFreeze({ ...current, metadata: { ...current.metadata, resourceVersion: String(++this.rev) } });
    this.record({ type: "DELETED", key: storedKey, revision: this.rev, object: frozen });
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
    this.watcherList = undefined;
    for (const event of replay) this.deliver(watcher, event);
    return {
      stop: () => {
        watcher.stopped = true;
        this.watchers.delete(watcher);
        this.watcherList = undefined;
      },
    };
  }

  snapshot(): StoreSnapshot {
    return { revision: this.rev, objects: [...this.objects.entries()].map(([k, v]) => [k, thaw(v)]) };
  }

  /** A store holding a snapshot's objects; watches must start at or after its revision. */
  static restore(snapshot: StoreSnapshot, history?: HistoryOptions): Store {
    const store = new Store(history);
    for (const [key, object] of snapshot.objects) {
      const frozen = deepFreeze(thaw(object));
      store.objects.set(key, frozen);
      store.indexKey(key, frozen);
    }
    store.rev = snapshot.revision;
    store.compacted = snapshot.revision;
    return store;
  }

  private write(type: StoreEventType, key: string, object: KObject, previous?: KObject): KObject {
    if (previous) shareUnchanged(previous, object);
    // Only the top level and metadata need to be writable, to stamp the revision.
    const stored = Object.isFrozen(object) ? { ...object } : object;
    if (Object.isFrozen(stored.metadata)) stored.metadata = { ...stored.metadata };
    stored.metadata.resourceVersion = String(++this.rev);
    const frozen = deepFreeze(stored);
    this.objects.set(key, frozen);
    const storedKey = this.indexKey(key, frozen);
    this.record({ type, key: storedKey, revision: this.rev, object: frozen, previous });
    return frozen;
  }

  private record(event: StoreEvent): void {
    this.history.push(event);
    this.compact();
    this.pending.push(event);
    // Writes made by a handler are queued, so every watcher sees events in revision order.
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let event = this.pending.shift(); event; event = this.pending.shift()) {
        const watchers = (this.watcherList ??= [...this.watchers]);
        for (const watcher of watchers) this.deliver(watcher, event);
      }
    } finally {
      this.dispatching = false;
    }
  }

  /** Drop the events the history no longer keeps (see HistoryOptions); watches from before them are gone. */
  private compact(): void {
    const { limit, floor, keepMs, now } = this.historyPolicy;
    const time = now?.();
    if (time !== undefined) this.historyTimes.push(time);
    // shift(), not splice(0, n): V8 trims the front in place, splice moves the whole history on every write.
    while (this.history.length > limit || (time !== undefined && this.history.length > floor && time - (this.historyTimes[0] as number) > keepMs)) {
      this.compacted = (this.history.shift() as StoreEvent).revision;
      this.historyTimes.shift();
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
