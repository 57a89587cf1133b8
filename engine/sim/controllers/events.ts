// The event recorder controllers and kubelets use: core/v1 Events named
// `<object>.<hex nanos>`, with identical repeats folded into one event whose
// count and lastTimestamp grow, as upstream's correlator does.
import type { Clock } from "../../clock";
import type { ResourceService } from "../apiserver/service";
import { microTimestamp, timestamp, type ResourceType } from "../registry";
import type { CoreEvent, KObject, ObjectReference } from "../types";

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

export class EventRecorder {
  /** Correlation key -> event name, so repeats update one event. */
  private readonly seen = new Map<string, string>();
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
    // Only the message can hold a NUL (probe output), so joining with NULs is as unambiguous as JSON, and cheaper.
    const correlation = `${involvedObject.uid ?? ""}\0${involvedObject.fieldPath ?? ""}\0${spec.type}\0${spec.reason}\0${spec.message}\0${spec.component}\0${spec.host ?? ""}`;
    const now = timestamp(this.clock.now());
    const existing = this.seen.get(correlation);
    if (existing && this.service.find(this.eventType, namespace, existing)) {
      this.service.mutate(this.eventType, namespace, existing, (e) => {
        const event = e as CoreEvent;
        event.count = (event.count ?? 1) + 1;
        event.lastTimestamp = now;
      });
      return;
    }
    const name = this.eventName(object);
    this.seen.set(correlation, name);
    const source = spec.host ? { component: spec.component, host: spec.host } : { component: spec.component };
    this.create(namespace, {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
      involvedObject,
      reason: spec.reason,
      message: spec.message,
      source,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
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
