// The resource registry: every type the sim serves, looked up the ways the
// API server needs (by URL parts, by kind, by the names kubectl accepts).
import type { ObjectSchema } from "../schema/dsl";
import { apiVersionOf, kindOf, type ResourceType } from "./resource";
import { pods } from "./pods";
import { bindings, componentstatuses, configmaps, events, leases, namespaces, nodes, podtemplates, secrets, serviceaccounts, services } from "./core";
import { controllerrevisions, daemonsets, deployments, replicasets, replicationcontrollers, statefulsets } from "./apps";
import { cronjobs, jobs } from "./batch";
import { clusterrolebindings, clusterroles, rolebindings, roles } from "./rbac";
import { localsubjectaccessreviews, selfsubjectaccessreviews, selfsubjectreviews, selfsubjectrulesreviews, subjectaccessreviews, tokenreviews } from "./auth";
import { csidrivers, csinodes, csistoragecapacities, persistentvolumeclaims, persistentvolumes, storageclasses, volumeattachments } from "./storage";
import { limitranges, resourcequotas } from "./policy";
import { endpoints, endpointslices, ingressclasses, ingresses, networkpolicies } from "./networking";
import { nodemetrics, podmetrics } from "./metrics";

export { apiVersionOf, column, AGE_COLUMN, CREATED_AT_COLUMN, ALL_VERBS, defineResource, kindOf, kindSubresource, requestVerb } from "./resource";
export type { CreateContext, FieldError, ResourceSpec, ResourceType, Subresource, TableColumn } from "./resource";
export { ageSince, humanDuration, microTimestamp, timestamp } from "./format";
export { summarizePod } from "./pod-status";
export { describeFieldError } from "./validation";
export type { PersistentVolume, PersistentVolumeClaim, StorageClass } from "./storage";
export type { LimitRangeItem } from "./policy";

function checkComplete(type: ResourceType): void {
  const what = `resource type ${type.plural}.${type.group || "core"}`;
  if (!type.schema) throw new Error(`${what} has no schema`);
  const gvk = kindOf(type.schema);
  if (gvk.group !== type.group || gvk.version !== type.version || gvk.kind !== type.kind) throw new Error(`${what} does not match its schema ${type.schema.name}`);
  if (!type.schema.description) throw new Error(`${what}: its schema has no description`);
  if (!type.columns.length) throw new Error(`${what} has no table columns`);
}

export interface GroupVersion {
  group: string;
  version: string;
}

export class Registry {
  private readonly byPath = new Map<string, ResourceType>();
  private readonly byKind = new Map<string, ResourceType>();
  private readonly schemas = new Map<string, ObjectSchema>();

  /** Refuses a type that lacks its schema, a description, or table columns: everything about a kind lives in one place. */
  constructor(readonly types: readonly ResourceType[]) {
    for (const type of types) {
      checkComplete(type);
      this.byPath.set(`${type.group}/${type.version}/${type.plural}`, type);
      this.byKind.set(`${apiVersionOf(type)}/${type.kind}`, type);
      this.schemas.set(`${apiVersionOf(type)}/${type.kind}`, type.schema);
      for (const sub of type.subresources) if (sub.schema) this.schemas.set(`${apiVersionOf(kindOf(sub.schema))}/${sub.kind}`, sub.schema);
    }
  }

  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  forKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.byKind.get(`${apiVersion}/${kind}`);
  }

  /** The schema of a body this registry accepts: a served kind or a subresource's kind (Scale, Eviction, ...). */
  schemaFor(apiVersion: string, kind: string): ObjectSchema | undefined {
    return this.schemas.get(`${apiVersion}/${kind}`);
  }

  /** Group versions in discovery order: the legacy core group first, then named groups. */
  groupVersions(): GroupVersion[] {
    const seen = new Map<string, GroupVersion>();
    for (const t of this.types) seen.set(`${t.group}/${t.version}`, { group: t.group, version: t.version });
    return [...seen.values()];
  }

  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.types.filter((t) => t.group === group && t.version === version);
  }

  /** Storage key of one object; a prefix of a list when `name` (and `namespace`) are left out. */
  key(type: ResourceType, namespace?: string, name?: string): string {
    const base = `/${type.group || "core"}/${type.plural}/`;
    if (!type.namespaced) return name === undefined ? base : base + name;
    if (namespace === undefined) return base;
    return name === undefined ? `${base}${namespace}/` : `${base}${namespace}/${name}`;
  }
}

/** API groups in the order upstream's discovery lists them (the core group first, metrics last). */
const GROUP_ORDER = [
  "",
  "apps",
  "authentication.k8s.io",
  "authorization.k8s.io",
  "batch",
  "networking.k8s.io",
  "rbac.authorization.k8s.io",
  "storage.k8s.io",
  "coordination.k8s.io",
  "discovery.k8s.io",
  "metrics.k8s.io",
];

export function defaultRegistry(): Registry {
  const types = [
    ...[pods, nodes, namespaces, services, events, configmaps, secrets, serviceaccounts, leases, bindings, componentstatuses, podtemplates],
    ...[endpoints, replicationcontrollers, persistentvolumes, persistentvolumeclaims, resourcequotas, limitranges],
    ...[deployments, replicasets, daemonsets, statefulsets, controllerrevisions, jobs, cronjobs],
    ...[roles, rolebindings, clusterroles, clusterrolebindings],
    ...[selfsubjectreviews, tokenreviews, localsubjectaccessreviews, selfsubjectaccessreviews, selfsubjectrulesreviews, subjectaccessreviews],
    ...[storageclasses, csidrivers, csinodes, csistoragecapacities, volumeattachments, endpointslices, ingressclasses, ingresses, networkpolicies, nodemetrics, podmetrics],
  ];
  // Within a group version, resources in alphabetical order, as upstream serves them
  // (`kubectl get all` prints the "all" category in this order).
  const rank = (group: string): number => (GROUP_ORDER.includes(group) ? GROUP_ORDER.indexOf(group) : GROUP_ORDER.length);
  types.sort((a, b) => rank(a.group) - rank(b.group) || a.plural.localeCompare(b.plural));
  return new Registry(types);
}
