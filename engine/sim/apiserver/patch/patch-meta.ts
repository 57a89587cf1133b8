// Per-field merge metadata: how strategic merge patch and server-side apply
// treat a list or map. Upstream reads it from the Go struct tags
// (`patchStrategy`, `patchMergeKey`) and the OpenAPI extensions
// (`x-kubernetes-patch-merge-key`, `x-kubernetes-list-type`,
// `x-kubernetes-list-map-keys`, `x-kubernetes-map-type`). The schema registry
// (engine/sim/schema) is the long-term source; until it is wired in, the
// built-in table below covers the core paths the course meets.

import type { ObjectSchema } from "../../schema/dsl";

/** What the patch machinery needs to know about one field. */
export interface FieldMeta {
  /** SMP: items of a list of objects are matched by this field. */
  mergeKey?: string;
  /** SMP: "merge", "replace", "retainKeys" or "merge,retainKeys". Absent = atomic list / recursive map. */
  strategy?: string;
  /** SSA: "atomic" | "set" | "map". */
  listType?: "atomic" | "set" | "map";
  /** SSA: the keys of a `listType: map` list (default: [mergeKey]). */
  listMapKeys?: string[];
  /** SSA: defaults of key fields (ports.protocol = TCP), so `k:{...}` matches before defaulting. */
  keyDefaults?: Record<string, string | number | boolean>;
  /** SSA: "atomic" structs and maps are owned as a whole (LabelSelector, Service selector). */
  mapType?: "atomic" | "granular";
}

/**
 * Merge metadata of one object kind. `path` is the chain of field names from
 * the object root, list levels elided: ["spec", "template", "spec", "containers", "ports"].
 */
export interface PatchMeta {
  lookup(path: readonly string[]): FieldMeta | undefined;
  /** The kind's schema, when known: a patch that puts a value of the wrong JSON type into it is refused. */
  schema?: ObjectSchema;
}

/** Resolves the metadata for a kind; the schema registry provides one of these. */
export type PatchMetaResolver = (apiVersion: string, kind: string) => PatchMeta;

const merge = (mergeKey: string, extra: Partial<FieldMeta> = {}): FieldMeta => ({ mergeKey, strategy: "merge", listType: "map", listMapKeys: [mergeKey], ...extra });
const primitiveSet: FieldMeta = { strategy: "merge", listType: "set" };
const atomic: FieldMeta = { listType: "atomic" };
const atomicMap: FieldMeta = { mapType: "atomic" };

/**
 * Built-in table, matched on the longest suffix of the field path. Entries
 * with a kind prefix (`Service:spec/ports`) apply to that kind only.
 */
const TABLE: Record<string, FieldMeta> = {
  // ObjectMeta
  "metadata/finalizers": primitiveSet,
  "metadata/ownerReferences": merge("uid"),
  "metadata/managedFields": atomic,
  // PodSpec (also inside templates)
  containers: merge("name"),
  initContainers: merge("name"),
  ephemeralContainers: merge("name"),
  volumes: merge("name", { strategy: "merge,retainKeys" }),
  imagePullSecrets: merge("name"),
  hostAliases: merge("ip"),
  tolerations: atomic,
  readinessGates: atomic,
  schedulingGates: merge("name"),
  resourceClaims: merge("name", { strategy: "merge,retainKeys" }),
  topologySpreadConstraints: merge("topologyKey", { listMapKeys: ["topologyKey", "whenUnsatisfiable"] }),
  // Container
  "containers/ports": merge("containerPort", { listMapKeys: ["containerPort", "protocol"], keyDefaults: { protocol: "TCP" } }),
  "initContainers/ports": merge("containerPort", { listMapKeys: ["containerPort", "protocol"], keyDefaults: { protocol: "TCP" } }),
  "ephemeralContainers/ports": merge("containerPort", { listMapKeys: ["containerPort", "protocol"], keyDefaults: { protocol: "TCP" } }),
  env: merge("name"),
  envFrom: atomic,
  volumeMounts: merge("mountPath"),
  volumeDevices: merge("devicePath"),
  resizePolicy: atomic,
  command: atomic,
  args: atomic,
  // Status lists
  "status/conditions": merge("type"),
  "status/addresses": merge("type"),
  "status/podIPs": merge("ip"),
  "status/hostIPs": merge("ip"),
  "status/containerStatuses": atomic,
  "status/initContainerStatuses": atomic,
  "status/images": atomic,
  // Node
  "Node:spec/taints": atomic,
  "Node:spec/podCIDRs": primitiveSet,
  // Service
  "Service:spec/ports": merge("port", { listMapKeys: ["port", "protocol"], keyDefaults: { protocol: "TCP" } }),
  "Service:spec/selector": atomicMap,
  "Service:spec/externalIPs": atomic,
  "Service:spec/ipFamilies": atomic,
  "Service:spec/clusterIPs": atomic,
  // Workloads: label selectors are atomic structs
  "spec/selector": atomicMap,
  "spec/volumeClaimTemplates": atomic,
  "spec/strategy": { strategy: "retainKeys" },
  "spec/updateStrategy": { strategy: "retainKeys" },
  matchExpressions: atomic,
  nodeSelectorTerms: atomic,
  // RBAC
  subjects: atomic,
  rules: atomic,
  // Endpoints
  "Endpoints:subsets": atomic,
};

export const builtinPatchMeta: PatchMetaResolver = (_apiVersion, kind) => ({
  lookup(path) {
    for (let start = 0; start < path.length; start++) {
      const suffix = path.slice(start).join("/");
      const found = TABLE[`${kind}:${suffix}`] ?? TABLE[suffix];
      if (found) return found;
    }
    return undefined;
  },
});

/** SSA list semantics derived from SMP metadata when the schema gives no list type. */
export function listTypeOf(meta: FieldMeta | undefined, primitive: boolean): "atomic" | "set" | "map" {
  if (meta?.listType) return meta.listType;
  if (meta?.strategy?.split(",").includes("merge")) return meta.mergeKey ? "map" : primitive ? "set" : "atomic";
  return "atomic";
}

export function listKeysOf(meta: FieldMeta | undefined): string[] {
  return meta?.listMapKeys ?? (meta?.mergeKey ? [meta.mergeKey] : []);
}
