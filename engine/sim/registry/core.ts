// The core (v1) and coordination types other than pods and workloads.
import type { CoreEvent, KObject, Node, Service } from "../types";
import { ALL_VERBS, AGE_COLUMN, column, CREATED_AT_COLUMN, createdAt, defineResource, kindSubresource, type CreateContext, type FieldError } from "./resource";
import { ageSince } from "./format";
import { validateLabel, validateSubdomain } from "./validation";
import { errors, failure, type ApiError } from "../apiserver/status";
import { bindingSchema, componentStatusSchema, configMapSchema, eventSchema, leaseSchema, namespaceSchema, nodeSchema, podTemplateSchema, secretSchema, serviceAccountSchema, serviceSchema } from "../schema/core";
import { tokenRequestSchema } from "../schema/access";
import { formatMapSelector, templateContainers, validatePodTemplate, defaultPodTemplate, type PodTemplate } from "./workload";

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

export const nodes = defineResource<Node>(nodeSchema, {
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
    column("Status", "string", "Whether the node is Ready, from its Ready condition."),
    column("Roles", "string", "Roles taken from the node-role.kubernetes.io/* labels."),
    AGE_COLUMN,
    column("Version", "string", "The kubelet version the node runs."),
    column("Internal-IP", "string", "The node's address inside the cluster network.", 1),
    column("External-IP", "string", "The node's address from outside the cluster, if it has one.", 1),
    column("OS-Image", "string", "The operating system the node runs.", 1),
    column("Kernel-Version", "string", "The Linux kernel release on the node.", 1),
    column("Container-Runtime", "string", "The container runtime and its version.", 1),
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

export const namespaces = defineResource<Namespace>(namespaceSchema, {
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
  columns: [column("Status", "string", "Active, or Terminating while its contents are removed."), AGE_COLUMN],
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

/** A load balancer's published addresses (IP, else hostname), sorted without repeats: the EXTERNAL-IP of a Service, the ADDRESS of an Ingress. */
export function loadBalancerAddresses(ingress: { ip?: string; hostname?: string }[] | undefined): string[] {
  return [...new Set((ingress ?? []).map((i) => i.ip || i.hostname || "").filter(Boolean))].sort();
}

// The API server renders tables with the wide options, so a long load balancer address is never cut.
function externalIP(svc: Service): string {
  const spec = svc.spec ?? {};
  const external = spec.externalIPs ?? [];
  switch (spec.type) {
    case "ExternalName":
      return spec.externalName ?? "";
    case "LoadBalancer": {
      const all = [...loadBalancerAddresses(svc.status?.loadBalancer?.ingress), ...external];
      return all.length ? all.join(",") : "<pending>";
    }
    default:
      return external.length ? external.join(",") : "<none>";
  }
}

const NODE_PORTS = [30000, 32767];

/** Addresses and ports the client asked for: in range and not held by another Service (upstream's allocators). */
function checkAllocations(svc: Service, context: CreateContext): void {
  const spec = svc.spec ?? {};
  const self = `${svc.metadata.namespace ?? ""}/${svc.metadata.name ?? ""}`;
  const problems: FieldError[] = [];
  const ip = spec.clusterIP;
  if (ip && ip !== "None" && spec.type !== "ExternalName") {
    const octets = ip.split(".").map(Number);
    const inRange = octets.length === 4 && octets[0] === 10 && (octets[1] ?? 0) >= 96 && (octets[1] ?? 0) <= 111;
    const holder = context.allocationHolder?.({ clusterIP: ip });
    if (!inRange) problems.push({ field: "spec.clusterIPs", type: "FieldValueInvalid", value: spec.clusterIPs ?? [ip], detail: `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is 10.96.0.0/12` });
    else if (holder && holder !== self) problems.push({ field: "spec.clusterIPs", type: "FieldValueInvalid", value: spec.clusterIPs ?? [ip], detail: `failed to allocate IP ${ip}: provided IP is already allocated` });
  }
  (spec.ports ?? []).forEach((p, i) => {
    if (!p.nodePort) return;
    const [low, high] = NODE_PORTS as [number, number];
    if (p.nodePort < low || p.nodePort > high) {
      problems.push({ field: `spec.ports[${i}].nodePort`, type: "FieldValueInvalid", value: p.nodePort, detail: `provided port is not in the valid range. The range of valid ports is ${low}-${high}` });
      return;
    }
    const holder = context.allocationHolder?.({ nodePort: p.nodePort });
    if (holder && holder !== self) problems.push({ field: `spec.ports[${i}].nodePort`, type: "FieldValueInvalid", value: p.nodePort, detail: "provided port is already allocated" });
  });
  if (problems.length) throw errors.invalid(services, svc.metadata.name ?? "", problems);
}

export const services = defineResource<Service>(serviceSchema, {
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
    column("Type", "string", "How the service is reachable: ClusterIP, NodePort, LoadBalancer or ExternalName."),
    column("Cluster-IP", "string", "The virtual IP inside the cluster that forwards to the service's pods."),
    column("External-IP", "string", "Addresses outside the cluster that also reach the service."),
    column("Port(s)", "string", "Ports the service listens on (with the node port, if any)."),
    AGE_COLUMN,
    column("Selector", "string", "Labels a pod needs to receive the service's traffic.", 1),
  ],
  cells(svc, now) {
    const spec = svc.spec ?? {};
    const ip = spec.type === "ExternalName" ? "<none>" : (spec.clusterIPs?.[0] ?? spec.clusterIP ?? "<none>");
    return [spec.type ?? "ClusterIP", ip, externalIP(svc), servicePorts(svc), ageSince(svc.metadata.creationTimestamp, now), formatMapSelector(spec.selector)];
  },
  defaults(svc, context) {
    const spec = (svc.spec ??= {});
    checkAllocations(svc, context);
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
      // A headless Service without a selector is given both families (RequireDualStack), even on this single-stack cluster.
      const dualStack = spec.clusterIP === "None" && !Object.keys(spec.selector ?? {}).length;
      spec.ipFamilyPolicy ??= dualStack ? "RequireDualStack" : "SingleStack";
      spec.ipFamilies ??= dualStack && spec.ipFamilyPolicy !== "SingleStack" ? ["IPv4", "IPv6"] : ["IPv4"];
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

export const events = defineResource<CoreEvent>(eventSchema, {
  plural: "events",
  singular: "event",
  namespaced: true,
  shortNames: ["ev"],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  columns: [
    column("Last Seen", "string", "How long ago the event last happened."),
    column("Type", "string", "Normal or Warning."),
    column("Reason", "string", "A one-word cause, such as Scheduled or BackOff."),
    column("Object", "string", "The object the event concerns, as kind/name."),
    column("Subobject", "string", "The part of the object concerned, such as one container.", 1),
    column("Source", "string", "The component that reported it, and on which host.", 1),
    column("Message", "string", "What happened, in words."),
    column("First Seen", "string", "How long ago the event first happened.", 1),
    column("Count", "integer", "How many times it happened.", 1),
    // Upstream's event table has no leading NAME: the name is this last, wide-only column.
    column("Name", "string", "The Event object's own name.", 1, "name"),
  ],
  cells(event, now) {
    const { first, last, count } = eventTimes(event, now);
    // events.k8s.io writers (the scheduler) leave source empty: reportingComponent and reportingInstance stand in.
    const component = event.source?.component || event.reportingComponent || "";
    const host = event.source?.host || event.reportingInstance || "";
    const source = host ? `${component}, ${host}` : component;
    const { kind = "", name } = event.involvedObject;
    return [
      last,
      event.type ?? "",
      event.reason ?? "",
      name ? `${kind.toLowerCase()}/${name}` : kind.toLowerCase(),
      event.involvedObject.fieldPath ?? "",
      source,
      // Whole, trimmed: kubectl itself cuts a cell at its first newline and adds "...".
      (event.message ?? "").trim(),
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

export const configmaps = defineResource<DataObject>(configMapSchema, {
  plural: "configmaps",
  singular: "configmap",
  namespaced: true,
  shortNames: ["cm"],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  columns: [column("Data", "integer", "How many keys it holds."), AGE_COLUMN],
  cells: (cm, now) => [dataCount(cm), ageSince(cm.metadata.creationTimestamp, now)],
  validate: (cm) => [...validateSubdomain("metadata.name", cm.metadata.name ?? ""), ...validateDataSize(cm)],
});

/** Upstream's MaxSecretSize, which also bounds a ConfigMap's data + binaryData. */
const MAX_DATA_BYTES = 1024 * 1024;

function validateDataSize(o: DataObject): FieldError[] {
  let total = 0;
  for (const [key, value] of Object.entries(o.data ?? {})) total += key.length + Buffer.byteLength(String(value));
  // binaryData is base64 in JSON: count the decoded bytes.
  for (const [key, value] of Object.entries(o.binaryData ?? {})) total += key.length + Buffer.from(String(value), "base64").length;
  return total > MAX_DATA_BYTES ? [{ field: "[]", type: "FieldValueTooLong", detail: `must have at most ${MAX_DATA_BYTES} bytes` }] : [];
}

/** Index of the first byte standard base64 decoding rejects (as Go reports it), or undefined if `value` decodes. */
function invalidBase64At(value: unknown): number | undefined {
  if (typeof value !== "string") return 0;
  const bad = value.search(/[^A-Za-z0-9+/=\r\n]/);
  if (bad >= 0) return bad;
  const compact = value.replace(/[\r\n]/g, "");
  const padding = compact.indexOf("=");
  if (padding >= 0 && !/^=={0,1}$/.test(compact.slice(padding)) ) return padding;
  if (compact.length % 4 !== 0) return Math.floor(compact.length / 4) * 4;
  return undefined;
}

function badSecretData(detail: string): ApiError {
  return failure(400, "BadRequest", `Secret in version "v1" cannot be handled as a Secret: ${detail}`);
}

export const secrets = defineResource<DataObject>(secretSchema, {
  plural: "secrets",
  singular: "secret",
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  columns: [column("Type", "string", "What kind of secret it is, such as Opaque or kubernetes.io/tls."), column("Data", "integer", "How many keys it holds."), AGE_COLUMN],
  cells: (s, now) => [s.type ?? "Opaque", dataCount(s), ageSince(s.metadata.creationTimestamp, now)],
  defaults(s) {
    s.type ??= "Opaque";
    for (const value of Object.values(s.data ?? {})) {
      const bad = invalidBase64At(value);
      // Upstream fails while decoding the body (the field is bytes), before validation: 400.
      if (bad !== undefined) throw badSecretData(`illegal base64 data at input byte ${bad}`);
    }
    // stringData is write-only: merged into data (base64) and dropped.
    const stringData = (s as { stringData?: Record<string, string> }).stringData;
    if (stringData) {
      s.data = { ...s.data, ...Object.fromEntries(Object.entries(stringData).map(([k, v]) => [k, Buffer.from(String(v)).toString("base64")])) };
      delete (s as { stringData?: unknown }).stringData;
    }
  },
  validate(s) {
    const errors = validateSubdomain("metadata.name", s.metadata.name ?? "");
    for (const key of Object.keys(s.data ?? {})) {
      if (!/^[-._a-zA-Z0-9]+$/.test(key)) {
        errors.push({ field: `data[${key}]`, type: "FieldValueInvalid", value: key, detail: "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')" });
      }
    }
    if (s.type === "kubernetes.io/tls") {
      for (const key of ["tls.crt", "tls.key"]) if (!(key in (s.data ?? {}))) errors.push({ field: `data[${key}]`, type: "FieldValueRequired" });
    }
    return errors;
  },
  fields: (s) => ({ type: s.type ?? "" }),
});

export const serviceaccounts = defineResource<DataObject>(serviceAccountSchema, {
  plural: "serviceaccounts",
  singular: "serviceaccount",
  namespaced: true,
  shortNames: ["sa"],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [kindSubresource("token", tokenRequestSchema, ["create"])],
  columns: [column("Secrets", "integer", "How many Secrets the account lists (usually none now that tokens are requested on demand)."), AGE_COLUMN],
  cells: (sa, now) => [sa.secrets?.length ?? 0, ageSince(sa.metadata.creationTimestamp, now)],
  validate: (sa) => validateSubdomain("metadata.name", sa.metadata.name ?? ""),
});

interface Lease extends KObject {
  spec?: { holderIdentity?: string };
}

export const leases = defineResource<Lease>(leaseSchema, {
  plural: "leases",
  singular: "lease",
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  columns: [column("Holder", "string", "Who holds the lease now."), AGE_COLUMN],
  cells: (lease, now) => [lease.spec?.holderIdentity ?? "", ageSince(lease.metadata.creationTimestamp, now)],
  validate: (lease) => validateSubdomain("metadata.name", lease.metadata.name ?? ""),
});

interface StoredPodTemplate extends KObject {
  template?: PodTemplate;
}

export const podtemplates = defineResource<StoredPodTemplate>(podTemplateSchema, {
  plural: "podtemplates",
  singular: "podtemplate",
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  columns: [
    column("Containers", "string", "Names of the containers in the template."),
    column("Images", "string", "Images the template's containers run."),
    column("Pod Labels", "string", "Labels the template gives its pods."),
  ],
  cells: (pt) => [...templateContainers(pt.template), formatMapSelector(pt.template?.metadata?.labels)],
  defaults(pt) {
    if (pt.template) defaultPodTemplate(pt.template);
  },
  validate: (pt) => [...validateSubdomain("metadata.name", pt.metadata.name ?? ""), ...validatePodTemplate(pt.template, "template", ["Always", "OnFailure", "Never"])],
});

/** POST-only: binding a pod to a node (apiserver/http.ts sets the pod's nodeName; nothing is stored). */
export const bindings = defineResource<KObject>(bindingSchema, {
  plural: "bindings",
  singular: "binding",
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: ["create"],
  subresources: [],
  columns: [CREATED_AT_COLUMN],
  cells: (binding) => [createdAt(binding)],
});

interface ComponentStatus extends KObject {
  conditions?: { type: string; status: string; message?: string; error?: string }[];
}

/** Read-only and computed when asked (apiserver/component-status.ts); deprecated since 1.19, as every answer says. */
export const componentstatuses = defineResource<ComponentStatus>(componentStatusSchema, {
  plural: "componentstatuses",
  singular: "componentstatus",
  namespaced: false,
  shortNames: ["cs"],
  categories: [],
  verbs: ["get", "list"],
  subresources: [],
  columns: [
    column("Status", "string", "Healthy when the component answered its health check, else Unhealthy."),
    column("Message", "string", "What the component answered."),
    column("Error", "string", "Why the health check failed."),
  ],
  cells(cs) {
    const healthy = cs.conditions?.find((c) => c.type === "Healthy");
    if (!healthy) return ["Unknown", "", ""];
    return [healthy.status === "True" ? "Healthy" : "Unhealthy", healthy.message ?? "", healthy.error ?? ""];
  },
  deprecationWarning: "v1 ComponentStatus is deprecated in v1.19+",
});
