// The EndpointSlice controller (upstream pkg/controller/endpointslice): for
// every Service with a selector, discovery.k8s.io/v1 EndpointSlices named
// `<service>-<5 chars>`, labelled `kubernetes.io/service-name` and managed-by
// `endpointslice-controller.k8s.io`, owned by the Service (the garbage
// collector removes them with it). One slice per distinct set of resolved
// ports (at most 100 endpoints each); every endpoint carries ready / serving /
// terminating conditions, nodeName and a targetRef. A Service without pods
// keeps one placeholder slice without ports or endpoints, as upstream.
import { timestamp, type ResourceType } from "../registry";
import type { Watch } from "../store/store";
import type { KObject, Pod, Service } from "../types";
import type { ServiceControllerDeps } from "./endpoints";
import { controllerRef } from "./ownership";
import { stored, storedList, backendsOf, copiedLabels, keyOf, managesEndpoints, MANAGED_BY_LABEL, portsKey, SERVICE_NAME_LABEL, serviceSelects, SLICE_CONTROLLER, targetRef, TRIGGER_TIME_ANNOTATION, type Backend, type ResolvedPort } from "./service-endpoints";
import { WorkQueue } from "./workqueue";

const MAX_ENDPOINTS_PER_SLICE = 100;

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  nodeName?: string;
  targetRef?: ReturnType<typeof targetRef>;
}

export interface EndpointSliceObject extends KObject {
  addressType: string;
  endpoints?: SliceEndpoint[];
  ports?: { name: string; port: number; protocol: string; appProtocol?: string }[];
}

function sliceEndpoint(b: Backend): SliceEndpoint {
  const e: SliceEndpoint = { addresses: [b.ip], conditions: { ready: b.ready, serving: b.serving, terminating: b.terminating } };
  if (b.hostname) e.hostname = b.hostname;
  if (b.pod.spec.nodeName) e.nodeName = b.pod.spec.nodeName;
  e.targetRef = targetRef(b.pod);
  return e;
}

function slicePorts(ports: ResolvedPort[]): EndpointSliceObject["ports"] {
  return ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol, ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) }));
}

interface DesiredSlice {
  key: string;
  ports: EndpointSliceObject["ports"];
  endpoints: SliceEndpoint[];
}

/** The slices a Service should have: endpoints grouped by port set, chunked at 100; a placeholder when empty. */
export function desiredSlices(svc: Service, pods: Pod[]): DesiredSlice[] {
  const groups = new Map<string, { ports: ResolvedPort[]; endpoints: SliceEndpoint[] }>();
  for (const b of backendsOf(svc, pods, true)) {
    const key = portsKey(b.ports);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ports: b.ports, endpoints: [] }));
    group.endpoints.push(sliceEndpoint(b));
  }
  const out: DesiredSlice[] = [];
  for (const [key, group] of groups) {
    for (let i = 0; i < group.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE) {
      out.push({ key: `${key}#${i / MAX_ENDPOINTS_PER_SLICE}`, ports: slicePorts(group.ports), endpoints: group.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE) });
    }
  }
  if (!out.length) out.push({ key: "placeholder", ports: [], endpoints: [] });
  return out;
}

const sliceKey = (s: EndpointSliceObject): string => JSON.stringify((s.ports ?? []).map((p) => [p.name, p.port, p.protocol, p.appProtocol ?? ""]));

export class EndpointSliceController {
  private readonly queue: WorkQueue;
  private readonly serviceType: ResourceType;
  private readonly podType: ResourceType;
  private readonly sliceType: ResourceType;
  private watches: Watch[] = [];

  constructor(private readonly deps: ServiceControllerDeps) {
    this.serviceType = deps.registry.find("", "v1", "services") as ResourceType;
    this.podType = deps.registry.find("", "v1", "pods") as ResourceType;
    this.sliceType = deps.registry.find("discovery.k8s.io", "v1", "endpointslices") as ResourceType;
    this.queue = new WorkQueue(deps.clock, (key) => this.reconcile(key));
  }

  start(): void {
    const { store } = this.deps.service;
    this.watches.push(
      store.watch(this.deps.registry.key(this.serviceType), undefined, (event) => this.queue.add(keyOf(event.object))),
      store.watch(this.deps.registry.key(this.podType), undefined, (event) => this.podChanged(event.object as Pod, event.previous as Pod | undefined)),
      store.watch(this.deps.registry.key(this.sliceType), undefined, (event) => {
        const labels = event.object.metadata.labels ?? {};
        const svc = labels[SERVICE_NAME_LABEL];
        if (svc && labels[MANAGED_BY_LABEL] === SLICE_CONTROLLER && event.type === "DELETED") this.queue.add(`${event.object.metadata.namespace ?? ""}/${svc}`);
      }),
    );
    for (const svc of this.deps.service.list(this.serviceType, undefined).items) this.queue.add(keyOf(svc));
  }

