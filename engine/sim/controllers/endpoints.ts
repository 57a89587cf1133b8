// The Endpoints controller (upstream pkg/controller/endpoint): for every
// Service with a selector, one core/v1 Endpoints object of the same name
// listing the matching pods as ready `addresses` or `notReadyAddresses`
// (ip, nodeName, targetRef, hostname for `spec.subdomain` pods), grouped into
// subsets by the ports they serve (targetPort numbers, or named container
// ports resolved per pod). Services without a selector keep hand-made
// Endpoints (the seeded `kubernetes` one); deleting a Service deletes its
// Endpoints.
import type { Clock } from "../../clock";
import type { ResourceService } from "../apiserver/service";
import { timestamp, type Registry, type ResourceType } from "../registry";
import type { Watch } from "../store/store";
import type { KObject, Pod, Service } from "../types";
import { stored, storedList, backendsOf, copiedLabels, keyOf, managesEndpoints, portsKey, serviceSelects, targetRef, TRIGGER_TIME_ANNOTATION, type Backend } from "./service-endpoints";
import { WorkQueue } from "./workqueue";

interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: ReturnType<typeof targetRef>;
}

interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: { name?: string; port: number; protocol: string; appProtocol?: string }[];
}

export interface EndpointsObject extends KObject {
  subsets?: EndpointSubset[];
}

export interface ServiceControllerDeps {
  service: ResourceService;
  registry: Registry;
  clock: Clock;
}

function address(b: Backend): EndpointAddress {
  const a: EndpointAddress = { ip: b.ip };
  if (b.hostname) a.hostname = b.hostname;
  if (b.pod.spec.nodeName) a.nodeName = b.pod.spec.nodeName;
  a.targetRef = targetRef(b.pod);
  return a;
}

/** Upstream's subsets for a Service: pods grouped by the ports they serve (RepackSubsets). */
export function endpointSubsets(svc: Service, pods: Pod[]): EndpointSubset[] {
  const hasPorts = (svc.spec?.ports ?? []).length > 0;
  const groups = new Map<string, EndpointSubset>();
  for (const b of backendsOf(svc, pods, false)) {
    if (hasPorts && !b.ports.length) continue;
    const key = portsKey(b.ports);
    let subset = groups.get(key);
    if (!subset) {
      subset = {};
      if (b.ports.length) subset.ports = b.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, protocol: p.protocol, ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) }));
      groups.set(key, subset);
    }
    if (b.ready) (subset.addresses ??= []).push(address(b));
    else (subset.notReadyAddresses ??= []).push(address(b));
  }
  // Field order as upstream serialises a subset.
  return [...groups.values()].map((s) => ({ ...(s.addresses ? { addresses: s.addresses } : {}), ...(s.notReadyAddresses ? { notReadyAddresses: s.notReadyAddresses } : {}), ...(s.ports ? { ports: s.ports } : {}) }));
}

export class EndpointsController {
  private readonly queue: WorkQueue;
  private readonly serviceType: ResourceType;
  private readonly podType: ResourceType;
  private readonly endpointsType: ResourceType;
  private watches: Watch[] = [];

  constructor(private readonly deps: ServiceControllerDeps) {
    this.serviceType = deps.registry.find("", "v1", "services") as ResourceType;
    this.podType = deps.registry.find("", "v1", "pods") as ResourceType;
    this.endpointsType = deps.registry.find("", "v1", "endpoints") as ResourceType;
    this.queue = new WorkQueue(deps.clock, (key) => this.reconcile(key));
  }

  start(): void {
    const { store } = this.deps.service;
    this.watches.push(
      store.watch(this.deps.registry.key(this.serviceType), undefined, (event) => this.queue.add(keyOf(event.object))),
      store.watch(this.deps.registry.key(this.podType), undefined, (event) => this.podChanged(event.object as Pod, event.previous as Pod | undefined)),
      // Someone deleting a managed Endpoints object gets it back.
      store.watch(this.deps.registry.key(this.endpointsType), undefined, (event) => {
        if (event.type === "DELETED") this.queue.add(keyOf(event.object));
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
    const namespace = pod.metadata.namespace;
    for (const svc of storedList<Service>(this.deps.service.list(this.serviceType, namespace).items)) {
      if (serviceSelects(svc, pod.metadata.labels) || (previous && serviceSelects(svc, previous.metadata.labels))) this.queue.add(keyOf(svc));
    }
  }

  private reconcile(key: string): void {
    const [namespace, name] = key.split("/") as [string, string];
    const { service, clock } = this.deps;
    const svc = stored<Service>(service.find(this.serviceType, namespace, name));
    const current = stored<EndpointsObject>(service.find(this.endpointsType, namespace, name));
    if (!svc) {
      // The Service is gone: so are its Endpoints (hand-made ones too, as upstream).
      if (current) this.remove(namespace, name);
      return;
    }
    if (!managesEndpoints(svc) || svc.metadata.deletionTimestamp) return;
    const pods = service.list(this.podType, namespace).items as Pod[];
    const subsets = endpointSubsets(svc, pods);
    const labels = copiedLabels(svc);
    const now = timestamp(clock.now());
    try {
      if (!current) {
        const created: EndpointsObject = { apiVersion: "v1", kind: "Endpoints", metadata: { name, namespace, labels, annotations: { [TRIGGER_TIME_ANNOTATION]: now } } };
        if (subsets.length) created.subsets = subsets;
        service.create(this.endpointsType, namespace, created);
        return;
      }
      const same = JSON.stringify(current.subsets ?? []) === JSON.stringify(subsets) && JSON.stringify(current.metadata.labels ?? {}) === JSON.stringify(labels);
      if (same) return;
      service.mutate(this.endpointsType, namespace, name, (o) => {
        const ep = o as EndpointsObject;
        ep.metadata.labels = labels;
        ep.metadata.annotations = { ...ep.metadata.annotations, [TRIGGER_TIME_ANNOTATION]: now };
        if (subsets.length) ep.subsets = subsets;
        else delete ep.subsets;
      });
    } catch (error) {
      // A namespace being torn down refuses new objects; the Service goes too.
      if (!(error instanceof Error)) throw error;
    }
  }

  private remove(namespace: string, name: string): void {
    try {
      this.deps.service.delete(this.endpointsType, namespace, name);
    } catch {
      // Already gone.
    }
  }
}
