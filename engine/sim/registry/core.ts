// The core (v1) and coordination types other than pods.
import type { CoreEvent, KObject, Node, Service } from "../types";
import { ALL_VERBS, AGE_COLUMN, column, defineResource, type FieldError } from "./resource";
import { ageSince } from "./format";
import { validateLabel, validateSubdomain } from "./validation";

function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${labels?.[k] ?? ""}`).join(",") : "<none>";
}

function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith("node-role.kubernetes.io/") && key.length > "node-role.kubernetes.io/".length) {
      roles.add(key.slice("node-role.kubernetes.io/".length));
    } else if (key === "kubernetes.io/role" && value) roles.add(value);
  }
  return roles.size ? [...roles].sort().join(",") : "<none>";
}

function nodeStatus(node: Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === "Ready");
  const status = !ready ? "Unknown" : ready.status === "True" ? "Ready" : "NotReady";
  return node.spec?.unschedulable ? `${status},SchedulingDisabled` : status;
}

function nodeAddress(node: Node, type: string): string {
  return node.status?.addresses?.find((a) => a.type === type)?.address ?? "<none>";
}

export const nodes = defineResource<Node>({
  group: "",
  version: "v1",
  kind: "Node",
  listKind: "NodeList",
  plural: "nodes",
  singular: "node",
  namespaced: false,
  shortNames: ["no"],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [
    { name: "status", kind: "Node", verbs: ["get", "patch", "update"] },
    { name: "proxy", kind: "NodeProxyOptions", verbs: ["create", "delete", "get", "patch", "update"] },
  ],
  statusSubresource: true,
  columns: [
    column("Status", "string", "The status of the node"),
    column("Roles", "string", "The roles of the node"),
    AGE_COLUMN,
    column("Version", "string", "Kubelet Version reported by the node."),
    column("Internal-IP", "string", "List of addresses reachable to the node. Queried from cloud provider, if available.", 1),
    column("External-IP", "string", "List of addresses reachable to the node. Queried from cloud provider, if available.", 1),
    column("OS-Image", "string", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1),
    column("Kernel-Version", "string", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
    column("Container-Runtime", "string", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", 1),
  ],
  cells(node, now) {
    const info = node.status?.nodeInfo ?? {};
    return [
      nodeStatus(node),
      nodeRoles(node),
      ageSince(node.metadata.creationTimestamp, now),
      info.kubeletVersion ?? "",
      nodeAddress(node, "InternalIP"),
      nodeAddress(node, "ExternalIP"),
      info.osImage || "<unknown>",
      info.kernelVersion || "<unknown>",
      info.containerRuntimeVersion || "<unknown>",
    ];
  },
  validate: (node) => validateSubdomain("metadata.name", node.metadata.name ?? ""),
  fields: (node) => ({ "spec.unschedulable": String(node.spec?.unschedulable ?? false) }),
});

interface Namespace extends KObject {
  spec?: { finalizers?: string[] };
  status?: { phase?: string };
}

export const namespaces = defineResource<Namespace>({
  group: "",
  version: "v1",
  kind: "Namespace",
  listKind: "NamespaceList",
  plural: "namespaces",
  singular: "namespace",
  namespaced: false,
  shortNames: ["ns"],
  categories: [],
  verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
  subresources: [
    { name: "finalize", kind: "Namespace", verbs: ["update"] },
    { name: "status", kind: "Namespace", verbs: ["get", "patch", "update"] },
  ],
  graceful: true,
  statusSubresource: true,
  columns: [column("Status", "string", "The status of the namespace"), AGE_COLUMN],
  cells: (ns, now) => [ns.status?.phase ?? "", ageSince(ns.metadata.creationTimestamp, now)],
  defaults(ns) {
    const name = ns.metadata.name ?? "";
    ns.metadata.labels = { ...ns.metadata.labels, "kubernetes.io/metadata.name": name };
    ns.spec = { finalizers: ["kubernetes"], ...ns.spec };
    ns.status = { phase: "Active" };
  },
  validate: (ns) => validateLabel("metadata.name", ns.metadata.name ?? ""),
  fields: (ns) => ({ "status.phase": ns.status?.phase ?? "" }),
});

function servicePorts(svc: Service): string {
  const ports = svc.spec?.ports ?? [];
  if (!ports.length) return "<none>";
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? "TCP"}` : `${p.port}/${p.protocol ?? "TCP"}`)).join(",");
}