  stop(): void {
    for (const w of this.watches) w.stop();
    this.watches = [];
    this.queue.dispose();
  }

  private podChanged(pod: Pod, previous: Pod | undefined): void {
    for (const svc of storedList<Service>(this.deps.service.list(this.serviceType, pod.metadata.namespace).items)) {
      if (serviceSelects(svc, pod.metadata.labels) || (previous && serviceSelects(svc, previous.metadata.labels))) this.queue.add(keyOf(svc));
    }
  }

  /** The slices this controller made for a Service. */
  private owned(namespace: string, name: string): EndpointSliceObject[] {
    return this.deps.service.list(this.sliceType, namespace, { labelSelector: `${SERVICE_NAME_LABEL}=${name},${MANAGED_BY_LABEL}=${SLICE_CONTROLLER}` }).items.map((o) => stored<EndpointSliceObject>(o) as EndpointSliceObject);
  }

  private reconcile(key: string): void {
    const [namespace, name] = key.split("/") as [string, string];
    const { service } = this.deps;
    const svc = stored<Service>(service.find(this.serviceType, namespace, name));
    const existing = this.owned(namespace, name);
    if (!svc || !managesEndpoints(svc)) {
      for (const slice of existing) this.remove(slice);
      return;
    }
    if (svc.metadata.deletionTimestamp) return;
    const pods = service.list(this.podType, namespace).items as Pod[];
    const wanted = desiredSlices(svc, pods);
    const labels = copiedLabels(svc, { [SERVICE_NAME_LABEL]: name, [MANAGED_BY_LABEL]: SLICE_CONTROLLER });
    const now = timestamp(this.deps.clock.now());
    const free = [...existing];
    const placed: [DesiredSlice, EndpointSliceObject | undefined][] = [];
    // Reuse a slice with the same ports first, then any left over (fewer creates and deletes, as upstream).
    for (const want of wanted) {
      const i = free.findIndex((s) => want.key.startsWith(sliceKey(s)) || (want.key === "placeholder" && !(s.ports ?? []).length));
      placed.push([want, i >= 0 ? free.splice(i, 1)[0] : undefined]);
    }
    for (const entry of placed) if (!entry[1] && free.length) entry[1] = free.shift();
    try {
      for (const [want, slice] of placed) {
        if (slice) this.update(slice, want, labels, now);
        else this.create(svc, want, labels, now);
      }
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      return;
    }
    for (const slice of free) this.remove(slice);
  }

  private create(svc: Service, want: DesiredSlice, labels: Record<string, string>, now: string): void {
    const slice: EndpointSliceObject = {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: {
        generateName: `${svc.metadata.name ?? ""}-`,
        namespace: svc.metadata.namespace,
        labels,
        annotations: { [TRIGGER_TIME_ANNOTATION]: now },
        ownerReferences: [controllerRef(svc)],
      },
      addressType: "IPv4",
      endpoints: want.endpoints,
      ports: want.ports,
    };
    this.deps.service.create(this.sliceType, svc.metadata.namespace, slice);
  }

  private update(slice: EndpointSliceObject, want: DesiredSlice, labels: Record<string, string>, now: string): void {
    const same = JSON.stringify(slice.endpoints ?? []) === JSON.stringify(want.endpoints) && JSON.stringify(slice.ports ?? []) === JSON.stringify(want.ports) && JSON.stringify(slice.metadata.labels ?? {}) === JSON.stringify(labels);
    if (same) return;
    this.deps.service.mutate(this.sliceType, slice.metadata.namespace, slice.metadata.name ?? "", (o) => {
      const s = o as EndpointSliceObject;
      s.metadata.labels = labels;
      s.metadata.annotations = { ...s.metadata.annotations, [TRIGGER_TIME_ANNOTATION]: now };
      s.endpoints = want.endpoints;
      s.ports = want.ports;
    });
  }

  private remove(slice: EndpointSliceObject): void {
    try {
      this.deps.service.delete(this.sliceType, slice.metadata.namespace, slice.metadata.name ?? "");
    } catch {
      // Already gone.
    }
  }
}
