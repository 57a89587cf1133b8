// The store's keys as a real kube-apiserver lays them out in etcd, for what
// `etcdctl get` shows: `/core/pods/default/web` is `/registry/pods/default/web`,
// `/apps/deployments/default/web` is `/registry/deployments/default/web`.
// Built-in groups leave the group out; custom resources (and the aggregator's
// APIServices) keep it; a few resources keep historical names.

/** Resources stored under another name than their plural (upstream's storage prefixes). */
const RENAMED: Record<string, string> = {
  "core/nodes": "minions",
  "core/services": "services/specs",
  "core/endpoints": "services/endpoints",
  "core/replicationcontrollers": "controllers",
  "networking.k8s.io/ingresses": "ingress",
};

/** The kube-apiserver's own groups, stored without the group in the key. */
const BUILTIN_GROUPS = new Set(["core", "apps", "batch", "autoscaling", "policy", "rbac.authorization.k8s.io", "storage.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "networking.k8s.io", "scheduling.k8s.io", "certificates.k8s.io", "admissionregistration.k8s.io", "node.k8s.io", "events.k8s.io", "flowcontrol.apiserver.k8s.io", "apiextensions.k8s.io"]);

/** The etcd key of a store key (`/<group>/<plural>/[<namespace>/]<name>`). */
export function etcdKey(storeKey: string): string {
  const [, group = "", plural = "", ...rest] = storeKey.split("/");
  const resource = RENAMED[`${group}/${plural}`] ?? (BUILTIN_GROUPS.has(group) ? plural : `${group}/${plural}`);
  return `/registry/${[resource, ...rest].join("/")}`;
}