function externalIP(svc: Service, wide: boolean): string {
  const spec = svc.spec ?? {};
  const external = spec.externalIPs ?? [];
  switch (spec.type) {
    case "ExternalName":
      return spec.externalName ?? "<none>";
    case "LoadBalancer": {
      const ingress = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || "").filter(Boolean);
      const all = [...ingress, ...external].join(",");
      if (!all) return "<pending>";
      return !wide && all.length > 16 ? `${all.slice(0, 13)}...` : all;
    }
    default:
      return external.length ? external.join(",") : "<none>";
  }
}

export const services = defineResource<Service>({
  group: "",
  version: "v1",
  kind: "Service",
  listKind: "ServiceList",
  plural: "services",
  singular: "service",
  namespaced: true,
  shortNames: ["svc"],
  categories: ["all"],
  verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
  subresources: [
    { name: "proxy", kind: "ServiceProxyOptions", verbs: ["create", "delete", "get", "patch", "update"] },
    { name: "status", kind: "Service", verbs: ["get", "patch", "update"] },
  ],
  statusSubresource: true,
  columns: [
    column("Type", "string", "type determines how the Service is exposed."),
    column("Cluster-IP", "string", "clusterIP is the IP address of the service and is usually assigned randomly."),
    column("External-IP", "string", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
    column("Port(s)", "string", "The list of ports that are exposed by this service."),
    AGE_COLUMN,
    column("Selector", "string", "Route service traffic to pods with label keys and values matching this selector.", 1),
  ],
  cells(svc, now) {
    const spec = svc.spec ?? {};
    const ip = spec.type === "ExternalName" ? "<none>" : (spec.clusterIPs?.[0] ?? spec.clusterIP ?? "<none>");
    return [spec.type ?? "ClusterIP", ip, externalIP(svc, false), servicePorts(svc), ageSince(svc.metadata.creationTimestamp, now), formatLabels(spec.selector)];
  },
  defaults(svc, context) {
    const spec = (svc.spec ??= {});
    spec.type ??= "ClusterIP";
    spec.sessionAffinity ??= "None";
    for (const port of spec.ports ?? []) {
      port.protocol ??= "TCP";
      port.targetPort ??= port.port;
      if ((spec.type === "NodePort" || spec.type === "LoadBalancer") && !port.nodePort) port.nodePort = context.allocateNodePort();
    }
    if (spec.type !== "ExternalName") {
      if (!spec.clusterIP) spec.clusterIP = context.allocateClusterIP();
      spec.clusterIPs ??= [spec.clusterIP];
      if (spec.clusterIP !== "None") {
        spec.ipFamilies ??= ["IPv4"];
        spec.ipFamilyPolicy ??= "SingleStack";
      }
      spec.internalTrafficPolicy ??= "Cluster";
    }
    if (spec.type === "NodePort" || spec.type === "LoadBalancer") spec.externalTrafficPolicy ??= "Cluster";
    svc.status = { loadBalancer: {} };
  },
  validate(svc) {
    const errors: FieldError[] = validateLabel("metadata.name", svc.metadata.name ?? "");
    const ports = svc.spec?.ports ?? [];
    if (svc.spec?.type !== "ExternalName" && svc.spec?.clusterIP !== "None" && !ports.length) {
      errors.push({ field: "spec.ports", type: "FieldValueRequired" });
    }
    ports.forEach((p, i) => {
      if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) {
        errors.push({ field: `spec.ports[${i}].port`, type: "FieldValueInvalid", value: p.port, detail: "must be between 1 and 65535, inclusive" });
      }
    });
    return errors;
  },
  fields: (svc) => ({ "spec.clusterIP": svc.spec?.clusterIP ?? "", "spec.type": svc.spec?.type ?? "" }),
});

function eventTimes(event: CoreEvent, now: number): { first: string; last: string; count: number } {
  const first = event.firstTimestamp ? ageSince(event.firstTimestamp, now) : ageSince(event.eventTime, now);
  let last = event.lastTimestamp ? ageSince(event.lastTimestamp, now) : first;
  let count = event.count ?? 0;
  if (event.series) {
    last = ageSince(event.series.lastObservedTime, now);
    count = event.series.count ?? 0;
  } else if (count === 0) count = 1;
  return { first, last, count };
}

