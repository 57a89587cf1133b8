// The event recorder controllers and kubelets use: core/v1 Events named
// `<object>.<hex nanos>`, passed through a correlator that behaves like
// client-go's (tools/record): identical repeats fold into one event whose count
// and lastTimestamp grow; from the 10th distinct message of one source, object,
// type and reason within 10 minutes they fold into one "(combined from similar
// events)" event; and a token bucket per source, object and type (burst 25, one
// token back every 5 minutes) drops writes beyond it.
import type { Clock } from "../../clock";
import type { ResourceService } from "../apiserver/service";
import { microTimestamp, timestamp, type ResourceType } from "../registry";
import type { CoreEvent, KObject, ObjectReference } from "../types";

/**
 * Entries per correlator cache, so a long-lived cluster stays bounded. Upstream's hold 4096,
 * one set per component process; a server holds a thousand clusters, so ours hold fewer
 * (about 400 bytes an entry): a learner's cluster rarely has a thousand recent distinct events.
 */
export const CORRELATOR_CACHE_ENTRIES = 1024;
/** The distinct message count at which similar events are combined (upstream combines the 10th). */
const SIMILAR_MESSAGES_TO_COMBINE = 10;
/** A similar event after this long a pause starts the count of distinct messages afresh. */
const SIMILAR_WINDOW_MS = 10 * 60_000;
const COMBINED_PREFIX = "(combined from similar events): ";
const SPAM_BURST = 25;
const SPAM_REFILL_MS = 5 * 60_000;

export interface EventSpec {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
  component: string;
  host?: string;
  fieldPath?: string;
}

export function referenceTo(object: KObject, fieldPath?: string): ObjectReference {
  const ref: ObjectReference = { kind: object.kind, name: object.metadata.name, uid: object.metadata.uid, apiVersion: object.apiVersion, resourceVersion: object.metadata.resourceVersion };
  if (object.metadata.namespace) ref.namespace = object.metadata.namespace;
  if (fieldPath) ref.fieldPath = fieldPath;
  return ref;
}

/**
 * A Map bounded to `limit` keys, dropping the one written longest ago. The recorder writes
 * back every entry it reads, so that is the least recently used one, as in upstream's LRU.
 */
class LruCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly limit: number) {}

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as string);
  }
}

/** Distinct messages of one source+object+type+reason seen lately (at most 9: the 10th is combined). */
interface SimilarEvents {
  messages: Set<string>;
  lastSeen: number;
}

/** The event an occurrence folds into: its name, how often it happened, since when. */
interface Observation {
  name: string;
  count: number;
  firstTimestamp: string;
}

/** A token bucket kept as milliseconds of refill: one event costs SPAM_REFILL_MS (integers, so no drift). */
interface SpamBucket {
  credit: number;
  at: number;
}

export class EventRecorder {
  private readonly similar = new LruCache<SimilarEvents>(CORRELATOR_CACHE_ENTRIES);
  private readonly observed = new LruCache<Observation>(CORRELATOR_CACHE_ENTRIES);
  private readonly buckets = new LruCache<SpamBucket>(CORRELATOR_CACHE_ENTRIES);
  private lastNanos = 0n;

  constructor(
    private readonly service: ResourceService,
    private readonly eventType: ResourceType,
    private readonly clock: Clock,
  ) {}

