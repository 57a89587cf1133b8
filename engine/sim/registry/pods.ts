// Pods: upstream defaulting (including what the ServiceAccount admission
// plugin injects), validation wording and the table kubectl prints.
import type { Container, Pod, Toleration } from "../types";
import { ALL_VERBS, AGE_COLUMN, column, defineResource, kindSubresource, type FieldError } from "./resource";
import { ageSince } from "./format";
import { summarizePod } from "./pod-status";
import { validateLabel, validateSubdomain } from "./validation";
import { parseQuantity } from "../scheduler/quantity";
import { bindingSchema } from "../schema/core";
import { evictionSchema } from "../schema/networking";
import { podSchema } from "../schema/pod";

function defaultPullPolicy(image: string | undefined): string {
  if (!image) return "IfNotPresent";
  if (image.includes("@")) return "IfNotPresent";
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const tag = lastSegment.includes(":") ? lastSegment.slice(lastSegment.indexOf(":") + 1) : "";
  return tag === "" || tag === "latest" ? "Always" : "IfNotPresent";
}

/** Probe fields upstream fills in when a pod is written (kubectl describe prints them). */
export const PROBE_DEFAULTS = { initialDelaySeconds: 0, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 };

type ProbeFields = { timeoutSeconds?: number; periodSeconds?: number; successThreshold?: number; failureThreshold?: number; exec?: unknown; httpGet?: { path?: string; scheme?: string }; tcpSocket?: unknown; grpc?: { service?: string } };

function defaultProbe(probe: ProbeFields | undefined): void {
  if (!probe) return;
  probe.timeoutSeconds ||= PROBE_DEFAULTS.timeoutSeconds;
  probe.periodSeconds ||= PROBE_DEFAULTS.periodSeconds;
  probe.successThreshold ||= PROBE_DEFAULTS.successThreshold;
  probe.failureThreshold ||= PROBE_DEFAULTS.failureThreshold;
  if (probe.httpGet) {
    probe.httpGet.path ||= "/";
    probe.httpGet.scheme ||= "HTTP";
  }
  if (probe.grpc) probe.grpc.service ??= "";
}

/** The container defaults of every pod spec, a pod's or a workload's template's (SetDefaults_Container, probes, ports). */
export function defaultContainerFields(container: Container): void {
  container.imagePullPolicy ??= defaultPullPolicy(container.image);
  for (const field of ["livenessProbe", "readinessProbe", "startupProbe"]) defaultProbe(container[field] as ProbeFields | undefined);
  container.terminationMessagePath ??= "/dev/termination-log";
  container.terminationMessagePolicy ??= "File";
  container.resources ??= {};
  for (const port of container.ports ?? []) port.protocol ??= "TCP";
}