export const events = defineResource<CoreEvent>({
  group: "",
  version: "v1",
  kind: "Event",
  listKind: "EventList",
  plural: "events",
  singular: "event",
  namespaced: true,
  shortNames: ["ev"],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  columns: [
    column("Last Seen", "string", "The last time this event was observed."),
    column("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future."),
    column("Reason", "string", "This should be a short, machine understandable string that gives the reason for this event being generated."),
    column("Object", "string", "The object this Event is about."),
    column("Message", "string", "A human-readable description of the status of this operation."),
    column("Subobject", "string", "The field of the object this Event is about.", 1),
    column("Source", "string", "The component reporting this event. Should be a short machine understandable string.", 1),
    column("First Seen", "string", "The first time this event was observed.", 1),
    column("Count", "integer", "The number of times this event has occurred.", 1),
    column("Name", "string", "The name of this event.", 1),
  ],
  cells(event, now) {
    const { first, last, count } = eventTimes(event, now);
    const component = event.source?.component || event.reportingComponent || "";
    const source = event.source?.host ? `${component}, ${event.source.host}` : component;
    return [
      last,
      event.type ?? "",
      event.reason ?? "",
      `${(event.involvedObject.kind ?? "").toLowerCase()}/${event.involvedObject.name ?? ""}`,
      (event.message ?? "").split("\n")[0] ?? "",
      event.involvedObject.fieldPath ?? "",
      source,
      first,
      count,
      event.metadata.name ?? "",
    ];
  },
  fields(event) {
    const ref = event.involvedObject;
    return {
      "involvedObject.kind": ref.kind ?? "",
      "involvedObject.namespace": ref.namespace ?? "",
      "involvedObject.name": ref.name ?? "",
      "involvedObject.uid": ref.uid ?? "",
      "involvedObject.apiVersion": ref.apiVersion ?? "",
      "involvedObject.resourceVersion": ref.resourceVersion ?? "",
      "involvedObject.fieldPath": ref.fieldPath ?? "",
      reason: event.reason ?? "",
      reportingComponent: event.reportingComponent ?? "",
      source: event.source?.component ?? "",
      type: event.type ?? "",
    };
  },
});

interface DataObject extends KObject {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  type?: string;
  secrets?: unknown[];
}

const dataCount = (o: DataObject): number => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length;

export const configmaps = defineResource<DataObject>({
  group: "",
  version: "v1",
  kind: "ConfigMap",
  listKind: "ConfigMapList",
  plural: "configmaps",
  singular: "configmap",
  namespaced: true,
  shortNames: ["cm"],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  columns: [column("Data", "integer", "Number of data entries"), AGE_COLUMN],
  cells: (cm, now) => [dataCount(cm), ageSince(cm.metadata.creationTimestamp, now)],
  validate: (cm) => validateSubdomain("metadata.name", cm.metadata.name ?? ""),
});

export const secrets = defineResource<DataObject>({
  group: "",
  version: "v1",
  kind: "Secret",
  listKind: "SecretList",
  plural: "secrets",
  singular: "secret",
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  columns: [column("Type", "string", "The type of the secret"), column("Data", "integer", "Number of data entries"), AGE_COLUMN],
  cells: (s, now) => [s.type ?? "Opaque", dataCount(s), ageSince(s.metadata.creationTimestamp, now)],
  defaults(s) {
    s.type ??= "Opaque";
  },
  validate: (s) => validateSubdomain("metadata.name", s.metadata.name ?? ""),
  fields: (s) => ({ type: s.type ?? "" }),
});

export const serviceaccounts = defineResource<DataObject>({
  group: "",
  version: "v1",
  kind: "ServiceAccount",
  listKind: "ServiceAccountList",
  plural: "serviceaccounts",
  singular: "serviceaccount",
  namespaced: true,
  shortNames: ["sa"],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [{ name: "token", kind: "TokenRequest", verbs: ["create"], group: "authentication.k8s.io", version: "v1" }],
  columns: [column("Secrets", "integer", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."), AGE_COLUMN],
  cells: (sa, now) => [sa.secrets?.length ?? 0, ageSince(sa.metadata.creationTimestamp, now)],
  validate: (sa) => validateSubdomain("metadata.name", sa.metadata.name ?? ""),
});

interface Lease extends KObject {
  spec?: { holderIdentity?: string };
}

export const leases = defineResource<Lease>({
  group: "coordination.k8s.io",
  version: "v1",
  kind: "Lease",
  listKind: "LeaseList",
  plural: "leases",
  singular: "lease",
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  columns: [column("Holder", "string", "The holder of the lease"), AGE_COLUMN],
  cells: (lease, now) => [lease.spec?.holderIdentity ?? "", ageSince(lease.metadata.creationTimestamp, now)],
  validate: (lease) => validateSubdomain("metadata.name", lease.metadata.name ?? ""),
});