  /** A core/v1 event from a component such as the kubelet or a controller. */
  record(object: KObject, spec: EventSpec): void {
    const namespace = object.metadata.namespace ?? "default";
    const involvedObject = referenceTo(object, spec.fieldPath);
    const now = this.clock.now();
    // Each key extends the previous one. Only the message can hold a NUL (probe output) and it comes last, so NUL joins are unambiguous.
    const objectKey = involvedObject.uid || `${involvedObject.kind ?? ""}\0${namespace}\0${involvedObject.name ?? ""}`;
    const spamKey = `${spec.component}\0${spec.host ?? ""}\0${objectKey}\0${spec.type}`;
    const similarKey = `${spamKey}\0${spec.reason}`;
    const combined = this.isCombined(similarKey, spec.message, now);
    // A combined event is one event for the whole group: its key is the group's, distinct from any single event's (which is longer).
    const observationKey = combined ? similarKey : `${similarKey}\0${involvedObject.fieldPath ?? ""}\0${spec.message}`;
    const message = combined ? COMBINED_PREFIX + spec.message : spec.message;
    const stamp = timestamp(now);
    // The count grows even when the spam filter then drops the write, as upstream's: the next write that passes shows it.
    const observation = this.observed.get(observationKey) ?? { name: this.eventName(object), count: 0, firstTimestamp: stamp };
    observation.count++;
    this.observed.set(observationKey, observation);
    if (!this.takeToken(spamKey, now)) return;
    const updated =
      observation.count > 1 &&
      this.service.mutate(this.eventType, namespace, observation.name, (e) => {
        const event = e as CoreEvent;
        event.count = observation.count;
        event.lastTimestamp = stamp;
        event.message = message;
      });
    if (updated) return;
    // New, or deleted since (TTL, namespace): created afresh under the name and count it already has.
    const source = spec.host ? { component: spec.component, host: spec.host } : { component: spec.component };
    this.create(namespace, {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: observation.name, namespace },
      involvedObject,
      reason: spec.reason,
      message,
      source,
      firstTimestamp: observation.firstTimestamp,
      lastTimestamp: stamp,
      count: observation.count,
      type: spec.type,
      eventTime: null,
      reportingComponent: spec.component,
      reportingInstance: spec.host ?? "",
    });
  }

  /** An events.k8s.io-style event (the scheduler's): eventTime and action, no first/last timestamps. */
  recordAction(object: KObject, spec: EventSpec & { action: string; instance: string }): void {
    const namespace = object.metadata.namespace ?? "default";
    this.create(namespace, {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: this.eventName(object), namespace },
      involvedObject: referenceTo(object),
      reason: spec.reason,
      message: spec.message,
      source: {},
      firstTimestamp: null,
      lastTimestamp: null,
      type: spec.type,
      eventTime: microTimestamp(this.clock.now()),
      action: spec.action,
      reportingComponent: spec.component,
      reportingInstance: spec.instance,
    });
  }

  /**
   * Notes `message` among its group's recent distinct messages; true once there are 10 of
   * them (this one included), when the occurrence goes to the group's combined event. The
   * oldest message is then forgotten, so every further new message is combined too.
   */
  private isCombined(similarKey: string, message: string, now: number): boolean {
    let group = this.similar.get(similarKey);
    if (!group || now - group.lastSeen > SIMILAR_WINDOW_MS) group = { messages: new Set(), lastSeen: now };
    group.messages.add(message);
    group.lastSeen = now;
    this.similar.set(similarKey, group);
    if (group.messages.size < SIMILAR_MESSAGES_TO_COMBINE) return false;
    group.messages.delete(group.messages.values().next().value as string);
    return true;
  }

  /** The spam filter: false when the source has used up its writes about this object and type. */
  private takeToken(spamKey: string, now: number): boolean {
    const full = SPAM_BURST * SPAM_REFILL_MS;
    const bucket = this.buckets.get(spamKey) ?? { credit: full, at: now };
    bucket.credit = Math.min(full, bucket.credit + Math.max(0, now - bucket.at));
    bucket.at = Math.max(bucket.at, now);
    this.buckets.set(spamKey, bucket);
    if (bucket.credit < SPAM_REFILL_MS) return false;
    bucket.credit -= SPAM_REFILL_MS;
    return true;
  }

  private create(namespace: string, event: CoreEvent): void {
    // An event for an object in a namespace that is going away is dropped, as upstream's are.
    try {
      this.service.create(this.eventType, namespace, event);
    } catch {
      return;
    }
  }

  /** `<name>.<hex nanoseconds>`, strictly increasing even within one millisecond. */
  private eventName(object: KObject): string {
    let nanos = BigInt(this.clock.now()) * 1_000_000n;
    if (nanos <= this.lastNanos) nanos = this.lastNanos + 1n;
    this.lastNanos = nanos;
    return `${object.metadata.name ?? "unknown"}.${nanos.toString(16)}`;
  }
}