/** A pod's container: the shared defaults plus the service account token mount (admission, pods only). */
function defaultContainer(container: Container, tokenVolume: string | undefined): void {
  defaultContainerFields(container);
  const mounts = (container.volumeMounts ??= []) as { mountPath: string; name: string; readOnly?: boolean }[];
  if (tokenVolume && !mounts.some((m) => m.mountPath === "/var/run/secrets/kubernetes.io/serviceaccount")) {
    mounts.push({ mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", name: tokenVolume, readOnly: true });
  }
}

const DEFAULT_TOLERATIONS: Toleration[] = [
  { effect: "NoExecute", key: "node.kubernetes.io/not-ready", operator: "Exists", tolerationSeconds: 300 },
  { effect: "NoExecute", key: "node.kubernetes.io/unreachable", operator: "Exists", tolerationSeconds: 300 },
];

function tokenVolume(name: string): Record<string, unknown> {
  return {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
        { configMap: { items: [{ key: "ca.crt", path: "ca.crt" }], name: "kube-root-ca.crt" } },
        { downwardAPI: { items: [{ fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" }, path: "namespace" }] } },
      ],
    },
  };
}

type Resources = { requests?: Record<string, string>; limits?: Record<string, string> };

/** Pods only (not templates): a limit without a request makes the request equal to it. */
function defaultRequestsFromLimits(container: Container): void {
  const resources = (container.resources ?? {}) as Resources;
  if (!resources.limits) return;
  const requests = (resources.requests ??= {});
  for (const [name, value] of Object.entries(resources.limits)) requests[name] ??= value;
}

/** QoS counts cpu and memory only, summed over all containers, zero amounts ignored. */
const QOS_RESOURCES = ["cpu", "memory"];
const milli = (quantity: string): number => Math.round((parseQuantity(quantity) ?? 0) * 1000);

export function qosClass(pod: Pod): string {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  const add = (sum: Map<string, number>, list: Record<string, string> | undefined): Set<string> => {
    const found = new Set<string>();
    for (const [name, quantity] of Object.entries(list ?? {})) {
      const value = milli(quantity);
      if (!QOS_RESOURCES.includes(name) || value <= 0) continue;
      found.add(name);
      sum.set(name, (sum.get(name) ?? 0) + value);
    }
    return found;
  };
  let guaranteed = true;
  for (const c of [...pod.spec.containers, ...(pod.spec.initContainers ?? [])]) {
    const resources = (c.resources ?? {}) as Resources;
    add(requests, resources.requests);
    const limited = add(limits, resources.limits);
    if (!QOS_RESOURCES.every((name) => limited.has(name))) guaranteed = false;
  }
  if (!requests.size && !limits.size) return "BestEffort";
  guaranteed &&= [...requests].every(([name, value]) => limits.get(name) === value) && requests.size === limits.size;
  return guaranteed ? "Guaranteed" : "Burstable";
}

/** Names, images and probes of a container list (a pod's or a template's), in upstream's field paths. */
export function validateContainers(list: Container[] | undefined, path: string, required: boolean): FieldError[] {
  if (!list?.length) return required ? [{ field: path, type: "FieldValueRequired" }] : [];
  const errors: FieldError[] = [];
  const names = new Set<string>();
  list.forEach((c, i) => {
    const at = `${path}[${i}]`;
    if (!c.name) errors.push({ field: `${at}.name`, type: "FieldValueRequired" });
    else {
      errors.push(...validateLabel(`${at}.name`, c.name));
      if (names.has(c.name)) errors.push({ field: `${at}.name`, type: "FieldValueDuplicate", value: c.name });
      names.add(c.name);
    }
    if (!c.image) errors.push({ field: `${at}.image`, type: "FieldValueRequired" });
    for (const kind of ["livenessProbe", "readinessProbe", "startupProbe"]) errors.push(...validateProbe(c[kind] as ProbeFields | undefined, `${at}.${kind}`, kind !== "readinessProbe"));
  });
  return errors;
}

/** Exactly one handler; liveness and startup probes pass on a single success. */
function validateProbe(probe: ProbeFields | undefined, path: string, singleSuccess: boolean): FieldError[] {
  if (!probe) return [];
  const handlers = (["exec", "httpGet", "tcpSocket", "grpc"] as const).filter((h) => probe[h] !== undefined);
  const errors: FieldError[] = [];
  if (!handlers.length) errors.push({ field: path, type: "FieldValueRequired", detail: "must specify a handler type" });
  for (const extra of handlers.slice(1)) errors.push({ field: `${path}.${extra}`, type: "FieldValueForbidden", detail: "may not specify more than 1 handler type" });
  if (singleSuccess && probe.successThreshold !== undefined && probe.successThreshold !== 1) errors.push({ field: `${path}.successThreshold`, type: "FieldValueInvalid", value: probe.successThreshold, detail: "must be 1" });
  return errors;
}

export const pods = defineResource<Pod>(podSchema, {
  plural: "pods",
  singular: "pod",
  namespaced: true,
  shortNames: ["po"],
  categories: ["all"],
  verbs: ALL_VERBS,
  subresources: [
    { name: "status", kind: "Pod", verbs: ["get", "patch", "update"] },
    kindSubresource("binding", bindingSchema, ["create"]),
    { name: "log", kind: "Pod", verbs: ["get"] },
    { name: "portforward", kind: "PodPortForwardOptions", verbs: ["create", "get"] },
    kindSubresource("eviction", evictionSchema, ["create"]),
    { name: "proxy", kind: "PodProxyOptions", verbs: ["create", "delete", "get", "patch", "update"] },
    { name: "exec", kind: "PodExecOptions", verbs: ["create", "get"] },
    { name: "attach", kind: "PodAttachOptions", verbs: ["create", "get"] },
  ],
  graceful: true,
  statusSubresource: true,
  columns: [
    column("Ready", "string", "Containers ready, out of all the pod's containers."),
    column("Status", "string", "A one-word summary of the pod and its containers."),
    column("Restarts", "string", "Container restarts so far, and how long ago the latest one was."),
    AGE_COLUMN,
    column("IP", "string", "The pod's own IP address, once it has one.", 1),
    column("Node", "string", "The node the pod was placed on.", 1),
    column("Nominated Node", "string", "The node the scheduler is making room on for this pod, if any.", 1),
    column("Readiness Gates", "string", "Extra readiness conditions met, out of those the pod lists.", 1),
  ],
  cells(pod, now) {
    const summary = summarizePod(pod, now);
    const gates = pod.spec.readinessGates ?? [];
    const passed = gates.filter((g) => pod.status?.conditions?.some((c) => c.type === g.conditionType && c.status === "True")).length;
    return [
      summary.ready,
      summary.status,
      summary.restarts,
      ageSince(pod.metadata.creationTimestamp, now),
      pod.status?.podIPs?.[0]?.ip || "<none>",
      pod.spec.nodeName || "<none>",
      pod.status?.nominatedNodeName || "<none>",
      gates.length ? `${passed}/${gates.length}` : "<none>",
    ];
  },
  defaults(pod, context) {
    const spec = pod.spec;
    // The ServiceAccount admission leaves a kubelet's mirror pods alone: no account, no token volume.
    const mirror = pod.metadata.annotations?.["kubernetes.io/config.mirror"] !== undefined;
    const tokenName = `kube-api-access-${context.randomSuffix(5)}`;
    const volume = mirror ? undefined : tokenName;
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      defaultContainer(c, volume);
      defaultRequestsFromLimits(c);
    }
    spec.dnsPolicy ??= "ClusterFirst";
    spec.enableServiceLinks ??= true;
    spec.preemptionPolicy ??= "PreemptLowerPriority";
    spec.priority ??= 0;
    spec.restartPolicy ??= "Always";
    spec.schedulerName ??= "default-scheduler";
    spec.securityContext ??= {};
    if (!mirror) {
      spec.serviceAccountName ??= "default";
      spec.serviceAccount ??= spec.serviceAccountName;
    }
    spec.terminationGracePeriodSeconds ??= 30;
    const tolerations = (spec.tolerations ??= []);
    // DefaultTolerationSeconds admission: skipped when a toleration (same or empty key, NoExecute or any effect) already covers the taint.
    for (const t of DEFAULT_TOLERATIONS) if (!tolerations.some((x) => (x.key === t.key || !x.key) && (!x.effect || x.effect === "NoExecute"))) tolerations.push({ ...t });
    const volumes = (spec.volumes ??= []) as { name: string }[];
    if (volume) volumes.push(tokenVolume(volume) as { name: string });
    pod.status = { phase: "Pending", qosClass: qosClass(pod) };
  },
  validate(pod) {
    const errors = validateSubdomain("metadata.name", pod.metadata.name ?? "");
    if (!pod.spec) return [...errors, { field: "spec.containers", type: "FieldValueRequired" }];
    errors.push(...validateContainers(pod.spec.containers, "spec.containers", true));
    errors.push(...validateContainers(pod.spec.initContainers, "spec.initContainers", false));
    const policy = pod.spec.restartPolicy;
    if (policy && !["Always", "OnFailure", "Never"].includes(policy)) {
      errors.push({ field: "spec.restartPolicy", type: "FieldValueNotSupported", value: policy, detail: 'supported values: "Always", "OnFailure", "Never"' });
    }
    return errors;
  },
  fields(pod) {
    return {
      "spec.nodeName": pod.spec.nodeName ?? "",
      "spec.restartPolicy": pod.spec.restartPolicy ?? "",
      "spec.schedulerName": pod.spec.schedulerName ?? "",
      "spec.serviceAccountName": pod.spec.serviceAccountName ?? "",
      "spec.hostNetwork": pod.spec.hostNetwork ? "true" : "false",
      "status.phase": pod.status?.phase ?? "",
      "status.podIP": pod.status?.podIP ?? "",
      "status.nominatedNodeName": pod.status?.nominatedNodeName ?? "",
    };
  },
});
