// ResourceQuota and LimitRange, as upstream's admission plugins and quota
// controller: LimitRanger fills container requests/limits from the namespace's
// LimitRange defaults (and the `kubernetes.io/limit-ranger` annotation) and
// enforces per-container min/max; ResourceQuota refuses a create that would
// take usage past a quota's hard limit, with upstream's Forbidden wording
// (`exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2`).
// Usage is counted from the stored objects; `quotaUsage` also feeds the
// ResourceQuota status controller (controllers/resourcequota.ts).
import { errors } from "../apiserver/status";
import type { ResourceService } from "../apiserver/service";
import type { LimitRangeItem, Registry, ResourceType } from "../registry";
import { qosClass } from "../registry/pods";
import { cpuMillis, formatMillis, quantityValue } from "../scheduler/quantity";
import type { Container, KObject, Pod } from "../types";


interface Resources {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

/** Legacy quota names for object counts, besides `count/<plural>[.<group>]`. */
const LEGACY_COUNTS: Record<string, string> = {
  pods: "pods",
  services: "services",
  secrets: "secrets",
  configmaps: "configmaps",
  persistentvolumeclaims: "persistentvolumeclaims",
  replicationcontrollers: "replicationcontrollers",
  resourcequotas: "resourcequotas",
};

const isCpu = (resource: string): boolean => resource === "cpu" || resource.endsWith(".cpu");

/** Usage in comparable numbers: millicores for cpu, base units otherwise. */
function amount(resource: string, quantity: string | undefined): number {
  return isCpu(resource) ? cpuMillis(quantity) : quantityValue(quantity);
}

/** A usage number printed as a quantity: 500m / 2 for cpu, 128Mi / 1Gi / 3 otherwise. */
export function formatAmount(resource: string, value: number): string {
  if (isCpu(resource)) return formatMillis(value);
  if (!/memory|storage/.test(resource)) return String(value);
  for (const [suffix, size] of [["Ti", 1024 ** 4], ["Gi", 1024 ** 3], ["Mi", 1024 ** 2], ["Ki", 1024]] as const) {
    if (value !== 0 && value % size === 0) return `${value / size}${suffix}`;
  }
  return String(value);
}

const podActive = (pod: Pod): boolean => pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed" && !pod.metadata.deletionTimestamp;

/** What one object adds to each quota resource (upstream's evaluators, the common ones). */
export function objectUsage(type: ResourceType, object: KObject): Map<string, number> {
  const usage = new Map<string, number>();
  const add = (key: string, n: number): void => {
    usage.set(key, (usage.get(key) ?? 0) + n);
  };
  add(`count/${type.plural}${type.group ? `.${type.group}` : ""}`, 1);
  const legacy = type.group === "" ? LEGACY_COUNTS[type.plural] : undefined;
  if (legacy) add(legacy, 1);
  if (type.group === "" && type.plural === "pods") {
    const pod = object as Pod;
    if (!podActive(pod)) return new Map();
    for (const c of pod.spec.containers) {
      const r = (c.resources ?? {}) as Resources;
      for (const [k, v] of Object.entries(r.requests ?? {})) {
        add(`requests.${k}`, amount(k, v));
        if (k === "cpu" || k === "memory") add(k, amount(k, v));
      }
      for (const [k, v] of Object.entries(r.limits ?? {})) add(`limits.${k}`, amount(k, v));
    }
  } else if (type.group === "" && type.plural === "persistentvolumeclaims") {
    const storage = (object.spec as { resources?: Resources } | undefined)?.resources?.requests?.storage;
    add("requests.storage", quantityValue(storage));
  } else if (type.group === "" && type.plural === "services") {
    const spec = object.spec as { type?: string; ports?: unknown[] } | undefined;
    if (spec?.type === "NodePort" || spec?.type === "LoadBalancer") add("services.nodeports", spec.ports?.length ?? 0);
    if (spec?.type === "LoadBalancer") add("services.loadbalancers", 1);
  }
  return usage;
}

/** The type a quota resource name counts, if it is a count. */
function typeForCount(registry: Registry, resource: string): ResourceType | undefined {
  const legacy = Object.values(LEGACY_COUNTS).includes(resource) ? resource : undefined;
  const name = legacy ?? (resource.startsWith("count/") ? resource.slice(6) : undefined);
  if (!name) return undefined;
  const [plural, ...group] = name.split(".");
  return registry.types.find((t) => t.plural === plural && t.group === group.join("."));
}

/** Current usage in `namespace` of every resource in `hard`. */
export function quotaUsage(service: ResourceService, registry: Registry, namespace: string, hard: Record<string, string>): Map<string, number> {
  const used = new Map<string, number>();
  const wanted = new Set(Object.keys(hard));
  const types = new Set<ResourceType>();
  for (const resource of wanted) {
    const counted = typeForCount(registry, resource);
    if (counted) types.add(counted);
  }
  const pods = registry.find("", "v1", "pods");
  const claims = registry.find("", "v1", "persistentvolumeclaims");
  const services = registry.find("", "v1", "services");
  if (pods && [...wanted].some((r) => r === "cpu" || r === "memory" || r.startsWith("requests.") || r.startsWith("limits."))) types.add(pods);
  if (claims && wanted.has("requests.storage")) types.add(claims);
  if (services && [...wanted].some((r) => r.startsWith("services."))) types.add(services);
  for (const type of types) {
    for (const object of service.list(type, namespace).items) {
      for (const [k, v] of objectUsage(type, object)) if (wanted.has(k)) used.set(k, (used.get(k) ?? 0) + v);
    }
  }
  for (const resource of wanted) if (!used.has(resource)) used.set(resource, 0);
  return used;
}

export function quotaAdmission(service: ResourceService, registry: Registry): { mutate(type: ResourceType, object: KObject): void; validate(type: ResourceType, object: KObject): void } {
  const limitRanges = registry.find("", "v1", "limitranges") as ResourceType;
  const quotas = registry.find("", "v1", "resourcequotas") as ResourceType;
  return {
    mutate(type, object) {
      if (type.group !== "" || type.plural !== "pods") return;
      const pod = object as Pod;
      const items = service.list(limitRanges, pod.metadata.namespace).items.flatMap((lr) => ((lr.spec as { limits?: LimitRangeItem[] } | undefined)?.limits ?? []).filter((i) => i.type === "Container"));
      if (!items.length) return;
      const notes: string[] = [];
      for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
        const set = { requests: [] as string[], limits: [] as string[] };
        const resources = ((c as Container & { resources?: Resources }).resources ??= {});
        for (const item of items) {
          // LimitRange defaulting: defaultRequest falls back to default, default to max.
          const limits = { ...item.max, ...item.default };
          const requests = { ...limits, ...item.defaultRequest };
          for (const [k, v] of Object.entries(limits)) {
            if (resources.limits?.[k] !== undefined) continue;
            (resources.limits ??= {})[k] = v;
            set.limits.push(k);
          }
          for (const [k, v] of Object.entries(requests)) {
            if (resources.requests?.[k] !== undefined) continue;
            (resources.requests ??= {})[k] = v;
            set.requests.push(k);
          }
        }
        if (set.requests.length) notes.push(`${set.requests.join(", ")} request for container ${c.name}`);
        if (set.limits.length) notes.push(`${set.limits.join(", ")} limit for container ${c.name}`);
        for (const item of items) {
          for (const [k, max] of Object.entries(item.max ?? {})) {
            const limit = resources.limits?.[k];
            if (limit !== undefined && amount(k, limit) > amount(k, max)) throw errors.forbidden(type, pod.metadata.name ?? "", `maximum ${k} usage per Container is ${max}, but limit is ${limit}`);
          }
          for (const [k, min] of Object.entries(item.min ?? {})) {
            const request = resources.requests?.[k];
            if (request !== undefined && amount(k, request) < amount(k, min)) throw errors.forbidden(type, pod.metadata.name ?? "", `minimum ${k} usage per Container is ${min}, but request is ${request}`);
          }
        }
      }
      if (!notes.length) return;
      pod.metadata.annotations = { ...pod.metadata.annotations, "kubernetes.io/limit-ranger": `LimitRanger plugin set: ${notes.join("; ")}` };
      // Defaulting classed the pod before these requests and limits existed; upstream classes it after admission.
      pod.status = { ...pod.status, qosClass: qosClass(pod) };
    },
    validate(type, object) {
      const namespace = object.metadata.namespace;
      if (!type.namespaced || !namespace) return;
      const all = service.list(quotas, namespace).items;
      if (!all.length) return;
      const delta = objectUsage(type, object);
      for (const quota of all.sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""))) {
        const hard = (quota.spec as { hard?: Record<string, string> } | undefined)?.hard ?? {};
        const name = quota.metadata.name ?? "";
        if (type.group === "" && type.plural === "pods") {
          // Tracked compute resources must be set on every container.
          const missing: string[] = [];
          for (const resource of Object.keys(hard).sort()) {
            const [prefix, res] = resource.includes(".") ? (resource.split(".") as [string, string]) : ["requests", resource];
            if ((prefix !== "requests" && prefix !== "limits") || (res !== "cpu" && res !== "memory")) continue;
            const kind: "requests" | "limits" = prefix;
            const lacking = (object as Pod).spec.containers.filter((c) => ((c as Container & { resources?: Resources }).resources?.[kind] ?? {})[res] === undefined).map((c) => c.name);
            if (lacking.length) missing.push(`${resource} for: ${lacking.join(",")}`);
          }
          if (missing.length) throw errors.forbidden(type, object.metadata.name ?? "", `failed quota: ${name}: must specify ${missing.join("; ")}`);
        }
        const relevant = Object.keys(hard).filter((k) => delta.has(k));
        if (!relevant.length) continue;
        const used = quotaUsage(service, registry, namespace, Object.fromEntries(relevant.map((k) => [k, hard[k] ?? "0"])));
        const exceeded = relevant.filter((k) => (used.get(k) ?? 0) + (delta.get(k) ?? 0) > amount(k, hard[k])).sort();
        if (!exceeded.length) continue;
        const show = (values: (k: string) => string): string => exceeded.map((k) => `${k}=${values(k)}`).join(",");
        throw errors.forbidden(
          type,
          object.metadata.name ?? "",
          `exceeded quota: ${name}, requested: ${show((k) => formatAmount(k, delta.get(k) ?? 0))}, used: ${show((k) => formatAmount(k, used.get(k) ?? 0))}, limited: ${show((k) => hard[k] ?? "")}`,
        );
      }
    },
  };
}
